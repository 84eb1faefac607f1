import { describe, expect, it } from 'vitest';
import type { Message } from '../agent/messages.ts';
import { AgentRunner } from '../runner/agent-runner.ts';
import type { StoredMessage } from '../store/conversations.ts';
import { createMemoryStore } from '../store/memory/memory-store.ts';
import { scriptedAgent } from '../testing/scripted-agent.ts';
import { loadWindow, trimWindow } from './load-window.ts';
import { DEFAULT_MEMORY } from './settings.ts';
import { summaryBeforeWindow } from './summarize.ts';

const scope = { tenantId: 't', userId: 'u' };
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const turn = (id: string, text: string): Message[] => [
  user(text),
  {
    role: 'assistant',
    content: [{ type: 'tool-call', toolCallId: id, toolName: 'calculate', input: { expression: '1+1' } }],
  },
  {
    role: 'tool',
    content: [{ type: 'tool-result', toolCallId: id, toolName: 'calculate', output: { result: 2 }, isError: false }],
  },
  { role: 'assistant', content: [{ type: 'text', text: `answer ${id}` }] },
];
const stored = (messages: Message[]): StoredMessage[] =>
  messages.map((message, index) => ({ schemaVersion: 1, conversationId: 'c', seq: index + 1, message, createdAt: '' }));

describe('history window', () => {
  it('reads only the newest messages and opens the window at a user message', async () => {
    const store = createMemoryStore();
    await store.conversations.ensureConversation(scope, 'c');
    const all = [...turn('a', 'first'), ...turn('b', 'second'), ...turn('c', 'third')];
    await store.conversations.appendMessages(scope, 'c', 0, all);
    // 6 newest messages start inside turn b (its tool result): the window must skip to turn c.
    const window = await loadWindow(store.conversations, scope, 'c', { maxMessages: 6, maxTokens: 100_000 });
    expect(window.messages).toEqual(turn('c', 'third'));
    expect(window).toMatchObject({ firstSeq: 9, lastSeq: 12 });
  });

  it('never splits a tool call from its result when the token budget cuts', () => {
    const messages = [...turn('a', 'x'.repeat(400)), ...turn('b', 'short')];
    for (let budget = 0; budget < 400; budget += 7) {
      const window = trimWindow(stored(messages), budget);
      if (window.messages.length === 0) continue;
      expect(window.messages[0]?.role).toBe('user');
      const callIds = window.messages.flatMap((message) =>
        message.content.flatMap((block) => (block.type === 'tool-call' ? [block.toolCallId] : [])),
      );
      const resultIds = window.messages.flatMap((message) =>
        message.content.flatMap((block) => (block.type === 'tool-result' ? [block.toolCallId] : [])),
      );
      expect(resultIds).toEqual(callIds);
    }
    expect(trimWindow(stored(messages), 150).messages).toEqual(turn('b', 'short'));
    expect(trimWindow(stored(messages), 100_000).messages).toHaveLength(8);
  });

  it('summarizes turns that left the window with the agent model, stores the summary and reuses it', async () => {
    const store = createMemoryStore();
    await store.conversations.ensureConversation(scope, 'c');
    await store.conversations.appendMessages(scope, 'c', 0, [
      user('My name is Alice and I like tea'),
      { role: 'assistant', content: [{ type: 'text', text: 'Noted!' }] },
      ...turn('a', 'more'),
      ...turn('b', 'recent'),
    ]);
    const agent = scriptedAgent({
      script: {
        steps: [{ text: 'The user is Alice; she likes tea.', expect: { promptContains: 'My name is Alice' } }],
      },
    });
    const settings = { ...DEFAULT_MEMORY, summarize: true, summarizeAfter: 2, maxMessages: 4 };
    const window = await loadWindow(store.conversations, scope, 'c', settings);
    expect(window.firstSeq).toBe(7);
    const suffix = await summaryBeforeWindow(store.conversations, scope, 'c', window, agent, settings);
    expect(suffix).toContain('The user is Alice; she likes tea.');
    expect(await store.conversations.getSummary(scope, 'c')).toMatchObject({ throughSeq: 6 });
    // Reused: no second model call while nothing new fell out of the window.
    expect(await summaryBeforeWindow(store.conversations, scope, 'c', window, agent, settings)).toBe(suffix);
    expect(agent.model.model.calls).toHaveLength(1);
  });

  it('a durable turn shows the summary to the model', async () => {
    const store = createMemoryStore();
    await store.conversations.ensureConversation(scope, 'c');
    await store.conversations.appendMessages(scope, 'c', 0, [
      user('My name is Alice'),
      { role: 'assistant', content: [{ type: 'text', text: 'Hi Alice' }] },
      ...turn('a', 'filler'),
    ]);
    const agent = scriptedAgent({
      script: {
        replies: [
          { when: 'New messages', steps: [{ text: 'User is Alice.' }] },
          { when: "What's my name", steps: [{ text: 'Alice.', expect: { system: 'User is Alice.' } }] },
        ],
      },
      memory: { summarize: true, summarizeAfter: 2, maxMessages: 4 },
    });
    const runner = new AgentRunner({ store, agent: () => agent });
    const result = await runner.run(scope, { agent: 'a', query: "What's my name?", conversationId: 'c' });
    expect(result).toMatchObject({ status: 'succeeded', text: 'Alice.' });
  });
});
