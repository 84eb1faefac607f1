import { z } from 'zod';
import { AgentryError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

/** ISO 8601 local time with offset, e.g. 2026-11-25T09:30:00+09:00, from the IANA zone's rules. */
export function formatInZone(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? '';
  const offsetName = get('timeZoneName'); // "GMT+09:00", or "GMT" for UTC
  const offset = offsetName === 'GMT' ? '+00:00' : offsetName.replace('GMT', '');
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`;
}

function isValidZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** `get_current_time`; `now` is injected so tests and replays control the clock. */
export function createClockTool(now: () => Date = () => new Date()) {
  return defineTool({
    name: 'get_current_time',
    description:
      'Returns the current date and time in ISO 8601. Optionally takes an IANA time zone such as "Europe/Paris" or "America/New_York"; defaults to UTC.',
    input: z.object({
      timezone: z.string().max(64).optional().describe('IANA time zone name, e.g. "Asia/Tokyo". Defaults to UTC.'),
    }),
    idempotent: true,
    run({ timezone }) {
      const timeZone = timezone ?? 'UTC';
      if (!isValidZone(timeZone)) {
        throw new AgentryError(
          'INPUT_INVALID',
          `Unknown time zone "${timeZone}". Use an IANA name such as "Europe/Paris".`,
        );
      }
      const date = now();
      return { timezone: timeZone, iso: formatInZone(date, timeZone), utc: date.toISOString() };
    },
  });
}
