import { describe, expect, it } from 'vitest';
import { msUntilUtcMidnight, UtcDayWindow, utcDay } from './utc-day.ts';

describe('UtcDayWindow', () => {
  it('answers like utcDay and msUntilUtcMidnight, across midnights and a clock that goes back', () => {
    const window = new UtcDayWindow();
    const midnight = Date.UTC(2026, 10, 25);
    const instants = [
      midnight - 1,
      midnight,
      midnight + 1,
      midnight + 86_399_999,
      midnight + 86_400_000,
      midnight - 86_400_000 * 3 + 5,
      midnight + 12 * 3_600_000,
      Date.UTC(2028, 1, 29, 23, 59, 59, 999),
      Date.UTC(2028, 2, 1),
      0,
    ];
    for (const at of instants) {
      expect(window.at(at), String(at)).toEqual({ day: utcDay(at), untilMidnightMs: msUntilUtcMidnight(at) });
    }
  });
});
