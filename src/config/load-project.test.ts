import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildAgent, chooseModelString, getAgentConfig } from '../agent/build-agent.ts';
import { runAgent } from '../agent/run-agent.ts';
import { ModelRegistry } from '../model/registry.ts';
import { BUNDLED_EXAMPLES_DIR, findProjectDir, loadProject } from './load-project.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/custom-tools/', import.meta.url));

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentry-project-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('project loading', () => {
  it('loads the bundled examples with the four reference agents', async () => {
    const project = await loadProject(BUNDLED_EXAMPLES_DIR);
    expect([...project.agents.keys()]).toEqual([
      'analyst',
      'assistant',
      'classifier',
      'evaluator',
      'planner',
      'researcher',
      'summarizer',
      'writer',
    ]);
    expect(project.agents.get('assistant')?.tools).toEqual(['get_current_time', 'calculate', 'search_knowledge']);
    expect(project.config.demo?.model).toBe('scripted:scripts/demo.json');
  });

  it('loads project tools from tools/*.ts and runs them in the loop', async () => {
    const project = await loadProject(FIXTURE);
    expect(project.tools.has('word_count')).toBe(true);
    const config = getAgentConfig(project, 'counter');
    const registry = new ModelRegistry({ env: {}, baseDir: project.dir });
    const agent = buildAgent(project, config, registry, chooseModelString(config, project, undefined, {}));
    expect(agent.limits).toMatchObject({ maxIterations: 4, toolTimeoutMs: 1000, toolOutputMaxChars: 20_000 });
    expect(agent.temperature).toBe(0);
    const result = await runAgent(agent, { query: 'count' });
    expect(result.text).toBe('3 words');
  });

  it('chooses the model: override, then AGENTRY_MODEL, then agent, then project, then Bedrock', async () => {
    const project = await loadProject(FIXTURE);
    const config = getAgentConfig(project, 'counter');
    expect(chooseModelString(config, project, 'openai:gpt-4o', { AGENTRY_MODEL: 'anthropic:x' })).toBe('openai:gpt-4o');
    expect(chooseModelString(config, project, undefined, { AGENTRY_MODEL: 'anthropic:x' })).toBe('anthropic:x');
    expect(chooseModelString({ ...config, model: 'openai:y' }, project, undefined, {})).toBe('openai:y');
    expect(chooseModelString(config, project, undefined, {})).toBe('scripted:script.json');
    expect(chooseModelString(config, { ...project, config: { store: {} } }, undefined, {})).toBe(
      'bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0',
    );
  });

  it('passes the agent guardrail to Bedrock calls', async () => {
    const project = await loadProject(FIXTURE);
    const registry = new ModelRegistry({
      env: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
      baseDir: project.dir,
    });
    const agent = buildAgent(project, getAgentConfig(project, 'counter'), registry, 'bedrock');
    expect(agent.model.id).toBe('bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(agent.model.callOptions.providerOptions).toEqual({
      bedrock: { guardrailConfig: { guardrailIdentifier: 'gr-abc', guardrailVersion: '2', trace: 'enabled' } },
    });
  });

  it('names the file and the field in every configuration error', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'agents/a.yaml': 'instructions: hi' }, /agentry\.config\.yaml is missing/],
      [{ 'agentry.config.yaml': 'modle: x' }, /agentry\.config\.yaml: \(file\): Unrecognized key: "modle"/],
      [{ 'agentry.config.yaml': '', 'agents/a.yaml': 'tools: [calculate]' }, /agents\/a\.yaml: instructions: /],
      [
        { 'agentry.config.yaml': '', 'agents/a.yaml': 'instructions: hi\ntools: [warp]' },
        /agents\/a\.yaml: tools\.0: unknown tool "warp"/,
      ],
      [
        { 'agentry.config.yaml': '', 'agents/a.yaml': 'instructions: hi\ntemperature: hot' },
        /agents\/a\.yaml: temperature: /,
      ],
      [{ 'agentry.config.yaml': '', 'agents/a.yaml': 'instructions: [unclosed' }, /agents\/a\.yaml: /],
      [
        { 'agentry.config.yaml': '', 'agents/a.yaml': 'name: Bad Name\ninstructions: hi' },
        /agents\/a\.yaml: name: lowercase/,
      ],
      [
        {
          'agentry.config.yaml': '',
          'agents/a.yaml': 'instructions: hi',
          'agents/b.yaml': 'name: a\ninstructions: hi',
        },
        /agent name "a" is already used/,
      ],
      [{ 'agentry.config.yaml': '', 'tools/x.ts': 'export const notATool = 1;\n' }, /tools\/x\.ts: exports no tool/],
    ];
    for (const [files, message] of cases) {
      const error = await loadProject(tempProject(files)).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, String(message)).toMatchObject({ code: expect.stringMatching(/^CONFIG_(INVALID|NOT_FOUND)$/) });
      expect((error as Error).message).toMatch(message);
    }
  });

  it('finds the project: explicit, else the current folder, else the examples', () => {
    const project = tempProject({ 'agentry.config.yaml': '' });
    expect(findProjectDir('sub', '/x')).toBe('/x/sub');
    expect(findProjectDir(undefined, project)).toBe(project);
    expect(findProjectDir(undefined, tmpdir())).toBe(BUNDLED_EXAMPLES_DIR);
  });

  it('reports an unknown agent with the list of known ones', async () => {
    const project = await loadProject(BUNDLED_EXAMPLES_DIR);
    expect(() => getAgentConfig(project, 'nobody')).toThrow(
      /Unknown agent "nobody".*analyst, assistant, classifier, evaluator, planner, researcher, summarizer, writer/,
    );
  });
});
