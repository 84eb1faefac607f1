import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Scope } from '../../store/scope.ts';
import { sleep } from '../../util/sleep.ts';
import type { AppEnv } from '../app-env.ts';
import type { ServerRuntime } from '../runtime.ts';
import { type EventPosition, formatEventId } from './event-ids.ts';
import { eventsFromJournal, isTerminal, type PositionedEvent } from './journal-events.ts';

const JOURNAL_POLL_MS = 250;
const KEEPALIVE_MS = 15_000;

/**
 * Streams a run's events as SSE (`id`, `event` = the event type, `data` = the event JSON), from
 * after `after` to the end of the run. A run executing in this process is followed live; any other
 * (finished, or running on another replica) is rebuilt from its journal, polled until it ends.
 * A client that goes away stops the stream, not the run.
 */
export function streamRunEvents(
  c: Context<AppEnv>,
  runtime: ServerRuntime,
  scope: Scope,
  runId: string,
  after: EventPosition | undefined,
): Response {
  return streamSSE(c, async (stream) => {
    runtime.metrics.streamOpened();
    const closed = new AbortController();
    stream.onAbort(() => closed.abort());
    const stop = AbortSignal.any([closed.signal, runtime.shutdown]);
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n').catch(() => closed.abort()), KEEPALIVE_MS);
    let last = after;
    let writes = Promise.resolve();
    const send = (positioned: PositionedEvent) => {
      last = positioned.position;
      writes = writes.then(() =>
        stream.writeSSE({
          id: formatEventId(positioned.position),
          event: positioned.event.type,
          data: JSON.stringify(positioned.event),
        }),
      );
    };
    try {
      if (runtime.live.get(runId)) {
        await runtime.live.follow(runId, after, send, stop);
      } else {
        while (!stop.aborted) {
          const run = await runtime.store.runs.getRun(scope, runId);
          if (!run) break;
          const journal = await runtime.store.runs.loadJournal(runId);
          for (const positioned of eventsFromJournal(run, journal, last)) send(positioned);
          if (isTerminal(run)) break;
          await sleep(JOURNAL_POLL_MS, stop).catch(() => {});
        }
      }
      await writes;
    } finally {
      clearInterval(keepalive);
      runtime.metrics.streamClosed();
    }
  });
}
