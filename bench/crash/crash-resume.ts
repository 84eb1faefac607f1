// Crash/resume soak: SIGKILLs agent processes at random points until KILLS kills have landed,
// then checks every run against an uninterrupted one. Run: npm run bench:crash [-- --kills 100]
// Store: PGlite in a temp folder by default; DATABASE_URL=postgres://… AGENTRY_STORE=postgres for the server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CrashTrialResult, readCrashOutcomes, runCrashTrial } from '../../src/runner/testing/crash-trial.ts';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '100' } } });
const target = Number(values.kills);
const workDir = mkdtempSync(join(tmpdir(), 'agentry-crash-bench-'));
const env: Record<string, string> =
  process.env.AGENTRY_STORE === 'postgres' && process.env.DATABASE_URL
    ? { AGENTRY_STORE: 'postgres', DATABASE_URL: process.env.DATABASE_URL }
    : { AGENTRY_STORE: 'pglite', AGENTRY_DATA_DIR: join(workDir, 'data') };

const reference = await runCrashTrial({ runId: 'reference', workDir, env, killWindowMs: 0 });
const trials: CrashTrialResult[] = [];
const started = performance.now();
let kills = 0;
while (kills < target) {
  const trial = await runCrashTrial({
    runId: `run-${trials.length}`,
    workDir,
    env,
    killWindowMs: reference.lastProcessWorkMs * 1.2,
  });
  trials.push(trial);
  kills += trial.kills;
  process.stdout.write(`\r${kills}/${target} kills, ${trials.length} runs`);
}
const outcomes = await readCrashOutcomes(env, workDir, ['reference', ...trials.map((trial) => trial.runId)]);
const expected = JSON.stringify(outcomes.get('reference'));
const matching = trials.filter((trial) => JSON.stringify(outcomes.get(trial.runId)) === expected).length;
const exactlyOnce = trials.filter((trial) => [...trial.effects].sort().join() === 'call-1,call-2,call-3').length;
const reexecutions = trials.reduce((sum, trial) => sum + trial.executions.length - trial.effects.length, 0);
const processes = trials.reduce((sum, trial) => sum + trial.processes, 0);
const seconds = (performance.now() - started) / 1000;

console.log(
  `\n\nstore: ${env.AGENTRY_STORE}; uninterrupted run: ${reference.lastProcessWorkMs.toFixed(0)} ms of work in one process`,
);
console.log(
  '| kills | runs | processes | runs equal to uninterrupted | side effects exactly once | idempotent re-executions | wall time |',
);
console.log('|---|---|---|---|---|---|---|');
console.log(
  `| ${kills} | ${trials.length} | ${processes} | ${matching}/${trials.length} | ${exactlyOnce}/${trials.length} | ${reexecutions} | ${seconds.toFixed(0)} s |`,
);
process.exitCode = matching === trials.length && exactlyOnce === trials.length ? 0 : 1;
