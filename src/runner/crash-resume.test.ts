import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresTestDatabase } from '../store/sql/testing/postgres-test-db.ts';
import { type CrashTrialResult, readCrashOutcomes, runCrashTrial, seededRandom } from './testing/crash-trial.ts';

/**
 * Kills agent processes with SIGKILL at uniformly random points of a run (the window is one
 * uninterrupted run's duration) until `requiredKills` kills landed, then checks every run against
 * the uninterrupted one.
 */
async function crashUntil(requiredKills: number, env: Record<string, string>, workDir: string, seed: number) {
  const reference = await runCrashTrial({ runId: 'reference', workDir, env, killWindowMs: 0 });
  expect(reference.effects).toEqual(['call-1', 'call-2', 'call-3']);
  expect(reference.executions).toHaveLength(3);
  const random = seededRandom(seed);
  const trials: CrashTrialResult[] = [];
  const killed = () => trials.reduce((sum, trial) => sum + trial.kills, 0);
  for (let trial = 0; killed() < requiredKills && trial < 40; trial++) {
    trials.push(
      await runCrashTrial({
        runId: `crashed-${trial}`,
        workDir,
        env,
        killWindowMs: reference.lastProcessWorkMs * 1.2,
        random,
      }),
    );
  }
  expect(killed()).toBeGreaterThanOrEqual(requiredKills);
  const outcomes = await readCrashOutcomes(env, workDir, ['reference', ...trials.map((trial) => trial.runId)]);
  const expected = outcomes.get('reference')!;
  expect(expected.status).toBe('succeeded');
  expect(expected.messages.map((message) => message.role)).toEqual([
    'user',
    'assistant',
    'tool',
    'assistant',
    'tool',
    'assistant',
  ]);
  for (const trial of trials) {
    expect(outcomes.get(trial.runId), trial.runId).toEqual(expected);
    expect([...trial.effects].sort(), trial.runId).toEqual(['call-1', 'call-2', 'call-3']);
  }
}

describe('crash and resume: SIGKILL at random points', async () => {
  const postgres = await postgresTestDatabase();
  afterAll(async () => {
    if ('drop' in postgres) await postgres.drop();
  });

  it.skipIf('skipReason' in postgres)(
    `PostgreSQL server: 20+ kills, every run equals the uninterrupted one, side effects exactly once${'skipReason' in postgres ? ` (skipped: ${postgres.skipReason})` : ''}`,
    async () => {
      if (!('connectionString' in postgres)) return;
      const env = { AGENTRY_STORE: 'postgres', DATABASE_URL: postgres.connectionString };
      await crashUntil(20, env, mkdtempSync(join(tmpdir(), 'agentry-crash-pg-')), 7);
    },
    240_000,
  );

  it('PGlite on disk (the embedded default): 5+ kills, same guarantees', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'agentry-crash-'));
    await crashUntil(5, { AGENTRY_STORE: 'pglite', AGENTRY_DATA_DIR: join(workDir, 'data') }, workDir, 11);
  }, 240_000);
});
