/** The UTC calendar day of an instant, `YYYY-MM-DD`: the daily quota's window. */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Milliseconds from an instant to the next UTC midnight, in (0, 86_400_000]. */
export function msUntilUtcMidnight(nowMs: number): number {
  const now = new Date(nowMs);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - nowMs;
}
