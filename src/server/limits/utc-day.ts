/** The UTC calendar day of an instant, `YYYY-MM-DD`: the daily quota's window. */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Milliseconds from an instant to the next UTC midnight, in (0, 86_400_000]. */
export function msUntilUtcMidnight(nowMs: number): number {
  const now = new Date(nowMs);
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - nowMs;
}

/**
 * `utcDay` and `msUntilUtcMidnight` for a clock that is asked on every request: the day's bounds
 * are computed once per day (a UTC day is always 86,400,000 ms in JavaScript time), not per call.
 * Any instant works, also one before the last (an injected clock may go back).
 */
export class UtcDayWindow {
  private startMs = 0;
  private endMs = 0;
  private day = '';

  /** The day of `nowMs` and the milliseconds left in it, in (0, 86_400_000]. */
  at(nowMs: number): { day: string; untilMidnightMs: number } {
    if (nowMs < this.startMs || nowMs >= this.endMs) {
      this.endMs = nowMs + msUntilUtcMidnight(nowMs);
      this.startMs = this.endMs - 86_400_000;
      this.day = utcDay(nowMs);
    }
    return { day: this.day, untilMidnightMs: this.endMs - nowMs };
  }
}
