import type { WorkflowStore } from '../store/workflows.ts';
import type { ExecutionEvent } from '../workflow/events.ts';
import type { WorkflowRunner } from './workflow-runner.ts';

/** The events that end an execution's history. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<ExecutionEvent['type']> = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

/** How often the history is read while another process runs the execution. */
export const DEFAULT_FOLLOW_POLL_MS = 500;
/** How soon the history is read again while live events wait for earlier ones to be written. */
const GAP_POLL_MS = 100;
/** How many times the store is read every GAP_POLL_MS after subscribing, before waiting for live events. */
const EAGER_READS = 10;
const PAGE_SIZE = 500;

export interface FollowExecutionOptions {
  runner: Pick<WorkflowRunner, 'subscribe' | 'isRunningHere'>;
  store: Pick<WorkflowStore, 'loadEvents' | 'getExecutionById'>;
  /** The caller checked that it may read this execution. */
  executionId: string;
  /** Delivers the events after this id (0: from the first). */
  afterId: number;
  /** Awaited before the next event: a slow reader slows the follower, never the execution. */
  deliver: (event: ExecutionEvent) => void | Promise<void>;
  signal: AbortSignal;
  pollMs?: number;
}

/**
 * Delivers an execution's history events after `afterId`, each once and in id order, until the
 * execution ends: `'ended'` after its terminal event (or, for an execution ended without one, after its
 * last stored event), `'stopped'` when `signal` aborts first.
 *
 * Live events (the execution runs in this process) and the stored history are merged by id. Races:
 * - The runner gives listeners each event when it happens but writes the history in batches (before
 *   tasks, sleeps and the end), so the store may lag behind. The follower subscribes before its first
 *   read; a live event ahead of what it delivered waits until the store has the ones before it (they
 *   were emitted before the subscription, or are still being written). Events emitted just before the
 *   subscription with no live event after them (a task waiting for its token) are found by reading the
 *   store every 100 ms for the first second.
 * - An execution that stops running here without a terminal event (handed over, lease lost, store
 *   failure) is followed from the store from then on, polled every `pollMs`; so is one that runs on
 *   another process. Live events it had not written are dropped: the process that resumes it emits
 *   them again from its history. One delivered live just before such a handover may be renumbered by
 *   that replay: a reader resuming with its id can miss the replayed event of that id.
 */
export async function followExecution(options: FollowExecutionOptions): Promise<'ended' | 'stopped'> {
  const { runner, store, executionId, deliver, signal } = options;
  const pollMs = options.pollMs ?? DEFAULT_FOLLOW_POLL_MS;
  let last = options.afterId;
  const live = new Map<number, ExecutionEvent>();
  let wake: (() => void) | undefined;
  const unsubscribe = runner.subscribe(executionId, (event) => {
    if (event.id <= last) return;
    live.set(event.id, event);
    wake?.();
  });
  /** Delivers one event; true when it ended the history. */
  const send = async (event: ExecutionEvent): Promise<boolean> => {
    live.delete(event.id);
    last = event.id;
    await deliver(event);
    return TERMINAL_EVENT_TYPES.has(event.type);
  };
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      wake = done;
    });
  try {
    // Reads of the store right after subscribing: the events emitted before it may be being written.
    let eagerReads = EAGER_READS;
    while (!signal.aborted) {
      for (let event = live.get(last + 1); event; event = live.get(last + 1)) {
        if (await send(event)) return 'ended';
        if (signal.aborted) return 'stopped';
      }
      for (const id of live.keys()) if (id <= last) live.delete(id);
      const here = runner.isRunningHere(executionId);
      if (!here) live.clear();
      if (eagerReads > 0 || !here || live.size > 0) {
        eagerReads--;
        const stored = await store.loadEvents(executionId, { afterId: last, limit: PAGE_SIZE });
        for (const event of stored) {
          if (event.id !== last + 1) break;
          if (await send(event)) return 'ended';
          if (signal.aborted) return 'stopped';
        }
        if (stored.length === PAGE_SIZE || live.has(last + 1)) continue;
        if (!here) {
          // Read after the events: a record that ended with no event past `last` has nothing more.
          const record = await store.getExecutionById(executionId);
          if (!record || (record.status !== 'RUNNING' && record.lastEventId <= last)) return 'ended';
          if (record.lastEventId > last && stored.length > 0) continue;
        }
      }
      if (live.has(last + 1)) continue;
      await nap(here && (live.size > 0 || eagerReads > 0) ? GAP_POLL_MS : pollMs);
    }
    return 'stopped';
  } finally {
    unsubscribe();
  }
}
