// One autocannon run against one URL, with latencies kept at full precision: autocannon's own
// histogram has 1 ms resolution, too coarse for a hello-world route, so 2xx response times are
// also collected from its `response` events.
import autocannon from 'autocannon';
import { percentile } from './stats.ts';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSec: number;
  /** A 2xx response whose body fails this is counted as an error (e.g. a stream without `run-end`). */
  verifyBody: (body: string) => boolean;
}

export interface LoadResult {
  /** 2xx responses per second over the run. */
  rps: number;
  /** 2xx responses. */
  ok: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  non2xx: number;
  /** Socket errors and timeouts (autocannon's `errors` includes its `timeouts`). */
  socketErrors: number;
  /** Responses whose body failed `verifyBody`. */
  badBodies: number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: spec.url,
    method: spec.method,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(spec.body === undefined ? {} : { body: spec.body }),
    connections: spec.connections,
    duration: spec.durationSec,
    timeout: 10,
    verifyBody: spec.verifyBody,
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTimeMs: number) => {
    if (status >= 200 && status < 300) latencies.push(responseTimeMs);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: result['2xx'] / result.duration,
    ok: result['2xx'],
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    responses: result.requests.total,
    non2xx: result.non2xx,
    socketErrors: result.errors,
    badBodies: result.mismatches,
  };
}
