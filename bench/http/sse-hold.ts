// Many concurrent SSE streams from plain `http.request` clients: POST a run with
// `Accept: text/event-stream`, read events until the response ends, and classify the stream.
import http from 'node:http';
import { percentile } from './stats.ts';

export interface HoldSpec {
  /** Full URL of the run endpoint, e.g. http://127.0.0.1:PORT/v1/agents/assistant/runs. */
  url: string;
  apiKey: string;
  body: string;
  streams: number;
  /** Streams are opened evenly over this window. */
  rampMs: number;
  /** Streams still open after this long (from the first open) are destroyed and counted as errors. */
  deadlineMs: number;
  /** Called every `sampleMs` while streams are open (e.g. to sample the server's memory). */
  onSample?: () => Promise<void>;
  sampleMs?: number;
}

export interface HoldResult {
  opened: number;
  /** Ended with a `run-end` event whose status is `succeeded`. */
  completed: number;
  /** Ended with a `run-end` event of another status. */
  failedRuns: number;
  /** Non-200 answers. */
  httpErrors: number;
  /** Request or response errors (resets, refused connections), deadline kills included. */
  socketErrors: number;
  /** Ended cleanly but without a `run-end` event. */
  incomplete: number;
  /** `error` events seen in any stream. */
  errorEvents: number;
  /** Socket errors by code (e.g. ECONNRESET), for diagnosis. */
  socketErrorCodes: Record<string, number>;
  /** Most streams open at once on the client (response headers received, not yet ended). */
  peakOpen: number;
  firstEventP50Ms: number;
  firstEventP99Ms: number;
  durationP50Ms: number;
  durationP99Ms: number;
  wallMs: number;
}

type Outcome = 'completed' | 'failedRun' | 'httpError' | 'socketError' | 'incomplete';

export async function holdStreams(spec: HoldSpec): Promise<HoldResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const counts: Record<Outcome, number> = { completed: 0, failedRun: 0, httpError: 0, socketError: 0, incomplete: 0 };
  const firstEvent: number[] = [];
  const durations: number[] = [];
  const requests = new Set<http.ClientRequest>();
  let open = 0;
  let peakOpen = 0;
  let errorEvents = 0;
  const socketErrorCodes: Record<string, number> = {};
  const noteError = (error: NodeJS.ErrnoException) => {
    const code = error.code ?? error.message;
    socketErrorCodes[code] = (socketErrorCodes[code] ?? 0) + 1;
  };
  let settled = 0;
  let opened = 0;
  const started = performance.now();

  const allDone = new Promise<void>((resolveAll) => {
    const settle = (request: http.ClientRequest, outcome: Outcome, begun: number) => {
      if (!requests.delete(request)) return;
      counts[outcome]++;
      if (outcome === 'completed') durations.push(performance.now() - begun);
      if (++settled === spec.streams) resolveAll();
    };

    const openOne = () => {
      const begun = performance.now();
      const request = http.request(spec.url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(spec.body),
          accept: 'text/event-stream',
          'x-api-key': spec.apiKey,
        },
      });
      requests.add(request);
      opened++;
      request.on('error', (error) => {
        noteError(error);
        settle(request, 'socketError', begun);
      });
      request.on('response', (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          settle(request, 'httpError', begun);
          return;
        }
        open++;
        peakOpen = Math.max(peakOpen, open);
        response.setEncoding('utf8');
        let buffer = '';
        let runEnd: string | undefined;
        let first = true;
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let boundary = buffer.indexOf('\n\n');
          while (boundary !== -1) {
            const block = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            boundary = buffer.indexOf('\n\n');
            const type = /^event: (.+)$/m.exec(block)?.[1];
            if (type === undefined) continue; // a keepalive comment
            if (first) {
              first = false;
              firstEvent.push(performance.now() - begun);
            }
            if (type === 'error') errorEvents++;
            if (type === 'run-end') runEnd = /"status":"([^"]+)"/.exec(block)?.[1] ?? 'unknown';
          }
        });
        response.on('close', () => {
          open--;
          if (!response.complete) {
            if (requests.has(request)) noteError(new Error('response aborted'));
            settle(request, 'socketError', begun);
          } else if (runEnd === undefined) settle(request, 'incomplete', begun);
          else settle(request, runEnd === 'succeeded' ? 'completed' : 'failedRun', begun);
        });
      });
      request.end(spec.body);
    };

    // Open in small batches every 10 ms: timers are too coarse for one request per millisecond.
    const batches = Math.max(1, Math.round(spec.rampMs / 10));
    let batch = 0;
    const opener = setInterval(() => {
      const target = Math.round((spec.streams * ++batch) / batches);
      while (opened < target) openOne();
      if (batch >= batches) clearInterval(opener);
    }, 10);
  });

  let sampling = true;
  const sampler = (async () => {
    while (sampling && spec.onSample) {
      await spec.onSample();
      await new Promise((resolve) => setTimeout(resolve, spec.sampleMs ?? 250));
    }
  })();
  const deadline = setTimeout(() => {
    for (const request of [...requests]) request.destroy(new Error('deadline'));
  }, spec.deadlineMs);
  await allDone;
  clearTimeout(deadline);
  sampling = false;
  await sampler;
  const wallMs = performance.now() - started;
  agent.destroy();

  const sortedFirst = Float64Array.from(firstEvent).sort();
  const sortedDurations = Float64Array.from(durations).sort();
  return {
    opened,
    completed: counts.completed,
    failedRuns: counts.failedRun,
    httpErrors: counts.httpError,
    socketErrors: counts.socketError,
    incomplete: counts.incomplete,
    errorEvents,
    socketErrorCodes,
    peakOpen,
    firstEventP50Ms: percentile(sortedFirst, 0.5),
    firstEventP99Ms: percentile(sortedFirst, 0.99),
    durationP50Ms: percentile(sortedDurations, 0.5),
    durationP99Ms: percentile(sortedDurations, 0.99),
    wallMs,
  };
}
