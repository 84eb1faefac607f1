import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../app-env.ts';
import { sseStream } from './sse-stream.ts';

describe('sseStream', () => {
  it('sends the events queued in one turn of the event loop as one chunk, in order', async () => {
    const errors: unknown[] = [];
    const app = new Hono<AppEnv>().get('/', (c) =>
      sseStream(
        c,
        async (writer) => {
          writer.event('run-start', '{"n":1}', '0:0');
          writer.event('usage', '{"n":2}', '1:1');
          await Promise.resolve(); // microtasks stay in the same turn
          writer.event('run-end', '{"n":3}', 'end:1');
          await new Promise((resolve) => setTimeout(resolve, 5));
          writer.comment('keepalive');
          throw new Error('boom');
        },
        (error) => errors.push(error),
      ),
    );
    const response = await app.request('/');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const chunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    expect(chunks).toEqual([
      'event: run-start\ndata: {"n":1}\nid: 0:0\n\nevent: usage\ndata: {"n":2}\nid: 1:1\n\nevent: run-end\ndata: {"n":3}\nid: end:1\n\n',
      ': keepalive\n\n',
    ]);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('tells the producer when the client goes away and drops later writes', async () => {
    let gone: AbortSignal | undefined;
    const app = new Hono<AppEnv>().get('/', (c) =>
      sseStream(
        c,
        async (writer) => {
          gone = writer.gone;
          writer.event('run-start', '{}');
          await new Promise<void>((resolve) => writer.gone.addEventListener('abort', () => resolve()));
          writer.event('late', '{}');
        },
        () => {},
      ),
    );
    const response = await app.request('/');
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('event: run-start\ndata: {}\n\n');
    await reader.cancel();
    expect(gone?.aborted).toBe(true);
  });
});
