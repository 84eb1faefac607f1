/**
 * Prometheus metrics in the text exposition format, without a client library: a few counters and
 * one latency histogram are all the server needs, and this keeps the hot path allocation-free.
 */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type Labels = Record<string, string>;

function key(labels: Labels): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${value.replace(/["\\\n]/g, '_')}"`)
    .join(',');
}

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

/** One method and route: its histogram and its per-status counter keys, built once. */
interface RouteSeries {
  histogram: Histogram;
  statusKeys: Map<number, string>;
}

export class ServerMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  /**
   * Label keys per method and route, built on first use so a request builds no strings. Bounded:
   * routes are the app's patterns (or `unmatched`) and Node's parser accepts known methods only.
   */
  private readonly series = new Map<string, Map<string, RouteSeries>>();
  private readonly runs = new Map<string, number>();
  private readonly runKeys = new Map<string, string>();
  private readonly tokens = new Map<string, number>();
  private activeStreams = 0;

  recordRequest(method: string, route: string, status: number, seconds: number): void {
    const series = this.seriesOf(method, route);
    let requestKey = series.statusKeys.get(status);
    if (requestKey === undefined) {
      requestKey = key({ method, route, status: String(status) });
      series.statusKeys.set(status, requestKey);
    }
    this.requests.set(requestKey, (this.requests.get(requestKey) ?? 0) + 1);
    const { histogram } = series;
    for (let index = 0; index < LATENCY_BUCKETS.length; index++)
      if (seconds <= LATENCY_BUCKETS[index]!) histogram.buckets[index]!++;
    histogram.sum += seconds;
    histogram.count++;
  }

  recordRun(status: string, inputTokens: number, outputTokens: number): void {
    let runKey = this.runKeys.get(status);
    if (runKey === undefined) {
      runKey = key({ status });
      this.runKeys.set(status, runKey);
    }
    this.runs.set(runKey, (this.runs.get(runKey) ?? 0) + 1);
    this.tokens.set('direction="input"', (this.tokens.get('direction="input"') ?? 0) + inputTokens);
    this.tokens.set('direction="output"', (this.tokens.get('direction="output"') ?? 0) + outputTokens);
  }

  private seriesOf(method: string, route: string): RouteSeries {
    let byRoute = this.series.get(method);
    if (!byRoute) {
      byRoute = new Map();
      this.series.set(method, byRoute);
    }
    let series = byRoute.get(route);
    if (!series) {
      const latencyKey = key({ method, route });
      let histogram = this.latency.get(latencyKey);
      if (!histogram) {
        histogram = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
        this.latency.set(latencyKey, histogram);
      }
      series = { histogram, statusKeys: new Map() };
      byRoute.set(route, series);
    }
    return series;
  }

  streamOpened(): void {
    this.activeStreams++;
  }

  streamClosed(): void {
    this.activeStreams--;
  }

  render(): string {
    const lines: string[] = [];
    lines.push(
      '# HELP agentry_http_requests_total HTTP requests by method, route and status.',
      '# TYPE agentry_http_requests_total counter',
    );
    for (const [labels, value] of this.requests) lines.push(`agentry_http_requests_total{${labels}} ${value}`);
    lines.push(
      '# HELP agentry_http_request_duration_seconds HTTP request latency.',
      '# TYPE agentry_http_request_duration_seconds histogram',
    );
    for (const [labels, histogram] of this.latency) {
      LATENCY_BUCKETS.forEach((bound, index) => {
        lines.push(`agentry_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${histogram.buckets[index]}`);
      });
      lines.push(`agentry_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`);
      lines.push(`agentry_http_request_duration_seconds_sum{${labels}} ${histogram.sum}`);
      lines.push(`agentry_http_request_duration_seconds_count{${labels}} ${histogram.count}`);
    }
    lines.push('# HELP agentry_runs_total Finished agent runs by status.', '# TYPE agentry_runs_total counter');
    for (const [labels, value] of this.runs) lines.push(`agentry_runs_total{${labels}} ${value}`);
    lines.push('# HELP agentry_tokens_total Model tokens used.', '# TYPE agentry_tokens_total counter');
    for (const [labels, value] of this.tokens) lines.push(`agentry_tokens_total{${labels}} ${value}`);
    lines.push(
      '# HELP agentry_active_streams Open event streams.',
      '# TYPE agentry_active_streams gauge',
      `agentry_active_streams ${this.activeStreams}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
