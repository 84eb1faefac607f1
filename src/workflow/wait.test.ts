import { describe, expect, it } from 'vitest';
import { runForTest } from './test-support.ts';

const START = Date.parse('2024-01-01T00:00:00Z');
const wait = (fields: Record<string, unknown>) => ({
  StartAt: 'W',
  States: { W: { Type: 'Wait', End: true, ...fields } },
});

describe('Wait', () => {
  it.each([
    [{ Seconds: 30 }, {}, 30_000],
    [{ SecondsPath: '$.s' }, { s: 5 }, 5_000],
    [{ Timestamp: '2024-01-01T00:01:00Z' }, {}, 60_000],
    [{ TimestampPath: '$.t' }, { t: '2024-01-01T01:00:00Z' }, 3_600_000],
    [{ Timestamp: '2023-01-01T00:00:00Z' }, {}, 0],
  ])('%j waits on the injected clock', async (fields, input, elapsed) => {
    const result = await runForTest(wait(fields), input);
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: input });
    expect(result.clock.now() - START).toBe(elapsed);
  });

  it('JSONata Seconds expressions', async () => {
    const result = await runForTest(wait({ QueryLanguage: 'JSONata', Seconds: '{% $states.input.delay * 2 %}' }), {
      delay: 4,
    });
    expect(result.clock.now() - START).toBe(8_000);
  });

  it('rejects a bad timestamp with States.Runtime', async () => {
    const result = await runForTest(wait({ TimestampPath: '$.t' }), { t: 'tomorrow' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});
