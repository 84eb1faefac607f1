import type { RunEvent } from '../../agent/events.ts';
import { EventIdAssigner, type EventPosition, isAfter } from './event-ids.ts';
import type { PositionedEvent } from './journal-events.ts';

type Subscriber = (event: PositionedEvent) => void;

export interface LiveRun {
  runId: string;
  tenantId: string;
  userId: string;
  controller: AbortController;
  done: boolean;
  /** Resolves when the run finished (whatever its outcome). */
  ended: Promise<void>;
}

interface Entry extends LiveRun {
  events: PositionedEvent[];
  assigner: EventIdAssigner;
  subscribers: Set<Subscriber>;
  finished: Set<() => void>;
}

/**
 * Runs executing in this process: their events (buffered with ids, for reconnects), their abort
 * controllers (for cancel), and subscribers. A finished run stays for `retainMs` so a client can
 * reconnect cheaply; after that, reconnects are served from the journal.
 */
export class LiveRuns {
  private readonly runs = new Map<string, Entry>();

  constructor(private readonly retainMs = 60_000) {}

  start(
    runId: string,
    scope: { tenantId: string; userId: string },
    controller: AbortController,
  ): (event: RunEvent) => void {
    let markEnded: () => void = () => {};
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    const entry: Entry = {
      runId,
      ...scope,
      controller,
      done: false,
      ended,
      events: [],
      assigner: new EventIdAssigner(),
      subscribers: new Set(),
      finished: new Set([markEnded]),
    };
    this.runs.set(runId, entry);
    return (event) => {
      const positioned = { position: entry.assigner.next(event), event };
      entry.events.push(positioned);
      for (const subscriber of entry.subscribers) subscriber(positioned);
    };
  }

  finish(runId: string): void {
    const entry = this.runs.get(runId);
    if (!entry) return;
    entry.done = true;
    for (const resolve of entry.finished) resolve();
    entry.subscribers.clear();
    setTimeout(() => this.runs.delete(runId), this.retainMs).unref();
  }

  get(runId: string): LiveRun | undefined {
    return this.runs.get(runId);
  }

  /** All active (unfinished) runs, for graceful shutdown. */
  active(): LiveRun[] {
    return [...this.runs.values()].filter((entry) => !entry.done);
  }

  /**
   * Delivers buffered events after `after`, then live ones until the run ends or `signal` aborts.
   * Resolves when done.
   */
  async follow(
    runId: string,
    after: EventPosition | undefined,
    deliver: Subscriber,
    signal: AbortSignal,
  ): Promise<void> {
    const entry = this.runs.get(runId);
    if (!entry) return;
    for (const positioned of entry.events) if (isAfter(positioned.position, after)) deliver(positioned);
    if (entry.done || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const stop = () => {
        entry.subscribers.delete(deliver);
        entry.finished.delete(stop);
        signal.removeEventListener('abort', stop);
        resolve();
      };
      entry.subscribers.add(deliver);
      entry.finished.add(stop);
      signal.addEventListener('abort', stop, { once: true });
    });
  }
}
