// Conversation content for the store benchmark: realistic turns (a question, a tool call, its JSON
// result, a prose answer), deterministic so every backend stores the same bytes.
import type { Message } from '../../src/agent/messages.ts';
import type { Scope } from '../../src/store/scope.ts';
import type { Store } from '../../src/store/store.ts';

export const TENANT = 'bench';
/** The other conversations are spread over this many users; the big conversation's user owns some too. */
export const USERS = 100;
export const BIG_SCOPE: Scope = { tenantId: TENANT, userId: 'user-0' };
export const BIG_ID = 'big-conversation';
/** Messages of one seeded turn. */
export const MESSAGES_PER_TURN = 4;

const WORDS = (
  'order shipment invoice refund customer warehouse delivery tracking payment account address product ' +
  'quantity discount status pending delayed returned express standard region supplier inventory report'
).split(' ');

/** Deterministic filler of about `chars` characters. */
function words(seed: number, chars: number): string {
  let text = '';
  let state = seed >>> 0 || 1;
  while (text.length < chars) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    text += `${WORDS[state % WORDS.length]} `;
  }
  return text.trimEnd();
}

/** Message `index` (0-based) of a conversation made of 4-message turns; bodies of ~150 to ~500 characters of JSON. */
export function seedMessage(index: number): Message {
  const turn = Math.floor(index / MESSAGES_PER_TURN);
  const callId = `call_${turn}`;
  switch (index % MESSAGES_PER_TURN) {
    case 0:
      return { role: 'user', content: [{ type: 'text', text: `Question ${turn}: ${words(index, 120)}?` }] };
    case 1:
      return {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: callId, toolName: 'lookup_order', input: { orderId: `o-${turn}` } }],
      };
    case 2:
      return {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: callId,
            toolName: 'lookup_order',
            output: { orderId: `o-${turn}`, status: 'shipped', items: 3, total: 129.5, note: words(index, 200) },
            isError: false,
          },
        ],
      };
    default:
      return { role: 'assistant', content: [{ type: 'text', text: words(index, 420) }] };
  }
}

/** The message appended (alone) in the measured appends: alternately a user question and an answer. */
export function appendedMessage(index: number): Message {
  return index % 2 === 0
    ? { role: 'user', content: [{ type: 'text', text: `Follow-up ${index}: ${words(index, 120)}?` }] }
    : { role: 'assistant', content: [{ type: 'text', text: words(index, 420) }] };
}

/** Appends `count` seed messages to the conversation in calls of at most `batch` messages. */
export async function seedConversation(
  store: Store,
  scope: Scope,
  id: string,
  count: number,
  batch: number,
  onProgress?: (done: number) => void,
): Promise<number> {
  await store.conversations.ensureConversation(scope, id, `Seeded ${id}`);
  let lastSeq = 0;
  while (lastSeq < count) {
    const size = Math.min(batch, count - lastSeq);
    const messages = Array.from({ length: size }, (_, offset) => seedMessage(lastSeq + offset));
    lastSeq = (await store.conversations.appendMessages(scope, id, lastSeq, messages)).lastSeq;
    onProgress?.(lastSeq);
  }
  return lastSeq;
}

/** `count` other conversations of one turn each, over USERS users, `concurrency` at a time. */
export async function seedOthers(
  store: Store,
  count: number,
  concurrency: number,
  onProgress?: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const scope: Scope = { tenantId: TENANT, userId: `user-${index % USERS}` };
      const turn = Array.from({ length: MESSAGES_PER_TURN }, (_, offset) =>
        seedMessage(index * MESSAGES_PER_TURN + offset),
      );
      await store.conversations.ensureConversation(scope, `other-${index}`, `Other ${index}`);
      await store.conversations.appendMessages(scope, `other-${index}`, 0, turn);
      done++;
      if (done % 500 === 0) onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
