// The IPC messages between http-bench.ts (the load generator) and bench-server.ts (one server variant).

/** Which server a child runs: the bare Hono ceiling, or Agentry's app over a store. */
export type ServerKind = 'hello' | 'memory' | 'postgres';

export interface ServerConfig {
  kind: ServerKind;
  /** Model string for every agent (`scripted:<absolute path>`); ignored by `hello`. */
  model: string;
  /** The API key the child stores and accepts (`agk_` format; tenant `bench`, run and read scopes). */
  apiKey: string;
  /** PostgreSQL pool size for `postgres` (default: the store's own default). */
  poolSize?: number;
}

/** What the server process looked like when asked; `peak*` and `loopDelay*` since the last `reset`. */
export interface ServerStats {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  /** User + system CPU time of the process, in ms since it started. */
  cpuMs: number;
  /** Event-loop delay percentiles in ms (perf_hooks.monitorEventLoopDelay). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Agentry's `agentry_active_streams` gauge now, and its highest sampled value (0 for `hello`). */
  activeStreams: number;
  peakActiveStreams: number;
  /** Promise rejections nobody handled, cumulative (Node would crash on the first by default). */
  unhandledRejections: number;
  /** Finished runs by status (`agentry_runs_total`), cumulative. */
  runs: Record<string, number>;
}

/** `gc` forces a full garbage collection first, so the heap figures are what is still reachable. */
export type ParentMessage = { type: 'stats'; reset?: boolean; gc?: boolean } | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready'; port: number; store: string }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };
