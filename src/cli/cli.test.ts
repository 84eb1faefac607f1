import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const EMPTY_HOME = mkdtempSync(join(tmpdir(), 'agentry-home-'));
const DATA_DIR = mkdtempSync(join(tmpdir(), 'agentry-data-'));

/** The real CLI in a child process, with an environment that has no provider credentials. */
function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(TSX, [join(ROOT, 'src/cli/bin.ts'), ...args], {
      cwd: EMPTY_HOME,
      env: { PATH: process.env.PATH ?? '', HOME: EMPTY_HOME, AGENTRY_DATA_DIR: DATA_DIR, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

describe('agentry CLI', () => {
  it('run --json prints run events as JSON lines with tool names, inputs and outputs', async () => {
    const { code, stdout } = await cli([
      'run',
      'assistant',
      'What is 25 * 47?',
      '--json',
      '--model',
      'scripted:scripts/demo.json',
    ]);
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((event) => event.type)).toEqual([
      'run-start',
      'usage',
      'tool-call',
      'tool-result',
      'text-delta',
      'usage',
      'run-end',
    ]);
    expect(events[3]).toMatchObject({
      type: 'tool-result',
      toolName: 'calculate',
      input: { expression: '25 * 47' },
      output: { result: 1175 },
    });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'succeeded', text: '25 × 47 = 1175.' });
  });

  it('run streams the answer to stdout and tool calls to stderr, model chosen by AGENTRY_MODEL', async () => {
    const { code, stdout, stderr } = await cli(
      ['run', 'assistant', 'What is 100 divided by 4, and then multiply that by 3?'],
      {
        env: { AGENTRY_MODEL: 'scripted:scripts/demo.json' },
      },
    );
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('100 divided by 4 is 25, and 25 multiplied by 3 is 75.');
    expect(stderr).toContain('→ calculate {"expression":"100 / 4"}');
    expect(stderr).not.toContain('\u001b['); // no colours when not a TTY
  });

  it('says exactly what to configure when no provider is set up', async () => {
    const { code, stderr } = await cli(['run', 'assistant', 'hi']);
    expect(code).toBe(1);
    expect(stderr).toContain('MODEL_NOT_CONFIGURED');
    for (const hint of [
      'AWS_ACCESS_KEY_ID',
      'AWS_PROFILE',
      'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY',
      'openai-compatible:',
      'scripted:',
    ]) {
      expect(stderr).toContain(hint);
    }
  });

  it('demo runs the demo queries in a labelled demo mode when nothing is configured', async () => {
    const { code, stdout, stderr } = await cli(['demo']);
    expect(code).toBe(0);
    expect(stderr).toContain('DEMO MODE');
    expect(stdout).toContain('25 × 47 = 1175.');
    expect(stdout).toContain('75');
  });

  it('chat keeps the session history across turns', async () => {
    const script = join(ROOT, 'src/cli/fixtures/memory-chat.json');
    const { code, stdout } = await cli(['chat', 'assistant', '--model', `scripted:${script}`], {
      stdin: "My name is Alice\nWhat's my name?\n",
    });
    expect(code).toBe(0);
    expect(stdout).toContain('Nice to meet you, Alice!');
    expect(stdout).toContain('Your name is Alice.');
  });

  it('agents and doctor describe the project without calling a model', async () => {
    const agents = await cli(['agents', '--json']);
    expect(JSON.parse(agents.stdout).map((agent: { name: string }) => agent.name)).toEqual([
      'analyst',
      'assistant',
      'classifier',
      'evaluator',
      'planner',
      'researcher',
      'summarizer',
      'writer',
    ]);

    const missing = await cli(['doctor']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('No AWS credentials found');

    const secret = 'sk-ant-very-secret-value';
    const ready = await cli(['doctor'], {
      env: { AGENTRY_MODEL: 'anthropic:claude-sonnet-4-5', ANTHROPIC_API_KEY: secret },
    });
    expect(ready.code).toBe(0);
    expect(ready.stdout).toContain('ANTHROPIC_API_KEY');
    expect(ready.stdout).not.toContain(secret);
  });

  it('reports unknown agents, bad project files and bad usage with clear errors', async () => {
    const unknown = await cli(['run', 'nobody', 'hi', '--model', 'scripted:scripts/demo.json']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('AGENT_NOT_FOUND');
    expect(unknown.stderr).toContain('assistant');

    const project = mkdtempSync(join(tmpdir(), 'agentry-bad-'));
    mkdirSync(join(project, 'agents'));
    writeFileSync(join(project, 'agentry.config.yaml'), 'name: bad\n');
    writeFileSync(
      join(project, 'agents/broken.yaml'),
      'instructions: hi\ntools: [calculate, teleport]\nlimits: { maxIterations: 0 }\n',
    );
    const bad = await cli(['agents', '--project', project]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('CONFIG_INVALID');
    expect(bad.stderr).toContain('agents/broken.yaml: limits.maxIterations');

    const usage = await cli(['run', 'assistant']);
    expect(usage.code).toBe(2);
    const flag = await cli(['run', '--bogus']);
    expect(flag.code).toBe(2);
  });

  it('remembers a conversation across processes: "My name is Alice", then "What\'s my name?"', async () => {
    const model = ['--model', 'scripted:scripts/demo.json'];
    const first = await cli(['run', 'assistant', 'My name is Alice', ...model]);
    expect(first.code).toBe(0);
    const conversationId = /conversation ([\w-]+)/.exec(first.stderr)?.[1];
    expect(conversationId).toBeDefined();

    // A new process: the scripted reply only matches if the earlier turn is in the prompt.
    const second = await cli(['run', 'assistant', "What's my name?", '--conversation', conversationId!, ...model]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('your name is in the message above');

    const listed = await cli(['conversations', '--json']);
    expect(JSON.parse(listed.stdout).map((conversation: { id: string }) => conversation.id)).toContain(conversationId);
    const shown = await cli(['conversations', 'show', conversationId!, '--json']);
    expect(
      JSON.parse(shown.stdout).messages.map((stored: { message: { role: string } }) => stored.message.role),
    ).toEqual(['user', 'assistant', 'user', 'assistant']);
    const runs = await cli(['runs', '--json']);
    expect(
      JSON.parse(runs.stdout).filter((run: { conversationId: string }) => run.conversationId === conversationId),
    ).toHaveLength(2);
    expect((await cli(['conversations', 'delete', conversationId!])).code).toBe(0);
    expect((await cli(['conversations', 'show', conversationId!])).code).toBe(1);
  }, 90_000);

  it('a fresh process fails on a missing conversation with a clear code', async () => {
    const missing = await cli(['conversations', 'show', 'no-such-conversation']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CONVERSATION_NOT_FOUND');
  });

  it('start serves the API in demo mode with a local key, and shuts down gracefully on SIGTERM', async () => {
    const project = mkdtempSync(join(tmpdir(), 'agentry-start-'));
    cpSync(join(ROOT, 'examples'), project, { recursive: true, filter: (source) => !source.includes('.agentry') });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'start', '--port', '0', '--project', project],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: EMPTY_HOME },
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!/on http:\/\/127\.0\.0\.1:\d+/.test(stderr) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
    const key = /(agk_\w+_[\w-]+)/.exec(stderr)?.[1];
    expect(stderr).toContain('DEMO MODE');
    expect(url).toBeDefined();
    expect(key).toBeDefined();
    expect(readFileSync(join(project, '.agentry', 'local-api-key'), 'utf8').trim()).toBe(key);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const answer = await fetch(`${url}/agent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key! },
      body: JSON.stringify({ query: 'What is 25 * 47?' }),
    });
    expect(await answer.json()).toMatchObject({ response: '25 × 47 = 1175.', user_id: 'local' });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('"message":"stopped"');
  }, 40_000);
});
