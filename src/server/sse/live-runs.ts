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

export interface LiveRunOptions {
  /**
   * Keep every event, and the run for `retainMs` after it ends, so reconnects are served from
   * memory. For runs started by a streaming request; a run answered as JSON keeps only what the
   * journal cannot rebuild yet (below) and leaves the hub when it ends.
   */
  retain: boolean;
}

/** The run's events after `after`, rebuilt from the store's journal. */
export type CatchUp = (after: EventPosition | undefined) => Promise<readonly PositionedEvent[]>;

interface Entry extends LiveRun {
  assigner: EventIdAssigner;
  /** Retained runs: every event so far. */
  events: PositionedEvent[] | undefined;
  /** Other runs: `run-start`, and the events of the current step (and of the end). */
  first: PositionedEvent | undefined;
  recent: PositionedEvent[];
  recentStep: number;
  /** Whether `first` + `recent` still hold every event so far (no step was dropped yet). */
  complete: boolean;
  subscribers: Set<Subscriber>;
  finished: Set<() => void>;
}

/**
 * Runs executing in this process: their events (for streams and reconnects), their abort
 * controllers (for cancel), and subscribers.
 *
 * A run started with `retain` buffers all its events and stays for `retainMs` after it ends, so a
 * client can reconnect cheaply; after that, reconnects are served from the journal. Any other run
 * keeps only `run-start` and its current step's events, and leaves when it ends. That is enough
 * for a stream that attaches while it runs: the journal holds every earlier step, because the loop
 * journals a model step before it emits that step's `usage` and tool events, each tool result before
 * its `tool-result` event, and reaches step N+1 only once step N is journaled. What the journal
 * lacks is the current step's streamed text and the end events (the run record turns terminal only
 * after `run-end` was emitted): the entry keeps exactly those.
 */
export class LiveRuns {
  private readonly runs = new Map<string, Entry>();

  constructor(private readonly retainMs = 60_000) {}

  start(
    runId: string,
    scope: { tenantId: string; userId: string },
    controller: AbortController,
    options: LiveRunOptions = { retain: true },
  ): (event: RunEvent) => void {
    let markEnded: () => void = () => {};
    const ended = new Promise<void>((resolve) => {
      markEnded = resolve;
    });
    const entry: Entry = {
      runId,
      tenantId: scope.tenantId,
      userId: scope.userId,
      controller,
      done: false,
      ended,
      assigner: new EventIdAssigner(),
      events: options.retain ? [] : undefined,
      first: undefined,
      recent: [],
      recentStep: 0,
      complete: true,
      subscribers: new Set(),
      finished: new Set([markEnded]),
    };
    this.runs.set(runId, entry);
    return (event) => {
      const positioned = { position: entry.assigner.next(event), event };
      if (entry.events) entry.events.push(positioned);
      else keepRecent(entry, positioned);
      for (const subscriber of entry.subscribers) subscriber(positioned);
    };
  }

  finish(runId: string): void {
    const entry = this.runs.get(runId);
    if (!entry) return;
    entry.done = true;
    for (const resolve of entry.finished) resolve();
    entry.subscribers.clear();
    if (!entry.events) {
      this.runs.delete(runId);
      return;
    }
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
   * Delivers the run's events after `after`, then live ones until the run ends or `signal` aborts;
   * resolves then. Resolves `false` at once when the run is not (or no longer) in this process.
   * For a run that is not retained and has left steps behind, `catchUp` reads those from the
   * journal first (it may reject: the store failed; nothing more is delivered then).
   */
  async follow(
    runId: string,
    after: EventPosition | undefined,
    deliver: Subscriber,
    signal: AbortSignal,
    catchUp?: CatchUp,
  ): Promise<boolean> {
    const entry = this.runs.get(runId);
    if (!entry) return false;
    if (entry.events) {
      for (const positioned of entry.events) if (isAfter(positioned.position, after)) deliver(positioned);
      await subscribe(entry, deliver, signal).ended;
      return true;
    }
    // Subscribe before reading the journal, so nothing emitted meanwhile is lost; every source then
    // goes through one filter that drops what was already delivered (positions only grow).
    let last = after;
    const emit = (positioned: PositionedEvent) => {
      const next = continueAfter(last, positioned);
      if (!next) return;
      last = next.position;
      deliver(next);
    };
    const pending: PositionedEvent[] = [];
    let route: Subscriber = (positioned) => pending.push(positioned);
    const first = entry.first;
    const backlog = [...entry.recent];
    const journal = entry.complete ? undefined : catchUp;
    const subscription = subscribe(entry, (positioned) => route(positioned), signal);
    try {
      if (first) emit(first);
      if (journal) {
        // Steps before the hub's current one; that step itself comes as it was streamed.
        const from = backlog[0]?.position;
        for (const positioned of await journal(after))
          if (!from || isAfter(from, positioned.position)) emit(positioned);
      }
      for (const positioned of backlog) emit(positioned);
      for (const positioned of pending) emit(positioned);
      route = emit;
    } catch (error) {
      subscription.cancel();
      throw error;
    }
    await subscription.ended;
    return true;
  }
}

/** Delivers the run's live events until it ends, `signal` aborts, or `cancel` is called. */
function subscribe(entry: Entry, deliver: Subscriber, signal: AbortSignal): { ended: Promise<void>; cancel(): void } {
  if (entry.done || signal.aborted) return { ended: Promise.resolve(), cancel() {} };
  let cancel: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    cancel = () => {
      entry.subscribers.delete(deliver);
      entry.finished.delete(cancel);
      signal.removeEventListener('abort', cancel);
      resolve();
    };
  });
  entry.subscribers.add(deliver);
  entry.finished.add(cancel);
  signal.addEventListener('abort', cancel, { once: true });
  return { ended, cancel };
}

/** Keeps `run-start`, the current numbered step's events, and the end events after it. */
function keepRecent(entry: Entry, positioned: PositionedEvent): void {
  if (positioned.event.type === 'run-start') {
    entry.first = positioned;
    return;
  }
  const { step } = positioned.position;
  if (positioned.event.type !== 'error' && positioned.event.type !== 'run-end' && step !== entry.recentStep) {
    if (entry.recent.length > 0) entry.complete = false;
    entry.recent = [];
    entry.recentStep = step;
  }
  entry.recent.push(positioned);
}

/**
 * The part of `positioned` after `last`: undefined when it was delivered already, a text delta
 * cut to its unseen characters when `last` points into it, else the event itself.
 */
export function continueAfter(
  last: EventPosition | undefined,
  positioned: PositionedEvent,
): PositionedEvent | undefined {
  const { position, event } = positioned;
  if (!isAfter(position, last)) return undefined;
  if (event.type !== 'text-delta' || !last || last.step !== position.step) return positioned;
  const seen = last.units - (position.units - event.delta.length);
  return seen > 0 ? { position, event: { ...event, delta: event.delta.slice(seen) } } : positioned;
}
