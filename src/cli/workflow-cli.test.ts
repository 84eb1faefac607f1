import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWorkflowProject } from '../server/testing/workflow-project.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'src/cli/bin.ts');
const EMPTY_HOME = mkdtempSync(join(tmpdir(), 'agentry-home-'));

const project = createWorkflowProject();
writeFileSync(
  join(project.dir, 'workflows/fails.asl.json'),
  JSON.stringify({ StartAt: 'Give up', States: { 'Give up': { Type: 'Fail', Error: 'Oops', Cause: 'on purpose' } } }),
);

type Env = Record<string, string>;
/** Every process of a test file shares nothing but what the environment says. */
const MEMORY: Env = { AGENTRY_STORE: 'memory' };
const pglite = (): Env => ({ AGENTRY_DATA_DIR: mkdtempSync(join(tmpdir(), 'agentry-data-')) });

/** The real CLI in a child process (node + tsx, so its pid is the process itself), without provider credentials. */
function start(
  args: string[],
  env: Env,
  stdin = '',
): ChildProcess & { output: Promise<{ code: number | null; stdout: string; stderr: string }>; stderr: string } {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args, '--project', project.dir], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: EMPTY_HOME, ...env },
  }) as ChildProcess & { output: Promise<{ code: number | null; stdout: string; stderr: string }>; stderr: string };
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    Object.assign(child, { stderr });
  });
  Object.assign(child, { stderr: '' });
  child.stdin!.end(stdin);
  child.output = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return child;
}

const cli = (args: string[], env: Env = MEMORY) => start(args, env).output;

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

async function waitFor(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('agentry workflow', () => {
  it('run --callbacks answers a waiting task from stdin on the embedded store (a refused line is asked again)', async () => {
    const answered = await start(
      ['workflow', 'run', 'approval', '--input', '{"doc": "plan.md"}', '--callbacks'],
      pglite(),
      'not json\n{"approved": true}\n',
    ).output;
    expect(answered.code).toBe(0);
    expect(JSON.parse(answered.stdout)).toEqual({ doc: 'plan.md', decision: { approved: true } });
    expect(answered.stderr).toContain('try again');
    const rejected = await start(
      ['workflow', 'run', 'approval', '--input', '{"doc": "plan.md"}', '--callbacks'],
      MEMORY,
      '!Approval.Rejected not this quarter\n',
    ).output;
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('FAILED Approval.Rejected: not this quarter');
  });

  it('lists the project workflows and validates definitions with state and field per problem', async () => {
    const listed = await cli(['workflow', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((workflow: { name: string }) => workflow.name)).toEqual([
      'approval',
      'broken',
      'fails',
      'greet',
    ]);
    const human = await cli(['workflow']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('greet  3 states from Prepare · workflows/greet.asl.json · Drafts a greeting');

    const invalid = await cli(['workflow', 'validate', join(project.dir, 'workflows/broken.asl.json')]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('is not a valid state machine');
    expect(invalid.stdout).toContain('state "First", field ResultPath:');
    const missing = await cli(['workflow', 'validate', join(project.dir, 'workflows/nowhere.asl.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CONFIG_NOT_FOUND');
    const ok = await cli(['workflow', 'validate', join(project.dir, 'workflows/greet.asl.json'), '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, issues: [] });
    const okHuman = await cli(['workflow', 'validate', join(project.dir, 'workflows/greet.asl.json')]);
    expect(okHuman.stdout).toMatch(/greet\.asl\.json is valid/);
    const notJson = join(project.dir, 'not-json.asl.json');
    writeFileSync(notJson, '{ "StartAt": ');
    const unparsable = await cli(['workflow', 'validate', notJson]);
    expect(unparsable.code).toBe(1);
    expect(unparsable.stderr).toContain('WORKFLOW_INVALID');
    expect((await cli(['workflow', 'validate'])).code).toBe(2);
    expect((await cli(['workflow', 'teleport'])).code).toBe(2);
  }, 60_000);

  it('run shows each state live with durations and task resources, prints the output, exits 0', async () => {
    const { code, stdout, stderr } = await cli(['workflow', 'run', 'greet', '--input', '{"who":"Ada"}']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ text: 'DRAFTED FOR ADA' });
    expect(stderr).toMatch(/→ Prepare Pass\n✓ Prepare \d+ms\n→ Write Task\n {2}⚙ Write agent:writer\n✓ Write \d+ms\n/);
    expect(stderr).toContain('⚙ Shout arn:aws:lambda:us-east-1:123456789012:function:shout');
    expect(stderr).toMatch(/\[SUCCEEDED · \d+ms · execution [\w-]+\]/);
    expect(stderr).not.toContain('\u001b['); // no colours when not a TTY

    const json = await cli(['workflow', 'run', 'greet', '--input', '{"who":"Ada"}', '--json']);
    expect(json.code).toBe(0);
    const events = jsonLines(json.stdout);
    expect(events.map((event) => event.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({ type: 'ExecutionStarted', input: { who: 'Ada' } });
    expect(events.filter((event) => event.type === 'TaskScheduled').map((event) => event.resource)).toEqual([
      'agent:writer',
      'arn:aws:lambda:us-east-1:123456789012:function:shout',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionSucceeded', output: { text: 'DRAFTED FOR ADA' } });
  }, 60_000);

  it('run exits 1 on a failed execution, an invalid workflow or bad input', async () => {
    const failed = await cli(['workflow', 'run', 'fails']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain('FAILED Oops: on purpose');
    const invalid = await cli(['workflow', 'run', 'broken']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('WORKFLOW_INVALID');
    expect(invalid.stderr).toContain('state "First", field ResultPath');
    const unknown = await cli(['workflow', 'run', 'nowhere']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('WORKFLOW_NOT_FOUND');
    const badInput = await cli(['workflow', 'run', 'greet', '--input', '{who}']);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toContain('--input must be JSON');
  }, 60_000);

  it('executions, describe and history read what earlier processes ran; a name is started once', async () => {
    const env = pglite();
    const first = await cli(['workflow', 'run', 'greet', '--input', '{"who":"Ada"}', '--name', 'greeting-1'], env);
    expect(first.code).toBe(0);
    const id = /execution ([\w-]+) · greet · name greeting-1/.exec(first.stderr)?.[1];
    expect(id).toBeDefined();

    const listed = await cli(['workflow', 'executions', '--workflow', 'greet', '--json'], env);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id, name: 'greeting-1', status: 'SUCCEEDED' }),
    ]);
    const none = await cli(['workflow', 'executions', '--status', 'running'], env);
    expect(none.stdout).toContain('No executions yet.');

    const described = await cli(['workflow', 'describe', id!], env);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/status\s+SUCCEEDED/);
    expect(described.stdout).toContain('{"text":"DRAFTED FOR ADA"}');
    const describedJson = await cli(['workflow', 'describe', id!, '--json'], env);
    expect(JSON.parse(describedJson.stdout)).toMatchObject({
      id,
      input: { who: 'Ada' },
      output: { text: 'DRAFTED FOR ADA' },
    });

    const history = await cli(['workflow', 'history', id!, '--json'], env);
    const events = jsonLines(history.stdout);
    expect(events[0].type).toBe('ExecutionStarted');
    expect(events.at(-1).type).toBe('ExecutionSucceeded');
    const historyHuman = await cli(['workflow', 'history', id!], env);
    expect(historyHuman.stdout).toMatch(/TaskScheduled\s+Write · agent:writer/);

    // The same name and input: that execution again, not a new one.
    const again = await cli(
      ['workflow', 'run', 'greet', '--input', '{"who":"Ada"}', '--name', 'greeting-1', '--json'],
      env,
    );
    expect(again.code).toBe(0);
    expect(jsonLines(again.stdout)).toEqual(events);
    const other = await cli(['workflow', 'run', 'greet', '--input', '{"who":"Bo"}', '--name', 'greeting-1'], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('EXECUTION_ALREADY_EXISTS');
    const missing = await cli(['workflow', 'describe', 'no-such-execution'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('EXECUTION_NOT_FOUND');
  }, 180_000);

  it('task-success and task-failure complete a waiting task once; Ctrl-C stops a run (ABORTED, exit 130)', async () => {
    const env = pglite();
    /** Runs the approval workflow until its notification went out; returns the process and its token. */
    const waitingApproval = async (doc: string) => {
      const child = start(['workflow', 'run', 'approval', '--input', JSON.stringify({ doc })], env);
      let token: string | undefined;
      await waitFor(() => {
        token = /task-success ([\w-]+)/.exec(child.stderr)?.[1];
        return token !== undefined && project.notified().some((event) => event.token === token);
      });
      return { child, token: token! };
    };

    // A killed process leaves its execution waiting: the token can still be answered from the CLI.
    const killed = await waitingApproval('first');
    killed.child.kill('SIGKILL');
    await killed.child.output;
    const killedId = /execution ([\w-]+) · approval/.exec(killed.child.stderr)?.[1];

    const interrupted = await waitingApproval('second');
    interrupted.child.kill('SIGINT');
    const stopped = await interrupted.child.output;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('ABORTED');

    const failure = await cli(
      ['workflow', 'task-failure', killed.token, '--error', 'Rejected', '--cause', 'no budget'],
      env,
    );
    expect(failure.code).toBe(0);
    expect(failure.stdout).toBe(`Task Ask of execution ${killedId}: failed.\n`);
    const twice = await cli(['workflow', 'task-success', killed.token, '--output', '{"ok":true}'], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('TASK_TOKEN_ALREADY_COMPLETED');
    const unknown = await cli(['workflow', 'task-success', 'A'.repeat(43), '--output', '1'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('TASK_TOKEN_INVALID');
    expect(unknown.stderr).not.toContain('A'.repeat(43));
    expect((await cli(['workflow', 'task-success', killed.token], env)).code).toBe(2);

    const listed = JSON.parse((await cli(['workflow', 'executions', '--json'], env)).stdout);
    expect(listed.map((execution: { status: string }) => execution.status).sort()).toEqual(['ABORTED', 'RUNNING']);
  }, 240_000);
});
