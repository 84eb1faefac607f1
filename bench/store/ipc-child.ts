// A forked child answering one request at a time over IPC (the benchmarks' workers).
import { type ChildProcess, fork } from 'node:child_process';

export class IpcChild<Request, Reply extends { type: string }> {
  private readonly child: ChildProcess;
  private pending: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;
  private readonly first: Promise<Reply>;

  /** Forks `file` (inheriting tsx's loader through execArgv); `label` names it in errors. */
  constructor(
    file: string,
    args: string[],
    private readonly label: string,
  ) {
    this.child = fork(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.first = new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    this.child.on('message', (message) => {
      const pending = this.pending;
      this.pending = undefined;
      const reply = message as Reply;
      if (reply.type === 'failed')
        pending?.reject(new Error(`${this.label}: ${(message as { message?: string }).message}`));
      else pending?.resolve(reply);
    });
    this.child.on('exit', (code, signal) => {
      this.pending?.reject(new Error(`${this.label} exited (code ${code}, signal ${signal})`));
      this.pending = undefined;
    });
  }

  /** The child's first message (sent once it is ready). */
  ready(): Promise<Reply> {
    return this.first;
  }

  request(request: Request): Promise<Reply> {
    if (this.pending) throw new Error(`${this.label}: a request is already pending`);
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(request as object);
    });
  }

  /** Resolves once the child has exited. */
  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
}
