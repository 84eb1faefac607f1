import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CrashTrialResult, readCrashOutcomes, runCrashTrial } from './testing/crash-trial.ts';

const REQUIRED_KILLS = 20;

/** Deterministic kill times, so the sequence of kill points reproduces. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('crash and resume (SIGKILL at random points, PGlite on disk)', () => {
  it(`ends every run with the uninterrupted conversation and each side effect exactly once, over ${REQUIRED_KILLS}+ kills`, async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'agentry-crash-'));
    const env = { AGENTRY_STORE: 'pglite', AGENTRY_DATA_DIR: join(workDir, 'data') };
    const reference = await runCrashTrial({ runId: 'reference', workDir, env, killWindowMs: 0 });
    expect(reference.effects).toEqual(['call-1', 'call-2', 'call-3']);
    expect(reference.executions).toHaveLength(3);

    // Kill anywhere in a run: the window is an uninterrupted run's duration in one process.
    const random = seeded(7);
    const trials: CrashTrialResult[] = [];
    const killed = () => trials.reduce((sum, trial) => sum + trial.kills, 0);
    for (let trial = 0; killed() < REQUIRED_KILLS && trial < 40; trial++) {
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
    expect(killed()).toBeGreaterThanOrEqual(REQUIRED_KILLS);

    const outcomes = await readCrashOutcomes(env, workDir, ['reference', ...trials.map((trial) => trial.runId)]);
    const expected = outcomes.get('reference')!;
    expect(expected.status).toBe('succeeded');
    for (const trial of trials) {
      expect(outcomes.get(trial.runId), trial.runId).toEqual(expected);
      expect([...trial.effects].sort(), trial.runId).toEqual(['call-1', 'call-2', 'call-3']);
    }
  }, 300_000);
});
