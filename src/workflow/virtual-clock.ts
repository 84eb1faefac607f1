import type { Sleep } from './runtime.ts';

/**
 * A virtual clock for tests and replays: `sleep` advances `now` by the requested time and resolves on the next
 * macrotask (so promises already settling win races against it), never waiting for real. Aborts reject at once.
 */
export class VirtualClock {
  #now: number;
  readonly sleeps: number[] = [];

  constructor(start: string | number = '2024-01-01T00:00:00.000Z') {
    this.#now = typeof start === 'number' ? start : Date.parse(start);
  }

  readonly now = (): number => this.#now;

  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      this.sleeps.push(ms);
      const onAbort = (): void => {
        clearImmediate(handle);
        reject(signal.reason);
      };
      const handle = setImmediate(() => {
        signal.removeEventListener('abort', onAbort);
        this.#now += ms;
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
}

/** A deterministic `random` returning the given values in turn (cycling). */
export function sequenceRandom(values: readonly number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length] ?? 0;
}
