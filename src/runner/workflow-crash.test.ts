import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.ts';
import { LOCAL_SCOPE } from '../store/scope.ts';
import { postgresTestDatabase } from '../store/sql/testing/postgres-test-db.ts';
import type { ExecutionEvent } from '../workflow/events.ts';
import { type CrashTrialResult, runCrashTrial, seededRandom } from './testing/crash-trial.ts';

const CHILD = fileURLToPath(new URL('./testing/workflow-crash-child.ts', import.meta.url));

interface Outcome {
  status: string | undefined;
  output: unknown;
  history: ExecutionEvent[];
}

async function readOutcomes(env: Record<string, string>, workDir: string, names: string[]) {
  const store = await openStore({ config: {}, projectDir: workDir, env });
  try {
    const outcomes = new Map<string, Outcome>();
    for (const name of names) {
      const page = await store.workflows.listExecutions(LOCAL_SCOPE, { workflow: 'crash', limit: 1000 });
      const execution = page.items.find((item) => item.name === name);
      const history = execution ? await store.workflows.loadEvents(execution.id) : [];
      outcomes.set(name, { status: execution?.status, output: execution?.output, history });
    }
    return outcomes;
  } finally {
    await store.close();
  }
}

/** The tasks a history scheduled, per state path: a replay must not schedule a finished task again. */
function scheduledTasks(history: ExecutionEvent[]): string[] {
  return history
    .filter((event) => event.type === 'TaskScheduled')
    .map((event) => `${event.path}${event.type === 'TaskScheduled' ? event.state : ''}`)
    .sort();
}

/**
 * SIGKILLs workflow processes at uniformly random points of an execution (the window is one
 * uninterrupted execution's duration) until `requiredKills` landed, then checks every execution against
 * the uninterrupted one: same output, a gap-free history, no task scheduled twice, every task's side effect
 * and every agent tool effect exactly once, and the Wait timer fired no earlier than its recorded deadline.
 */
async function crashUntil(requiredKills: number, env: Record<string, string>, workDir: string, seed: number) {
  const trialEnv = { ...env, CRASH_LEASE_TTL_MS: '300' };
  const reference = await runCrashTrial({ runId: 'reference', workDir, env: trialEnv, killWindowMs: 0, child: CHILD });
  expect(reference.effects).toHaveLength(4);
  const random = seededRandom(seed);
  const trials: CrashTrialResult[] = [];
  const killed = () => trials.reduce((sum, trial) => sum + trial.kills, 0);
  for (let trial = 0; killed() < requiredKills && trial < 40; trial++) {
    trials.push(
      await runCrashTrial({
        runId: `crashed-${trial}`,
        workDir,
        env: trialEnv,
        killWindowMs: reference.lastProcessWorkMs * 1.2,
        random,
        child: CHILD,
      }),
    );
  }
  expect(killed()).toBeGreaterThanOrEqual(requiredKills);
  const outcomes = await readOutcomes(env, workDir, ['reference', ...trials.map((trial) => trial.runId)]);
  const expected = outcomes.get('reference')!;
  expect(expected.status).toBe('SUCCEEDED');
  expect(expected.output).toMatchObject({
    fan: [{ response: 'All three chores are done.' }, [{ done: 'a' }, { done: 'b' }, { done: 'c' }]],
    final: { final: { done: 'final' } },
  });
  for (const trial of trials) {
    const outcome = outcomes.get(trial.runId)!;
    expect(outcome.status, trial.runId).toBe('SUCCEEDED');
    expect(outcome.output, trial.runId).toEqual(expected.output);
    const ids = outcome.history.map((event) => event.id);
    expect(ids, trial.runId).toEqual(ids.map((_, index) => index + 1));
    expect(scheduledTasks(outcome.history), trial.runId).toEqual(scheduledTasks(expected.history));
    expect(trial.effects.map((line) => line.split(' ')[0]).sort(), trial.runId).toEqual(['a', 'b', 'c', 'final']);
    const waited = outcome.history.find((event) => event.type === 'WaitStarted');
    const exited = outcome.history.find((event) => event.type === 'StateExited' && event.state === 'Nap');
    expect(waited?.type === 'WaitStarted' && Date.parse(exited?.timestamp ?? '') >= waited.untilMs).toBe(true);
  }
  const agentEffects = await Promise.all(
    trials.map(async (trial) => {
      const { readFileSync } = await import('node:fs');
      return readFileSync(join(workDir, `${trial.runId}.effects.agent`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .sort();
    }),
  );
  for (const effects of agentEffects) expect(effects).toEqual(['call-1', 'call-2', 'call-3']);
}

describe('workflow crash and resume: SIGKILL at random points', async () => {
  const postgres = await postgresTestDatabase();
  afterAll(async () => {
    if ('drop' in postgres) await postgres.drop();
  });

  it.skipIf('skipReason' in postgres)(
    `PostgreSQL server: 20+ kills, every execution equals the uninterrupted one${'skipReason' in postgres ? ` (skipped: ${postgres.skipReason})` : ''}`,
    async () => {
      if (!('connectionString' in postgres)) return;
      const env = { AGENTRY_STORE: 'postgres', DATABASE_URL: postgres.connectionString };
      await crashUntil(20, env, mkdtempSync(join(tmpdir(), 'agentry-wf-crash-pg-')), 5);
    },
    300_000,
  );

  it('PGlite on disk: 5+ kills, same guarantees', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'agentry-wf-crash-'));
    await crashUntil(5, { AGENTRY_STORE: 'pglite', AGENTRY_DATA_DIR: join(workDir, 'data') }, workDir, 13);
  }, 300_000);
});
