import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TransactWriteEmulator, type Wire, type WireReply } from './emulate-transact-write.ts';

const TARGET_PREFIX = 'DynamoDB_20120810.';
/** dynalite checks that requests look signed, not that signatures are valid. */
const INTERNAL_AUTH = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDFAKE/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=fake',
  'x-amz-date': '20260101T000000Z',
};

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * An HTTP proxy in front of dynalite that adds TransactWriteItems (emulate-transact-write.ts).
 * It runs one request at a time, in arrival order: that makes an emulated transaction atomic for
 * every other client of the endpoint, and costs nothing that matters in tests. Every other
 * operation is passed through unchanged, so dynalite still answers and validates them.
 */
export async function startTransactionProxy(target: { host: string; port: number }): Promise<{
  endpoint: string;
  close: () => Promise<void>;
}> {
  const agent = new Agent({ keepAlive: true });
  let queue: Promise<unknown> = Promise.resolve();
  const exclusively = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = queue.then(work);
    queue = turn.catch(() => {});
    return turn;
  };

  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<RawReply>((resolve, reject) => {
      const outgoing = request({ host: target.host, port: target.port, method, path, headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 500, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  // One emulator for the proxy's life: it remembers committed ClientRequestTokens.
  const emulator = new TransactWriteEmulator(async (operation: string, payload: Wire): Promise<WireReply> => {
    const headers = {
      ...INTERNAL_AUTH,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': TARGET_PREFIX + operation,
    };
    const reply = await forward('POST', '/', headers, Buffer.from(JSON.stringify(payload)));
    return { status: reply.status, body: JSON.parse(reply.body.toString('utf8')) as Wire };
  });

  const transact = async (body: Buffer): Promise<RawReply> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const reply =
      typeof parsed === 'object' && parsed !== null
        ? await emulator.transactWrite(parsed as Wire)
        : { status: 400, body: { __type: 'com.amazon.coral.service#SerializationException' } };
    return {
      status: reply.status,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() },
      body: Buffer.from(JSON.stringify(reply.body)),
    };
  };

  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      exclusively(() =>
        incoming.headers['x-amz-target'] === `${TARGET_PREFIX}TransactWriteItems`
          ? transact(body)
          : forward(incoming.method ?? 'POST', incoming.url ?? '/', incoming.headers, body),
      ).then(
        (reply) => {
          const {
            'content-length': _length,
            'transfer-encoding': _encoding,
            connection: _connection,
            ...headers
          } = reply.headers;
          outgoing.writeHead(reply.status, { ...headers, 'content-length': reply.body.length });
          outgoing.end(reply.body);
        },
        (error: unknown) => {
          outgoing.writeHead(502, { 'content-type': 'text/plain' });
          outgoing.end(`transaction proxy: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
