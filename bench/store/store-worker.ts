// Child process of store-bench.ts: owns ONE backend (`tsx store-worker.ts <backend>`), seeds it and
// runs measurement rounds on request over IPC. One process per backend keeps their heaps, GC and
// (for PGlite and dynalite) their in-process database engines from disturbing each other.
import { type OpenBackend, openBackend } from './backends.ts';
import { appendedMessage, BIG_ID, BIG_SCOPE, seedConversation, seedOthers } from './seed-data.ts';
import { type BackendName, isBackendName } from './variants.ts';

export type StoreRequest =
  | { type: 'seed'; messages: number; others: number; batch: number; concurrency: number }
  | { type: 'round'; ops: number; window: number }
  | { type: 'close' };

export type StoreReply =
  | { type: 'ready'; label: string; where: string }
  | { type: 'seeded'; messages: number; others: number; bigMs: number; othersMs: number; settleMs: number }
  | { type: 'round'; appendMs: number[]; loadMs: number[] }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

const name = process.argv[2] ?? '';
if (!isBackendName(name) || !process.send) throw new Error('usage: forked with <pglite|postgres|dynalite>');
const backendName: BackendName = name;
const send = (reply: StoreReply) => process.send?.(reply);
const log = (text: string) => process.stderr.write(`[${backendName}] ${text}\n`);
let backend: OpenBackend | undefined;
let lastSeq = 0;
let appended = 0;

async function seed(request: Extract<StoreRequest, { type: 'seed' }>): Promise<StoreReply> {
  const store = backend!.store;
  let started = performance.now();
  let reported = 0;
  lastSeq = await seedConversation(store, BIG_SCOPE, BIG_ID, request.messages, request.batch, (done) => {
    if (done - reported >= request.messages / 10) {
      reported = done;
      log(
        `big conversation ${done}/${request.messages} messages, ${((performance.now() - started) / 1000).toFixed(0)} s`,
      );
    }
  });
  const bigMs = performance.now() - started;
  started = performance.now();
  await seedOthers(store, request.others, request.concurrency, (done) => {
    if (done % Math.max(500, Math.floor(request.others / 10)) === 0)
      log(`other conversations ${done}/${request.others}`);
  });
  const othersMs = performance.now() - started;
  started = performance.now();
  await backend!.settle();
  const settleMs = performance.now() - started;
  log(`seeded in ${((bigMs + othersMs + settleMs) / 1000).toFixed(0)} s`);
  return { type: 'seeded', messages: request.messages, others: request.others, bigMs, othersMs, settleMs };
}

async function round(request: Extract<StoreRequest, { type: 'round' }>): Promise<StoreReply> {
  const { conversations } = backend!.store;
  const appendMs: number[] = [];
  const loadMs: number[] = [];
  for (let i = 0; i < request.ops; i++) {
    const message = appendedMessage(appended++);
    const start = performance.now();
    const result = await conversations.appendMessages(BIG_SCOPE, BIG_ID, lastSeq, [message]);
    appendMs.push(performance.now() - start);
    if (result.lastSeq !== lastSeq + 1) throw new Error(`append returned seq ${result.lastSeq}, not ${lastSeq + 1}`);
    lastSeq = result.lastSeq;
  }
  for (let i = 0; i < request.ops; i++) {
    const start = performance.now();
    const window = await conversations.loadMessages(BIG_SCOPE, BIG_ID, { last: request.window });
    loadMs.push(performance.now() - start);
    if (
      window.length !== request.window ||
      window.at(-1)?.seq !== lastSeq ||
      window[0]?.seq !== lastSeq - request.window + 1
    ) {
      throw new Error(
        `window of ${window.length} messages ${window[0]?.seq}..${window.at(-1)?.seq}; expected ..${lastSeq}`,
      );
    }
  }
  return { type: 'round', appendMs, loadMs };
}

async function close(): Promise<void> {
  const open = backend;
  backend = undefined;
  await open?.close();
}

async function handle(request: StoreRequest): Promise<void> {
  try {
    if (request.type === 'seed') send(await seed(request));
    else if (request.type === 'round') send(await round(request));
    else {
      await close();
      send({ type: 'closed' });
      process.disconnect?.();
    }
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

// Requests arrive one at a time (the parent awaits each reply), so they never overlap.
process.on('message', (request: StoreRequest) => void handle(request));
// The parent went away (Ctrl-C, crash): still drop the schema and remove the folder.
process.on('disconnect', () => void close().finally(() => process.exit(0)));

try {
  backend = await openBackend(backendName);
  send({ type: 'ready', label: backend.label, where: backend.where });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.disconnect?.();
}
