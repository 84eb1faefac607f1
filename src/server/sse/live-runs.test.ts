import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../agent/events.ts';
import { emptyUsage } from '../../agent/usage.ts';
import { type EventPosition, formatEventId, parseEventId } from './event-ids.ts';
import type { PositionedEvent } from './journal-events.ts';
import { continueAfter, LiveRuns } from './live-runs.ts';

const runId = 'run-1';
const scope = { tenantId: 't', userId: 'u' };
const usage = { type: 'usage', runId, usage: emptyUsage(), finishReason: 'stop' } as const;

/** A two-step run: a tool call, then an answer streamed in three deltas. */
const EVENTS: RunEvent[] = [
  { type: 'run-start', runId, agent: 'assistant', model: 'scripted:demo' },
  { type: 'text-delta', runId, step: 1, delta: 'Let me ' },
  { type: 'text-delta', runId, step: 1, delta: 'compute.' },
  { ...usage, step: 1, finishReason: 'tool-calls' },
  { type: 'tool-call', runId, step: 1, toolCallId: 'c1', toolName: 'calculate', input: { expression: '2+2' } },
  {
    type: 'tool-result',
    runId,
    step: 1,
    toolCallId: 'c1',
    toolName: 'calculate',
    input: { expression: '2+2' },
    output: { result: 4 },
    isError: false,
    durationMs: 1,
  },
  { type: 'text-delta', runId, step: 2, delta: '2 + 2 ' },
  { type: 'text-delta', runId, step: 2, delta: 'is ' },
  { type: 'text-delta', runId, step: 2, delta: '4.' },
  { ...usage, step: 2 },
  { type: 'run-end', runId, status: 'succeeded', text: '2 + 2 is 4.', usage: emptyUsage() },
];

/** What a client sees: ids and concatenated text per step, so delta boundaries do not matter. */
function view(events: readonly PositionedEvent[]): string[] {
  const out: string[] = [];
  for (const { position, event } of events) {
    const id = formatEventId(position);
    if (event.type === 'text-delta') {
      const previous = out.at(-1);
      if (previous?.startsWith(`text ${position.step} `)) out[out.length - 1] = `${previous}${event.delta}`;
      else out.push(`text ${position.step} ${event.delta}`);
    } else out.push(`${event.type} ${id}`);
  }
  return out;
}

/** Positions every event the way a live stream does, by running them through a retained hub. */
function positioned(events: readonly RunEvent[]): PositionedEvent[] {
  const live = new LiveRuns();
  const emit = live.start('positions', scope, new AbortController(), { retain: true });
  for (const event of events) emit(event);
  const out: PositionedEvent[] = [];
  void live.follow('positions', undefined, (event) => out.push(event), AbortSignal.abort());
  return out;
}

/** The journal's view after step 1: that step's text as one delta, then its usage and tool events. */
function journalAfterStep1(after: EventPosition | undefined): PositionedEvent[] {
  const all = positioned(EVENTS);
  const text = 'Let me compute.';
  const rebuilt: PositionedEvent[] = [
    { position: { step: 0, units: 0 }, event: { ...(EVENTS[0] as RunEvent & { type: 'run-start' }), model: '' } },
    { position: { step: 1, units: text.length }, event: { type: 'text-delta', runId, step: 1, delta: text } },
    ...all.slice(3, 6),
  ];
  return rebuilt.flatMap((event) => continueAfter(after, event) ?? []);
}

describe('LiveRuns', () => {
  it('keeps every event of a retained run, also after it ended', async () => {
    const live = new LiveRuns();
    const emit = live.start(runId, scope, new AbortController(), { retain: true });
    for (const event of EVENTS) emit(event);
    live.finish(runId);
    const got: PositionedEvent[] = [];
    expect(
      await live.follow(runId, parseEventId('1:15'), (event) => got.push(event), new AbortController().signal),
    ).toBe(true);
    expect(view(got)).toEqual(view(positioned(EVENTS).slice(3)));
  });

  it('forgets a run that is not retained as soon as it ends', async () => {
    const live = new LiveRuns();
    const emit = live.start(runId, scope, new AbortController(), { retain: false });
    for (const event of EVENTS) emit(event);
    expect(live.get(runId)?.done).toBe(false);
    live.finish(runId);
    expect(live.get(runId)).toBeUndefined();
    expect(await live.follow(runId, undefined, () => {}, new AbortController().signal)).toBe(false);
  });

  it('gives a stream that attaches mid-run every event once: journal, then current step, then live', async () => {
    const all = positioned(EVENTS);
    for (const after of [undefined, '0:0', '1:7', '1:15', '1:17', '2:3', '2:6', '2:9']) {
      const live = new LiveRuns();
      const emit = live.start(runId, scope, new AbortController(), { retain: false });
      // Attached during step 2, after its first delta: step 1 is only in the journal now.
      for (const event of EVENTS.slice(0, 7)) emit(event);
      const got: PositionedEvent[] = [];
      const reads: (EventPosition | undefined)[] = [];
      const following = live.follow(
        runId,
        parseEventId(after),
        (event) => got.push(event),
        new AbortController().signal,
        async (from) => {
          reads.push(from);
          // Meanwhile the run goes on: these arrive while the journal is being read.
          emit(EVENTS[7]!);
          return journalAfterStep1(from);
        },
      );
      for (const event of EVENTS.slice(8)) emit(event);
      live.finish(runId);
      await following;
      expect(reads).toHaveLength(1);
      const expected = all.flatMap((event) => continueAfter(parseEventId(after), event) ?? []);
      expect(view(got), `after ${after}`).toEqual(view(expected));
      // The live run-start (with the model) wins over the journal's rebuilt one.
      if (after === undefined) expect(got[0]!.event).toEqual(EVENTS[0]);
    }
  });

  it('needs no journal while the run is still in its first step', async () => {
    const live = new LiveRuns();
    const emit = live.start(runId, scope, new AbortController(), { retain: false });
    for (const event of EVENTS.slice(0, 3)) emit(event);
    const got: PositionedEvent[] = [];
    const following = live.follow(
      runId,
      undefined,
      (event) => got.push(event),
      new AbortController().signal,
      async () => {
        throw new Error('no journal read expected');
      },
    );
    for (const event of EVENTS.slice(3)) emit(event);
    live.finish(runId);
    await following;
    expect(view(got)).toEqual(view(positioned(EVENTS)));
  });

  it('stops delivering when the journal read fails', async () => {
    const live = new LiveRuns();
    const emit = live.start(runId, scope, new AbortController(), { retain: false });
    for (const event of EVENTS.slice(0, 7)) emit(event);
    const got: PositionedEvent[] = [];
    await expect(
      live.follow(
        runId,
        undefined,
        (event) => got.push(event),
        new AbortController().signal,
        async () => {
          throw new Error('store down');
        },
      ),
    ).rejects.toThrow('store down');
    emit(EVENTS[7]!);
    expect(got.map((event) => event.event.type)).toEqual(['run-start']);
  });
});

describe('continueAfter', () => {
  const delta = (units: number, text: string): PositionedEvent => ({
    position: { step: 2, units },
    event: { type: 'text-delta', runId, step: 2, delta: text },
  });

  it('drops what was delivered and cuts a text delta to its unseen part', () => {
    expect(continueAfter({ step: 2, units: 9 }, delta(9, 'is '))).toBeUndefined();
    expect(continueAfter({ step: 2, units: 7 }, delta(9, 'is '))?.event).toMatchObject({ delta: 's ' });
    expect(continueAfter({ step: 2, units: 8 }, delta(9, 'is '))?.event).toMatchObject({ delta: ' ' });
    expect(continueAfter({ step: 2, units: 6 }, delta(9, 'is '))?.event).toMatchObject({ delta: 'is ' });
    expect(continueAfter({ step: 1, units: 40 }, delta(9, 'is '))?.event).toMatchObject({ delta: 'is ' });
    expect(continueAfter(undefined, delta(9, 'is '))?.event).toMatchObject({ delta: 'is ' });
  });
});
