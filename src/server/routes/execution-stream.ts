import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { followExecution } from '../../runner/follow-execution.ts';
import type { AppEnv } from '../app-env.ts';
import { errorFields } from '../logger.ts';
import type { ServerRuntime } from '../runtime.ts';

const KEEPALIVE_MS = 15_000;

/** `Last-Event-ID` of an execution stream: a history event id; anything else replays from the start. */
export function parseHistoryEventId(header: string | undefined): number {
  if (header === undefined || !/^\d{1,10}$/.test(header.trim())) return 0;
  const id = Number(header.trim());
  return id <= 2_147_483_647 ? id : 0;
}

/**
 * An execution's history as SSE: `event:` the event type, `id:` its history id, `data:` the event JSON,
 * from after `afterId` until the execution ends (see `followExecution` for how live events and the
 * stored history are merged). The caller checked that the execution is the requester's. A client that
 * goes away stops the stream, not the execution; shutdown ends streams (clients reconnect with
 * Last-Event-ID elsewhere). A store failure ends the stream (logged).
 */
export function streamExecutionEvents(
  c: Context<AppEnv>,
  runtime: ServerRuntime,
  executionId: string,
  afterId: number,
): Response {
  return streamSSE(c, async (stream) => {
    runtime.metrics.streamOpened();
    const gone = new AbortController();
    stream.onAbort(() => gone.abort());
    const signal = AbortSignal.any([gone.signal, runtime.shutdown]);
    const keepalive = setInterval(() => void stream.write(': keepalive\n\n'), KEEPALIVE_MS);
    try {
      await followExecution({
        runner: runtime.workflows,
        store: runtime.store.workflows,
        executionId,
        afterId,
        signal,
        deliver: (event) => stream.writeSSE({ event: event.type, id: String(event.id), data: JSON.stringify(event) }),
      });
    } catch (error) {
      if (!signal.aborted)
        runtime.logger.log('error', 'execution event stream failed', { executionId, ...errorFields(error) });
    } finally {
      clearInterval(keepalive);
      runtime.metrics.streamClosed();
    }
  });
}
