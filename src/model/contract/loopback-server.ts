import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received, as the provider SDK sent it. */
export interface RecordedRequest {
  method: string;
  /** Path and query exactly as sent (percent-encoding kept), e.g. `/model/a%3A0/converse-stream`. */
  path: string;
  /** Node lowercases header names. */
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  body: unknown;
  rawBody: string;
}

export type CannedBody = string | Uint8Array;

/** A recorded reply. An array body is written chunk by chunk, so clients see split frames and events. */
export interface CannedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: CannedBody | readonly CannedBody[];
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests that arrived with no canned response left; they were answered 501. */
  readonly unexpected: RecordedRequest[];
  /** Queues replies, served in order, one per request. */
  enqueue(...responses: CannedResponse[]): void;
  /** Canned replies not served yet. */
  pending(): number;
  /** Forgets requests and queued replies (between tests). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A recording HTTP server on 127.0.0.1 and a random port, for contract tests that run provider SDKs
 * against recorded exchanges. It fails loudly: a request beyond the queue gets a 501 and is listed in
 * `unexpected`, so a test can assert the exact number of calls.
 */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const queue: CannedResponse[] = [];
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: parseJson(rawBody),
      rawBody,
    };
    requests.push(recorded);
    const response = queue.shift();
    if (!response) {
      unexpected.push(recorded);
      res.writeHead(501, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ message: `loopback server: no canned response for ${recorded.method} ${recorded.path}` }),
      );
      return;
    }
    res.writeHead(response.status ?? 200, response.headers ?? {});
    const body = response.body;
    if (body === undefined) {
      res.end();
    } else if (typeof body === 'string' || body instanceof Uint8Array) {
      res.end(body);
    } else {
      for (const chunk of body) {
        res.write(chunk);
        // A macrotask between writes lets each chunk leave as its own TCP segment (not guaranteed).
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unexpected,
    enqueue: (...responses) => {
      queue.push(...responses);
    },
    pending: () => queue.length,
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      unexpected.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Serializes server-sent events the way the APIs do: `event:` (optional) and `data:` lines, blank line after. */
export function sseEvents(events: readonly { event?: string; data: unknown }[]): string[] {
  return events.map(
    ({ event, data }) =>
      `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
  );
}
