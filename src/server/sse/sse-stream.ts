import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';

/** What Hono's `streamSSE` sends, so clients and proxies see the same response. */
const SSE_HEADERS = {
  'Transfer-Encoding': 'chunked',
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
};

export interface SseWriter {
  /**
   * Queues one event (`event:`, `data:`, `id:` lines, as Hono's `writeSSE` formats them). `data`
   * must be one line (JSON is); `type` and `id` must not contain line breaks.
   */
  event(type: string, data: string, id?: string): void;
  /** Queues a comment line, which clients skip (keeps idle connections open through proxies). */
  comment(text: string): void;
  /** Aborted when the client goes away. Writes after that are dropped. */
  readonly gone: AbortSignal;
}

/**
 * A `text/event-stream` response fed by `produce`, which ends the stream when it settles. Writes
 * are coalesced: everything queued during one turn of the event loop (a whole run, on an
 * in-memory store) leaves in one chunk, so one socket write, instead of one per event. What
 * `produce` throws is passed to `onError` and ends the stream.
 */
export function sseStream(
  c: Context<AppEnv>,
  produce: (writer: SseWriter) => Promise<void>,
  onError: (error: unknown) => void,
): Response {
  const encoder = new TextEncoder();
  const gone = new AbortController();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let pending = '';
  let scheduled = false;
  let ending = false;
  const flush = () => {
    scheduled = false;
    if (gone.signal.aborted || !controller) return;
    if (pending) {
      controller.enqueue(encoder.encode(pending));
      pending = '';
    }
    if (ending) controller.close();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  const write = (text: string) => {
    if (gone.signal.aborted || ending) return;
    pending += text;
    schedule();
  };
  const writer: SseWriter = {
    event: (type, data, id) => write(`event: ${type}\ndata: ${data}\n${id === undefined ? '' : `id: ${id}\n`}\n`),
    comment: (text) => write(`: ${text}\n\n`),
    gone: gone.signal,
  };
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      void produce(writer)
        .catch(onError)
        .finally(() => {
          ending = true;
          schedule();
        });
    },
    cancel() {
      gone.abort();
    },
  });
  return c.body(body, 200, SSE_HEADERS);
}
