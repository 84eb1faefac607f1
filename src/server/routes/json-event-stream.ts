import { errorFields } from '../logger.ts';
import type { ServerRuntime } from '../runtime.ts';

const KEEPALIVE_MS = 15_000;

export interface JsonEventSink {
  /** Writes `data: <json>`; a no-op once the client has gone. */
  send(value: unknown): void;
  /** Aborted when the client goes away or the server shuts down. */
  signal: AbortSignal;
}

/**
 * A `text/event-stream` body of unnamed JSON `data:` events that ends with `data: [DONE]`: the
 * framing shared by the AI SDK UI message stream and OpenAI's chat-completion chunk stream.
 * Comment lines keep idle connections open through proxies; both clients skip them.
 * `produce` must report run failures in its protocol's own shape; whatever it throws anyway is
 * sent as `fail(error)` before `[DONE]`.
 */
export function jsonEventStream(
  runtime: ServerRuntime,
  produce: (sink: JsonEventSink) => Promise<void>,
  fail: (error: unknown) => unknown,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const gone = new AbortController();
  const signal = AbortSignal.any([gone.signal, runtime.shutdown]);
  let keepalive: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepalive);
    runtime.metrics.streamClosed();
  };
  const run = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const write = (text: string) => {
      if (!closed) controller.enqueue(encoder.encode(text));
    };
    const send = (value: unknown) => write(`data: ${JSON.stringify(value)}\n\n`);
    keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
    try {
      await produce({ send, signal });
    } catch (error) {
      runtime.logger.log('error', 'event stream failed', errorFields(error));
      send(fail(error));
    }
    write('data: [DONE]\n\n');
    if (!closed) controller.close();
    close();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      runtime.metrics.streamOpened();
      void run(controller);
    },
    cancel() {
      close();
      gone.abort();
    },
  });
}
