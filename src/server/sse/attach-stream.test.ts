import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { createTestRuntime } from '../testing/test-runtime.ts';
import { formatEventId } from './event-ids.ts';
import { eventsFromJournal } from './journal-events.ts';

/**
 * A run answered as JSON keeps no event buffer; a stream that attaches while it runs gets the
 * earlier steps from the journal and the rest live, with the ids a full stream has.
 */
const SCRIPT_DIR = mkdtempSync(join(tmpdir(), 'agentry-attach-'));
const SCRIPT = join(SCRIPT_DIR, 'attach.json');
writeFileSync(
  SCRIPT,
  JSON.stringify({
    replies: [
      {
        when: '.',
        steps: [
          { text: 'Let me compute that.', toolCalls: [{ name: 'calculate', input: { expression: '6 * 7' } }] },
          { text: 'And check it backwards.', toolCalls: [{ name: 'calculate', input: { expression: '42 / 7' } }] },
          { text: 'Six times seven is 42.', delayMs: 300 },
        ],
      },
    ],
  }),
);

const alice = { key: 'key-alice', tenantId: 't1', userId: 'alice' };

function parseSse(text: string): { id: string; event: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .filter((line) => line.startsWith(`${name}:`))
          .map((line) => line.slice(name.length + 1).trimStart())
          .join('\n');
      return { id: field('id'), event: field('event'), data: field('data') };
    });
}

describe('a stream attached to a run answered as JSON', () => {
  it('gets every event once, with the ids of a full stream, and the run leaves the hub when it ends', async () => {
    const runtime = await createTestRuntime({ keys: [alice], model: `scripted:${SCRIPT}` });
    const app = createApp(runtime);
    const headers = { 'x-api-key': alice.key, 'content-type': 'application/json' };
    const json = app.request('/v1/agents/assistant/runs', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: 'What is 6 * 7?' }),
    });
    // Wait until steps 1 and 2 are journaled (model step, tool started, tool result each): step 3
    // sleeps then. The hub holds step 2's events; step 1 is only in the journal.
    const scope = { tenantId: alice.tenantId, userId: alice.userId };
    let runId: string | undefined;
    for (let attempt = 0; attempt < 200; attempt++) {
      runId = (await runtime.store.runs.listRuns(scope)).items[0]?.id;
      if (runId && (await runtime.store.runs.loadJournal(runId)).length >= 6) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(runId).toBeDefined();
    expect(runtime.live.get(runId!)?.done).toBe(false);

    const attached = await app.request(`/v1/runs/${runId}/events`, { headers });
    const events = parseSse(await attached.text());
    expect((await (await json).json()).text).toBe('Six times seven is 42.');
    expect(runtime.live.get(runId!)).toBeUndefined();

    expect(events.map((event) => event.event)).toEqual([
      'run-start',
      'text-delta', // step 1, from the journal: its text in one delta
      'usage',
      'tool-call',
      'tool-result',
      'text-delta', // step 2, from the hub: the deltas as streamed
      'text-delta',
      'usage',
      'tool-call',
      'tool-result',
      'text-delta', // step 3, live
      'text-delta',
      'usage',
      'run-end',
    ]);
    // The live run-start names the model; the journal's rebuild cannot.
    expect(JSON.parse(events[0]!.data).model).toContain('scripted:');
    const run = await runtime.store.runs.getRun(scope, runId!);
    const journal = eventsFromJournal(run!, await runtime.store.runs.loadJournal(runId!), undefined);
    const text = (list: { event: string; data: string }[]) =>
      list
        .filter((event) => event.event === 'text-delta')
        .map((event) => JSON.parse(event.data).delta)
        .join('');
    expect(text(events)).toBe(text(journal.map(({ event }) => ({ event: event.type, data: JSON.stringify(event) }))));
    const ids = (list: { id: string; event: string }[]) =>
      list.filter((event) => event.event !== 'text-delta').map((event) => event.id);
    expect(ids(events)).toEqual(
      ids(journal.map(({ position, event }) => ({ id: formatEventId(position), event: event.type }))),
    );
  });
});
