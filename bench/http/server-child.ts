// The load generator's handle on one server process (bench-server.ts): fork, wait until it listens,
// ask for stats, stop. Replies arrive in request order, so pending requests form a queue.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage, ServerConfig, ServerStats } from './protocol.ts';

const SERVER_SCRIPT = fileURLToPath(new URL('./bench-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 60_000;

type Waiter = {
  accepts: ChildMessage['type'];
  resolve: (message: ChildMessage) => void;
  reject: (error: Error) => void;
};

export class ServerChild {
  readonly url: string;
  readonly store: string;
  private readonly queue: Waiter[];

  private constructor(
    private readonly child: ChildProcess,
    queue: Waiter[],
    port: number,
    store: string,
  ) {
    this.queue = queue;
    this.url = `http://127.0.0.1:${port}`;
    this.store = store;
  }

  /** Forks the server under tsx with this process's Node, from the repository root. */
  static async start(config: ServerConfig): Promise<ServerChild> {
    const child = fork(SERVER_SCRIPT, [JSON.stringify(config)], {
      cwd: ROOT,
      execPath: process.execPath,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const queue: Waiter[] = [];
    const fail = (error: Error) => {
      for (const waiter of queue.splice(0)) waiter.reject(error);
    };
    child.on('message', (message: ChildMessage) => {
      const waiter = queue.shift();
      if (!waiter) return;
      if (message.type === waiter.accepts) waiter.resolve(message);
      else if (message.type === 'failed') waiter.reject(new Error(`${config.kind} server: ${message.message}`));
      else waiter.reject(new Error(`${config.kind} server: expected ${waiter.accepts}, got ${message.type}`));
    });
    child.on('exit', (code, signal) =>
      fail(new Error(`${config.kind} server exited (code ${code}, signal ${signal})`)),
    );
    const ready = new Promise<ChildMessage>((resolve, reject) => queue.push({ accepts: 'ready', resolve, reject }));
    const timeout = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    try {
      const message = await ready;
      if (message.type !== 'ready') throw new Error('unreachable');
      return new ServerChild(child, queue, message.port, message.store);
    } finally {
      clearTimeout(timeout);
    }
  }

  /**
   * The server's memory, CPU and stream counters; `reset` starts new peak and loop-delay windows,
   * `gc` forces a full collection first (it pauses the server: not during a measurement).
   */
  async stats(options: { reset?: boolean; gc?: boolean } = {}): Promise<ServerStats> {
    const message = await this.request({ type: 'stats', ...options }, 'stats');
    if (message.type !== 'stats') throw new Error('unreachable');
    return message.stats;
  }

  /** Stops the server (and drops its PostgreSQL schema); kills it if it takes longer than 15 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const force = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.request({ type: 'stop' }, 'stopped').catch(() => {});
    await exited;
    clearTimeout(force);
  }

  private request(message: ParentMessage, accepts: ChildMessage['type']): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      this.queue.push({ accepts, resolve, reject });
      this.child.send(message);
    });
  }
}
