import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from '../../agent/messages.ts';
import { openStore } from '../../store/open-store.ts';
import { LOCAL_SCOPE } from '../../store/scope.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = join(ROOT, 'src/runner/testing/crash-child.ts');

/** Deterministic kill times (a linear congruential generator), so a sequence of kill points reproduces. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export interface CrashTrialOptions {
  runId: string;
  /** Folder for the effect logs. */
  workDir: string;
  /** Store selection for the children and the final read (AGENTRY_STORE, AGENTRY_DATA_DIR, DATABASE_URL). */
  env: Record<string, string>;
  /**
   * Each child is killed at a uniformly random time in [0, this) after it reports ready; 0 never
   * kills. Set it near an uninterrupted run's duration so kills land anywhere in the run; a child
   * that finishes first ends the trial.
   */
  killWindowMs: number;
  /** Safety bound on processes per trial. */
  maxProcesses?: number;
  random?: () => number;
  /**
   * The child script (default: the agent run child). It gets `<runId> <effectsFile> <executionsFile>`,
   * prints `ready` when it starts working and `done <status>` when the run is over.
   */
  child?: string;
}

export interface CrashTrialResult {
  runId: string;
  /** Kills that hit a live child. */
  kills: number;
  processes: number;
  /** Call ids whose effect happened, in order (each must appear once). */
  effects: string[];
  /** Every execution of the tool, including repeats after a kill. */
  executions: string[];
  durationMs: number;
  /** From ready to exit of the process that finished the run. */
  lastProcessWorkMs: number;
}

/** Runs one durable run across as many processes as it takes, killing `kills` of them. */
export async function runCrashTrial(options: CrashTrialOptions): Promise<CrashTrialResult> {
  const random = options.random ?? Math.random;
  const effectsFile = join(options.workDir, `${options.runId}.effects`);
  const executionsFile = join(options.workDir, `${options.runId}.executions`);
  const started = performance.now();
  let kills = 0;
  let processes = 0;
  let workMs = 0;
  for (let attempt = 0; attempt < (options.maxProcesses ?? 100); attempt++) {
    processes++;
    // Node itself with tsx's loader, not the `tsx` wrapper: SIGKILL must hit the process doing the
    // work (killing the wrapper would leave its child running as an orphan).
    const script = options.child ?? CHILD;
    const child = spawn(process.execPath, ['--import', 'tsx', script, options.runId, effectsFile, executionsFile], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await Promise.race([output.ready, exited]);
    const readyAt = performance.now();
    if (options.killWindowMs > 0) {
      const delay = random() * options.killWindowMs;
      const stillRunning = await Promise.race([exited.then(() => false), wait(delay).then(() => true)]);
      if (stillRunning && child.exitCode === null) {
        child.kill('SIGKILL');
        kills++;
        await exited;
        continue;
      }
    }
    const code = await exited;
    workMs = performance.now() - readyAt;
    if (code !== 0) throw new Error(`crash child failed (exit ${code}): ${output.stderr()}`);
    if (output.stdout().includes('done') && !output.stdout().includes('done running')) break;
  }
  return {
    runId: options.runId,
    kills,
    processes,
    effects: readLines(effectsFile),
    executions: readLines(executionsFile),
    durationMs: performance.now() - started,
    lastProcessWorkMs: workMs,
  };
}

export interface CrashOutcome {
  status: string | undefined;
  messages: Message[];
}

/** Reads the runs' final state; one store open for many trials (PGlite allows one process at a time). */
export async function readCrashOutcomes(
  env: Record<string, string>,
  workDir: string,
  runIds: readonly string[],
): Promise<Map<string, CrashOutcome>> {
  const store = await openStore({ config: {}, projectDir: workDir, env });
  try {
    const outcomes = new Map<string, CrashOutcome>();
    for (const runId of runIds) {
      const run = await store.runs.getRunById(runId);
      const stored = await store.conversations.loadMessages(LOCAL_SCOPE, `conversation-${runId}`);
      outcomes.set(runId, { status: run?.status, messages: stored.map((entry) => entry.message) });
    }
    return outcomes;
  } finally {
    await store.close();
  }
}

function collect(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  let signalReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    signalReady = resolve;
  });
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
    if (stdout.includes('ready')) signalReady();
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  return { ready, stdout: () => stdout, stderr: () => stderr };
}

function readLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
