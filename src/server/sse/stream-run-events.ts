import type { Context } from 'hono';
import type { Scope } from '../../store/scope.ts';
import { sleep } from '../../util/sleep.ts';
import type { AppEnv } from '../app-env.ts';
import { errorFields } from '../logger.ts';
import type { ServerRuntime } from '../runtime.ts';
import { type EventPosition, formatEventId } from './event-ids.ts';
import { eventsFromJournal, isTerminal, type PositionedEvent } from './journal-events.ts';
import { sseStream } from './sse-stream.ts';

const JOURNAL_POLL_MS = 250;
const KEEPALIVE_MS = 15_000;

/**
 * Streams a run's events as SSE (`id`, `event` = the event type, `data` = the event JSON), from
 * after `after` to the end of the run. A run executing in this process is followed live (what it
 * no longer holds in memory comes from its journal first); any other (finished, or running on
 * another replica) is rebuilt from its journal, polled until it ends. A client that goes away
 * stops the stream, not the run. A store failure ends the stream (logged); the client reconnects.
 */
export function streamRunEvents(
  c: Context<AppEnv>,
  runtime: ServerRuntime,
  scope: Scope,
  runId: string,
  after: EventPosition | undefined,
): Response {
  return sseStream(
    c,
    async (writer) => {
      runtime.metrics.streamOpened();
      const stop = AbortSignal.any([writer.gone, runtime.shutdown]);
      const keepalive = setInterval(() => writer.comment('keepalive'), KEEPALIVE_MS);
      let last = after;
      const send = (positioned: PositionedEvent) => {
        last = positioned.position;
        writer.event(positioned.event.type, JSON.stringify(positioned.event), formatEventId(positioned.position));
      };
      const fromJournal = async (from: EventPosition | undefined) => {
        const run = await runtime.store.runs.getRun(scope, runId);
        return run ? eventsFromJournal(run, await runtime.store.runs.loadJournal(runId), from) : [];
      };
      try {
        if (await runtime.live.follow(runId, after, send, stop, fromJournal)) return;
        while (!stop.aborted) {
          const run = await runtime.store.runs.getRun(scope, runId);
          if (!run) break;
          const journal = await runtime.store.runs.loadJournal(runId);
          for (const positioned of eventsFromJournal(run, journal, last)) send(positioned);
          if (isTerminal(run)) break;
          await sleep(JOURNAL_POLL_MS, stop).catch(() => {});
        }
      } finally {
        clearInterval(keepalive);
        runtime.metrics.streamClosed();
      }
    },
    (error) => runtime.logger.log('error', 'event stream failed', { runId, ...errorFields(error) }),
  );
}
