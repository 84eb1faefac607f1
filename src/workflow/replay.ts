import { AgentryError } from '../errors.ts';
import type { ExecutionEvent, ExecutionEventBody } from './events.ts';

/**
 * The history of an execution that is being resumed, read back path by path.
 *
 * Why per path: within one path (the top level, one Parallel branch, one Map iteration) an execution emits
 * its events in a deterministic order, because the states of a path run one after another and every
 * nondeterministic outcome (task results, errors, wait deadlines, retry delays) is taken from the history.
 * Across paths the interleaving depends on timing, so the global ids cannot be matched one by one.
 *
 * A resumed execution runs from the start; each event it emits is matched against the next historical event
 * of its path. A state whose StateExited is in the history is skipped as a whole (its output, next state and
 * variable assignments are recorded there), so finished tasks are never run again and nondeterministic
 * intrinsics (States.UUID, States.MathRandom) keep their historical values.
 */
export class HistoryReplay {
  readonly lastId: number;
  readonly #paths = new Map<string, PathCursor>();

  constructor(history: readonly ExecutionEvent[]) {
    let lastId = 0;
    for (const event of history) {
      lastId = Math.max(lastId, event.id);
      let cursor = this.#paths.get(event.path);
      if (!cursor) {
        cursor = { events: [], next: 0 };
        this.#paths.set(event.path, cursor);
      }
      cursor.events.push(event);
    }
    for (const cursor of this.#paths.values()) cursor.events.sort((a, b) => a.id - b.id);
    this.lastId = lastId;
  }

  /** The next historical event of `path`, without consuming it; undefined past its history. */
  peek(path: string): ExecutionEvent | undefined {
    const cursor = this.#paths.get(path);
    return cursor?.events[cursor.next];
  }

  /**
   * Consumes and returns the next historical event of `path` if there is one; it must be the event the
   * execution emits now, or the definition no longer matches the history (EXECUTION_HISTORY_MISMATCH).
   */
  take(path: string, body: ExecutionEventBody): ExecutionEvent | undefined {
    const cursor = this.#paths.get(path);
    const recorded = cursor?.events[cursor.next];
    if (!cursor || !recorded) return undefined;
    if (!sameStep(recorded, body)) {
      throw new AgentryError(
        'EXECUTION_HISTORY_MISMATCH',
        `History event ${recorded.id} (${recorded.type} at '${path}') does not match ${describe(body)}.`,
      );
    }
    cursor.next++;
    return recorded;
  }

  /**
   * When the history finished this visit of `state` (a StateExited for it follows in its path before any
   * other state is entered), consumes the visit's events through StateExited and returns that event. The
   * visit's nested paths (branches, iterations) are fast-forwarded past it too, so a later visit of the same
   * state (in a loop) matches its own events.
   */
  finishedVisit(path: string, state: string): Extract<ExecutionEvent, { type: 'StateExited' }> | undefined {
    const cursor = this.#paths.get(path);
    if (!cursor) return undefined;
    for (let index = cursor.next; index < cursor.events.length; index++) {
      const event = cursor.events[index];
      if (!event || event.type === 'StateEntered') return undefined;
      if (event.type === 'StateExited') {
        if (event.state !== state) return undefined;
        cursor.next = index + 1;
        this.#skipNested(`${path}${state}/`, event.id);
        return event;
      }
    }
    return undefined;
  }

  /** The task token of the TaskScheduled that this attempt will match, if the history holds one. */
  upcomingTaskToken(path: string): string | undefined {
    const cursor = this.#paths.get(path);
    if (!cursor) return undefined;
    for (let index = cursor.next; index < cursor.events.length; index++) {
      const event = cursor.events[index];
      if (!event || event.type === 'StateExited' || event.type === 'StateEntered') return undefined;
      if (event.type === 'TaskScheduled') return event.taskToken;
    }
    return undefined;
  }

  #skipNested(prefix: string, beforeId: number): void {
    for (const [path, cursor] of this.#paths) {
      if (!path.startsWith(prefix)) continue;
      while ((cursor.events[cursor.next]?.id ?? Number.POSITIVE_INFINITY) < beforeId) cursor.next++;
    }
  }
}

interface PathCursor {
  events: ExecutionEvent[];
  next: number;
}

function sameStep(recorded: ExecutionEvent, body: ExecutionEventBody): boolean {
  if (recorded.type !== body.type) return false;
  const a = recorded as unknown as Record<string, unknown>;
  const b = body as unknown as Record<string, unknown>;
  for (const key of ['state', 'branch', 'index'] as const) {
    if (key in b && a[key] !== b[key]) return false;
  }
  return true;
}

function describe(body: ExecutionEventBody): string {
  return 'state' in body ? `${body.type} of state '${body.state}'` : body.type;
}
