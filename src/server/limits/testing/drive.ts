export interface DriveResult {
  sent: number;
  admitted: number;
  /** From the first request to the last, ms. */
  elapsedMs: number;
}

/**
 * Sends requests one after another, `intervalMs` apart (or back to back when the store is slower),
 * for `durationMs` (bounded: at most `durationMs / intervalMs` + 1 requests), and counts the
 * admitted ones. `send` answers whether its request was admitted.
 */
export async function driveSteadily(
  send: (index: number) => Promise<boolean>,
  { durationMs, intervalMs }: { durationMs: number; intervalMs: number },
): Promise<DriveResult> {
  const maxRequests = Math.ceil(durationMs / intervalMs) + 1;
  const started = performance.now();
  let last = started;
  let admitted = 0;
  let sent = 0;
  while (sent < maxRequests) {
    const due = started + sent * intervalMs;
    if (Math.max(due, performance.now()) - started > durationMs) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    last = performance.now();
    if (await send(sent)) admitted++;
    sent++;
  }
  return { sent, admitted, elapsedMs: last - started };
}

/** What a token bucket admits under steady overload: the burst, then `rate` a second. */
export function tokenBucketModel(plan: { rate: number; burst: number }, elapsedMs: number): number {
  return plan.burst + (plan.rate * elapsedMs) / 1000;
}
