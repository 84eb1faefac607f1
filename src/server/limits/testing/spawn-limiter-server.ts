import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./limiter-server.ts', import.meta.url));

export interface LimiterServerProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What the child wrote on stderr, for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts limiter-server.ts in a child process (this Node, `--import tsx`, cwd = the repository) and
 * resolves once it prints its port; rejects after `timeoutMs` or if the child exits first.
 */
export function spawnLimiterServer(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<LimiterServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { cwd: REPO_ROOT, env, stdio: 'pipe' });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-10_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      void stop(child, exited);
      reject(new Error(`limiter-server did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`limiter-server exited with ${code} before listening:\n${stderr}`));
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      const { port } = JSON.parse(line) as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, stderr: () => stderr, stop: () => stop(child, exited) });
    });
  });
}

/** Closes the child's stdin (it stops itself), then kills it if it has not exited within 5 s. */
async function stop(child: ChildProcessWithoutNullStreams, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
