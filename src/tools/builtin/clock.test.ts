import { describe, expect, it } from 'vitest';
import { createClockTool, formatInZone } from './clock.ts';

const context = { signal: new AbortController().signal, toolCallId: 't' };

describe('get_current_time', () => {
  it('returns ISO 8601 with the zone offset, including DST and half-hour zones', () => {
    const summer = new Date('2026-07-01T12:00:00Z');
    expect(formatInZone(summer, 'UTC')).toBe('2026-07-01T12:00:00+00:00');
    expect(formatInZone(summer, 'Europe/Paris')).toBe('2026-07-01T14:00:00+02:00');
    expect(formatInZone(new Date('2026-01-01T12:00:00Z'), 'Europe/Paris')).toBe('2026-01-01T13:00:00+01:00');
    expect(formatInZone(summer, 'Asia/Kolkata')).toBe('2026-07-01T17:30:00+05:30');
    expect(formatInZone(summer, 'America/New_York')).toBe('2026-07-01T08:00:00-04:00');
    expect(formatInZone(new Date('2026-07-01T00:30:00Z'), 'UTC')).toBe('2026-07-01T00:30:00+00:00');
  });

  it('defaults to UTC and rejects unknown zones with a clear error', async () => {
    const tool = createClockTool(() => new Date('2026-11-25T10:00:00Z'));
    expect(await tool.run({}, context)).toEqual({
      timezone: 'UTC',
      iso: '2026-11-25T10:00:00+00:00',
      utc: '2026-11-25T10:00:00.000Z',
    });
    expect(await tool.run({ timezone: 'Asia/Tokyo' }, context)).toMatchObject({ iso: '2026-11-25T19:00:00+09:00' });
    expect(() => tool.run({ timezone: 'Mars/Olympus' }, context)).toThrow(/Unknown time zone "Mars\/Olympus"/);
    expect(tool.inputJsonSchema).toMatchObject({ type: 'object', properties: { timezone: { type: 'string' } } });
  });
});
