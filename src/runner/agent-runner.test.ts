import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Agent } from '../agent/agent.ts';
import { AgentryError } from '../errors.ts';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import type { Scope } from '../store/scope.ts';
import type { Store } from '../store/store.ts';
import type { ModelScript } from '../testing/model-script.ts';
import { scriptedAgent } from '../testing/scripted-agent.ts';
import { defineTool } from '../tools/define-tool.ts';
import { AgentRunner } from './agent-runner.ts';

const alice: Scope = { tenantId: 't1', userId: 'alice' };

/** Routed by the user message, so a fresh model (a "new process") continues where the old one stopped. */
const twoToolScript: ModelScript = {
  replies: [
    {
      when: 'charge',
      steps: [
        { toolCalls: [{ name: 'charge_card', input: { cents: 100 }, id: 'pay-1' }] },
        {
          toolCalls: [{ name: 'send_receipt', input: { to: 'alice' }, id: 'mail-1' }],
          expect: { toolResult: 'charged 100' },
        },
        { text: 'Charged and receipted.', expect: { toolResult: 'sent to alice' } },
      ],
    },
  ],
};

function sideEffectTools(effects: string[], options: { hangOn?: string } = {}) {
  const charge = defineTool({
    name: 'charge_card',
    description: 'Charges a card. Not idempotent.',
    input: z.object({ cents: z.number() }),
    run: ({ cents }) => {
      effects.push(`charge ${cents}`);
      return `charged ${cents}`;
    },
  });
  const receipt = defineTool({
    name: 'send_receipt',
    description: 'Sends a receipt, keyed by call id.',
    input: z.object({ to: z.string() }),
    idempotent: true,
    run: ({ to }, { signal }) => {
      if (options.hangOn === 'send_receipt')
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      effects.push(`receipt ${to}`);
      return `sent to ${to}`;
    },
  });
  return [charge, receipt];
}

function runnerFor(store: Store, agent: () => Agent, owner: string, now = () => Date.now()) {
  return new AgentRunner({ store, agent: () => agent(), owner, leaseTtlMs: 1_000, now });
}

/**
 * A process ('dead') runs the charge-me turn and loses its store at the journal write after the
 * charge: the run is left `running` (charged, receipt not sent) until its lease expires.
 */
async function abandonAfterCharge(store: Store, agent: () => Agent, runId: string): Promise<void> {
  const original = store.runs.appendJournal.bind(store.runs);
  store.runs.appendJournal = async (...args) => {
    if (args[2] === 3) {
      store.runs.appendJournal = original;
      throw new AgentryError('STORE_UNAVAILABLE', 'gone', { retryable: true });
    }
    return original(...args);
  };
  const left = await runnerFor(store, agent, 'dead').run(alice, { agent: 'a', query: 'charge me', runId });
  expect(left).toMatchObject({ status: 'failed', error: { code: 'STORE_UNAVAILABLE' } });
}

describe('AgentRunner', () => {
  it('persists each turn, so the next turn sees the earlier one', async () => {
    const store = createMemoryStore();
    const agent = scriptedAgent({
      script: {
        steps: [
          { text: 'Nice to meet you, Alice!' },
          { text: 'Your name is Alice.', expect: { userText: "What's my name?", promptContains: 'My name is Alice' } },
        ],
      },
    });
    const runner = runnerFor(store, () => agent, 'p1');
    const first = await runner.run(alice, { agent: 'assistant', query: 'My name is Alice' });
    const second = await runner.run(alice, {
      agent: 'assistant',
      query: "What's my name?",
      conversationId: first.conversationId,
    });
    expect(second.text).toBe('Your name is Alice.');
    const stored = await store.conversations.loadMessages(alice, first.conversationId);
    expect(stored.map((entry) => entry.message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(stored.map((entry) => entry.runId)).toEqual([first.runId, first.runId, second.runId, second.runId]);
    expect(await store.runs.getRun(alice, second.runId)).toMatchObject({
      status: 'succeeded',
      text: 'Your name is Alice.',
    });
    expect((await store.runs.loadJournal(second.runId)).map((record) => record.entry.kind)).toEqual(['model-step']);
  });

  it('journals every step before the next: model step with tool-started, then each result', async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    const agent = scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects) });
    const result = await runnerFor(store, () => agent, 'p1').run(alice, { agent: 'a', query: 'charge me' });
    expect(result.status).toBe('succeeded');
    const kinds = (await store.runs.loadJournal(result.runId)).map((record) => record.entry.kind);
    expect(kinds).toEqual([
      'model-step',
      'tool-started',
      'tool-result',
      'model-step',
      'tool-started',
      'tool-result',
      'model-step',
    ]);
  });

  it("resumes a dead process's run without repeating model calls or completed tools", async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    // Process 1 dies inside send_receipt (after charge_card completed): simulate with a hanging tool and no finish.
    const dying = scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects, { hangOn: 'send_receipt' }) });
    const controller = new AbortController();
    const runner1 = runnerFor(store, () => dying, 'p1');
    const pending = runner1.run(alice, { agent: 'a', query: 'charge me', runId: 'run-1', signal: controller.signal });
    await until(async () => (await store.runs.loadJournal('run-1')).length === 5);
    // "Kill": take the lease away by expiring it, as if the process stopped renewing it.
    const later = Date.now() + 10_000;
    const fresh = scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects) });
    const runner2 = runnerFor(
      store,
      () => fresh,
      'p2',
      () => later,
    );
    const abandoned = await store.runs.listAbandonedRuns(later);
    expect(abandoned.map((run) => run.id)).toEqual(['run-1']);
    const resumed = await runner2.resumeAbandoned();
    controller.abort();
    await pending;

    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ status: 'succeeded', text: 'Charged and receipted.' });
    expect(effects).toEqual(['charge 100', 'receipt alice']); // charge ran once, in process 1
    // Process 2 made only the last model call: the two earlier ones were replayed from the journal.
    expect(fresh.model.model.calls.map((call) => call.stepIndex)).toEqual([2]);
    const stored = await store.conversations.loadMessages(alice, resumed[0]!.conversationId);
    expect(stored.map((entry) => entry.message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(await store.runs.getRun(alice, 'run-1')).toMatchObject({ status: 'succeeded' });
  });

  it('reports an interrupted non-idempotent tool to the model instead of running it twice', async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    await store.conversations.ensureConversation(alice, 'c1');
    const past = Date.now() - 60_000;
    await store.runs.createRun({
      id: 'run-2',
      tenantId: 't1',
      userId: 'alice',
      agent: 'a',
      conversationId: 'c1',
      query: 'charge me',
      status: 'running',
      createdAt: new Date(past).toISOString(),
      updatedAt: new Date(past).toISOString(),
      leaseOwner: 'dead',
      leaseExpiresAt: past,
    });
    // The dead process journaled the model step and "started" the charge, then died mid-call.
    await store.runs.acquireLease('run-2', 'dead', past, 1);
    await store.runs.appendJournal('run-2', 'dead', 0, [
      {
        kind: 'model-step',
        step: 1,
        text: '',
        toolCalls: [{ type: 'tool-call', toolCallId: 'pay-1', toolName: 'charge_card', input: { cents: 100 } }],
        finishReason: 'tool-calls',
        usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 },
      },
      { kind: 'tool-started', step: 1, toolCallId: 'pay-1', toolName: 'charge_card' },
    ]);
    const agent = scriptedAgent({
      script: {
        replies: [
          {
            when: 'charge',
            steps: [
              { text: 'unused' },
              {
                text: 'I could not confirm the charge.',
                expect: { toolResult: 'not repeated because the tool is not idempotent' },
              },
            ],
          },
        ],
      },
      tools: sideEffectTools(effects),
    });
    const result = await runnerFor(store, () => agent, 'p2').resume('run-2');
    expect(result).toMatchObject({ status: 'succeeded', text: 'I could not confirm the charge.' });
    expect(effects).toEqual([]);
  });

  it('does not resume a run whose lease is still held by a live process', async () => {
    const store = createMemoryStore();
    const agent = scriptedAgent({ script: { steps: [{ text: 'slow', delayMs: 60_000 }] } });
    const controller = new AbortController();
    const pending = runnerFor(store, () => agent, 'p1').run(alice, {
      agent: 'a',
      query: 'q',
      runId: 'run-3',
      signal: controller.signal,
    });
    await until(async () => (await store.runs.getRunById('run-3')) !== undefined);
    expect(await runnerFor(store, () => agent, 'p2').resume('run-3')).toBeUndefined();
    controller.abort();
    expect((await pending).status).toBe('cancelled');
    expect(await store.runs.getRunById('run-3')).toMatchObject({ status: 'cancelled' });
  });

  it('fails with a coded error when the store goes away mid-run, and resumes later', async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    const agent = () => scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects) });
    const original = store.runs.appendJournal.bind(store.runs);
    let writes = 0;
    store.runs.appendJournal = async (...args) => {
      if (++writes === 4)
        throw new AgentryError('STORE_UNAVAILABLE', 'The database is unreachable.', { retryable: true });
      return original(...args);
    };
    const failed = await runnerFor(store, agent, 'p1').run(alice, { agent: 'a', query: 'charge me', runId: 'run-4' });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'STORE_UNAVAILABLE' } });
    expect(await store.runs.getRunById('run-4')).toMatchObject({ status: 'running' });

    store.runs.appendJournal = original;
    const later = Date.now() + 10_000;
    const [resumed] = await runnerFor(store, agent, 'p2', () => later).resumeAbandoned();
    expect(resumed).toMatchObject({ runId: 'run-4', status: 'succeeded' });
    // The outage hit the write of the receipt's result: the charge (journaled) did not run again; the
    // receipt tool is idempotent, so it ran again (real idempotent tools key their effect by call id).
    expect(effects).toEqual(['charge 100', 'receipt alice', 'receipt alice']);
  });

  it('finishes a run whose messages landed before its process died, without running anything', async () => {
    const store = createMemoryStore();
    const agent = scriptedAgent({ script: { steps: [{ text: 'done' }] } });
    const result = await runnerFor(store, () => agent, 'p1').run(alice, { agent: 'a', query: 'q', runId: 'run-5' });
    // Pretend the process died after appending the messages but before finishing the run.
    const run = (await store.runs.getRunById('run-5'))!;
    Object.assign(run, { status: 'running' });
    const internal = store.runs as unknown as { runs: Map<string, typeof run> };
    internal.runs.set('run-5', { ...run, status: 'running', leaseOwner: 'dead', leaseExpiresAt: 0 });
    const again = scriptedAgent({ script: { steps: [] } });
    const resumed = await runnerFor(store, () => again, 'p2').resume('run-5');
    expect(resumed).toMatchObject({ status: 'succeeded', text: 'done' });
    expect(again.model.model.calls).toHaveLength(0);
    expect(await store.conversations.loadMessages(alice, result.conversationId)).toHaveLength(2);
  });
});

describe('AgentRunner store calls', () => {
  it('makes one call to start, one per journal write and one to end; flushes only around a non-idempotent tool', async () => {
    const store = createMemoryStore();
    const calls: string[] = [];
    const spy = <T extends object>(target: T, prefix: string): T =>
      new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const options = property === 'appendJournal' ? (args[4] as { durability?: string } | undefined) : undefined;
            const kinds =
              property === 'appendJournal' ? (args[3] as { kind: string }[]).map((entry) => entry.kind).join('+') : '';
            calls.push(`${prefix}.${String(property)}${kinds ? ` ${kinds} ${options?.durability ?? 'flush'}` : ''}`);
            return value.apply(object, args);
          };
        },
      });
    const watched: Store = {
      ...store,
      conversations: spy(store.conversations, 'conversations'),
      runs: spy(store.runs, 'runs'),
      turns: spy(store.turns, 'turns'),
    };
    const effects: string[] = [];
    const agent = scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects) });
    const result = await runnerFor(watched, () => agent, 'p1').run(alice, { agent: 'a', query: 'charge me' });
    expect(result.status).toBe('succeeded');
    expect(calls).toEqual([
      'turns.startTurn',
      // charge_card is not idempotent: the entry that starts it is flushed before it runs, and its
      // result as soon as it returns.
      'runs.appendJournal model-step+tool-started flush',
      'runs.appendJournal tool-result flush',
      // send_receipt is idempotent.
      'runs.appendJournal model-step+tool-started relaxed',
      'runs.appendJournal tool-result relaxed',
      // The final model step, the messages and the outcome: one commit.
      'turns.finishTurn',
    ]);
    const kinds = (await store.runs.loadJournal(result.runId)).map((record) => record.entry.kind);
    expect(kinds.at(-1)).toBe('model-step');
  });

  it('appends after a turn that landed meanwhile, and never writes once its lease was taken over', async () => {
    const store = createMemoryStore();
    await store.conversations.ensureConversation(alice, 'c1');
    const interloper = defineTool({
      name: 'interleave',
      description: 'Lets another turn land while this run is in flight.',
      input: z.object({}),
      idempotent: true,
      run: async () => {
        const lastSeq = (await store.conversations.getConversation(alice, 'c1'))!.lastSeq;
        await store.conversations.appendMessages(alice, 'c1', lastSeq, [
          { role: 'user', content: [{ type: 'text', text: 'meanwhile' }] },
        ]);
        return 'ok';
      },
    });
    const script: ModelScript = {
      replies: [
        {
          when: 'go',
          steps: [{ toolCalls: [{ name: 'interleave', input: {}, id: 'i-1' }] }, { text: 'done' }],
        },
      ],
    };
    const runner = runnerFor(store, () => scriptedAgent({ script, tools: [interloper] }), 'p1');
    const first = await runner.run(alice, { agent: 'a', query: 'go', conversationId: 'c1' });
    expect(first.status).toBe('succeeded');
    const writers = async () =>
      (await store.conversations.loadMessages(alice, 'c1')).map((entry) => entry.runId ?? 'other');
    expect(await writers()).toEqual(['other', first.runId, first.runId, first.runId, first.runId]);

    // Another process takes the lease over just before this one ends the run (it stalled past its TTL).
    const finishTurn = store.turns.finishTurn.bind(store.turns);
    store.turns.finishTurn = async (input) => {
      await store.runs.acquireLease(input.runId, 'p2', Date.now() + 60_000, 60_000);
      return finishTurn(input);
    };
    const second = await runner.run(alice, { agent: 'a', query: 'go', conversationId: 'c1' });
    expect(second).toMatchObject({ status: 'failed', error: { code: 'RUN_LEASE_LOST' } });
    // Nothing of the second run landed; the run is left to the process holding its lease.
    expect((await writers()).filter((runId) => runId === second.runId)).toEqual([]);
    expect(await store.runs.getRunById(second.runId)).toMatchObject({ status: 'running', leaseOwner: 'p2' });
    expect((await store.runs.loadJournal(second.runId)).map((record) => record.entry.kind)).toEqual([
      'model-step',
      'tool-started',
      'tool-result',
    ]);
  });
});

describe('AgentRunner resumer', () => {
  it('sweeps abandoned runs periodically and hands the run it is resuming over when stopped', async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    const agent = () => scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects) });
    // A process lost its store mid-run (after the charge) and left the run running until its lease expires.
    const abandon = (runId: string) => abandonAfterCharge(store, agent, runId);
    await abandon('run-a');

    let clock = Date.now();
    const sweeper = runnerFor(store, agent, 'sweeper', () => clock);
    const stop = new AbortController();
    const swept: string[] = [];
    const resumer = sweeper.startResumer(5, {
      signal: stop.signal,
      onResumed: (results) => swept.push(...results.map((result) => `${result.runId} ${result.status}`)),
    });
    // The lease has not expired yet: the first sweep leaves the run alone.
    expect(await resumer.first).toEqual([]);
    clock += 10_000;
    await until(async () => swept.length > 0);
    expect(swept).toEqual(['run-a succeeded']);
    expect(effects).toEqual(['charge 100', 'receipt alice']);

    // A run the sweep is resuming when it stops is handed over: still running, its lease released.
    const hanging = () =>
      scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects, { hangOn: 'send_receipt' }) });
    await abandon('run-b');
    expect(effects).toEqual(['charge 100', 'receipt alice', 'charge 100']);
    const second = runnerFor(store, hanging, 'sweeper-2', () => clock + 20_000);
    const stopSecond = new AbortController();
    const running = second.startResumer(5, { signal: stopSecond.signal });
    await until(async () => (await store.runs.getRunById('run-b'))?.leaseOwner === 'sweeper-2');
    stopSecond.abort(new AgentryError('SHUTTING_DOWN', 'stopping', { retryable: true }));
    await running.stopped;
    // Handed over: still running, its lease expired at once, so another process takes it now.
    expect(await store.runs.getRunById('run-b')).toMatchObject({ status: 'running' });
    expect(await store.runs.acquireLease('run-b', 'someone-else', clock + 20_000, 1_000)).toBe(true);
    expect(effects).toEqual(['charge 100', 'receipt alice', 'charge 100']);
    stop.abort();
    await resumer.stopped;
  });
});

describe('AgentRunner resume guards', () => {
  it('never resumes a run it is executing itself, even when its lease ran out (renewals failed)', async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    const agent = () =>
      scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects, { hangOn: 'send_receipt' }) });
    let clock = Date.now();
    const runner = runnerFor(store, agent, 'p1', () => clock);
    const stop = new AbortController();
    const running = runner.run(alice, { agent: 'a', query: 'charge me', runId: 'run-self', signal: stop.signal });
    await until(async () =>
      (await store.runs.loadJournal('run-self')).some(
        (record) => record.entry.kind === 'tool-started' && record.entry.toolName === 'send_receipt',
      ),
    );
    clock += 10_000; // the lease expired: to the store, the run looks abandoned
    expect((await store.runs.listAbandonedRuns(clock)).map((run) => run.id)).toEqual(['run-self']);
    expect(await runner.resume('run-self')).toBeUndefined();
    expect(await runner.resumeAbandoned()).toEqual([]);
    stop.abort(new AgentryError('SHUTTING_DOWN', 'stopping', { retryable: true }));
    expect(await running).toMatchObject({ status: 'cancelled', error: { code: 'SHUTTING_DOWN' } });
    expect(effects).toEqual(['charge 100']);
  });

  it('hands a run over when the stop comes while its resume is still reading the store', async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    const script = () => scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects) });
    await abandonAfterCharge(store, script, 'run-h');
    const stop = new AbortController();
    const loadJournal = store.runs.loadJournal.bind(store.runs);
    store.runs.loadJournal = async (runId) => {
      stop.abort(new AgentryError('SHUTTING_DOWN', 'stopping', { retryable: true }));
      return loadJournal(runId);
    };
    const later = Date.now() + 10_000;
    const agent = script();
    const result = await runnerFor(
      store,
      () => agent,
      'p2',
      () => later,
    ).resume('run-h', { signal: stop.signal });
    expect(result).toMatchObject({ status: 'cancelled', error: { code: 'SHUTTING_DOWN' } });
    expect(agent.model.model.calls).toHaveLength(0);
    expect(effects).toEqual(['charge 100']);
    // Handed over: still running, and its lease free for the next process at once.
    expect(await store.runs.getRunById('run-h')).toMatchObject({ status: 'running' });
    expect(await store.runs.acquireLease('run-h', 'p3', later, 1_000)).toBe(true);
  });
});

describe('AgentRunner cancellation through the store', () => {
  it('ends an abandoned run whose cancellation was requested without calling the model again', async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    const agent = scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects) });
    await abandonAfterCharge(store, () => agent, 'run-c');
    const calls = agent.model.model.calls.length;
    expect(await store.runs.requestCancel(alice, 'run-c')).toBe(true);
    const later = Date.now() + 10_000;
    const [resumed] = await runnerFor(
      store,
      () => agent,
      'p2',
      () => later,
    ).resumeAbandoned();
    expect(resumed).toMatchObject({ runId: 'run-c', status: 'cancelled', error: { code: 'RUN_CANCELLED' } });
    expect(agent.model.model.calls).toHaveLength(calls);
    expect(await store.runs.getRunById('run-c')).toMatchObject({ status: 'cancelled' });
    expect(effects).toEqual(['charge 100']);
  });
});

describe('AgentRunner when the last commit fails', () => {
  const script: ModelScript = { replies: [{ when: 'hello', steps: [{ text: 'Hi there.' }] }] };

  it('ends the run as failed when its conversation was deleted meanwhile, so no resume calls the model again', async () => {
    const store = createMemoryStore();
    const agent = scriptedAgent({ script });
    const finishTurn = store.turns.finishTurn.bind(store.turns);
    store.turns.finishTurn = async (input) => {
      await store.conversations.deleteConversation(input.scope, input.conversationId);
      return finishTurn(input);
    };
    const result = await runnerFor(store, () => agent, 'p1').run(alice, {
      agent: 'a',
      query: 'hello',
      runId: 'run-gone',
    });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'CONVERSATION_NOT_FOUND' } });
    expect(await store.runs.getRunById('run-gone')).toMatchObject({
      status: 'failed',
      error: { code: 'CONVERSATION_NOT_FOUND' },
    });
    expect(agent.model.model.calls).toHaveLength(1);
    store.turns.finishTurn = finishTurn;
    const later = Date.now() + 10_000;
    expect(
      await runnerFor(
        store,
        () => agent,
        'p2',
        () => later,
      ).resumeAbandoned(),
    ).toEqual([]);
    expect(agent.model.model.calls).toHaveLength(1);
  });

  it('reports a journal the store lost as a retryable outage and leaves the run to a resume', async () => {
    const store = createMemoryStore();
    const effects: string[] = [];
    const agent = () => scriptedAgent({ script: twoToolScript, tools: sideEffectTools(effects) });
    const original = store.runs.appendJournal.bind(store.runs);
    let writes = 0;
    // The third write finds the journal one entry short: what a database restart does to a relaxed commit.
    store.runs.appendJournal = async (runId, owner, expected, entries, options) => {
      if (++writes === 3)
        throw new AgentryError('RUN_CONFLICT', 'Journal moved on.', { details: { lastSeq: expected - 1 } });
      return original(runId, owner, expected, entries, options);
    };
    const failed = await runnerFor(store, agent, 'p1').run(alice, {
      agent: 'a',
      query: 'charge me',
      runId: 'run-lost',
    });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'STORE_UNAVAILABLE', retryable: true } });
    expect(await store.runs.getRunById('run-lost')).toMatchObject({ status: 'running' });
    store.runs.appendJournal = original;
    const later = Date.now() + 10_000;
    const [resumed] = await runnerFor(store, agent, 'p2', () => later).resumeAbandoned();
    expect(resumed).toMatchObject({ runId: 'run-lost', status: 'succeeded' });
    expect(effects).toEqual(['charge 100', 'receipt alice']);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
