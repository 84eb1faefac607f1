// Store benchmark: append and window-load latency on a big conversation, PGlite (on disk), the
// PostgreSQL server and dynalite side by side in one run. Run: npm run bench:store [-- --help]
//
// Each backend lives in its own child process (store-worker.ts). All are seeded (concurrently),
// settled (VACUUM ANALYZE + CHECKPOINT on the SQL ones), warmed up, then measured in rounds that
// alternate the backends, rotating their order every round so machine drift spreads evenly.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IpcChild } from './ipc-child.ts';
import { fixed, markdownTable, rotate, summarize } from './stats.ts';
import type { StoreReply, StoreRequest } from './store-worker.ts';
import { type BackendName, isBackendName } from './variants.ts';

const HELP = `npm run bench:store -- [options]
  --backends LIST           comma-separated subset of pglite,postgres,dynalite (default: all three)
  --messages N              messages in the big conversation (default 100000)
  --others N                other conversations, one 4-message turn each (default 10000)
  --dynalite-messages N     big conversation on dynalite (default: --messages; seeding it takes minutes, see README)
  --dynalite-others N       other conversations on dynalite (default: --others)
  --batch N                 messages per seeding append (default 1000; dynalite: at most 99)
  --rounds N                measured rounds (default 10)
  --ops N                   appends and window loads per backend per round (default 100)
  --window N                window size, loadMessages({ last: N }) (default 40)
  --json FILE               also write every sample there
PostgreSQL: AGENTRY_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); a fresh schema, dropped at the end.`;

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'pglite,postgres,dynalite' },
    messages: { type: 'string', default: '100000' },
    others: { type: 'string', default: '10000' },
    'dynalite-messages': { type: 'string' },
    'dynalite-others': { type: 'string' },
    batch: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '10' },
    ops: { type: 'string', default: '100' },
    window: { type: 'string', default: '40' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const int = (flag: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${flag} must be a non-negative integer`);
  return value;
};
const backends = values.backends.split(',').map((name) => {
  if (!isBackendName(name) || name === 'memory') throw new Error(`unknown backend "${name}"\n${HELP}`);
  return name;
});
const rounds = int('rounds', values.rounds);
const ops = int('ops', values.ops);
const windowSize = int('window', values.window);
const seedPlan = (name: BackendName): Extract<StoreRequest, { type: 'seed' }> => {
  const dynalite = name === 'dynalite';
  const messages = int('messages', dynalite ? (values['dynalite-messages'] ?? values.messages) : values.messages);
  const others = int('others', dynalite ? (values['dynalite-others'] ?? values.others) : values.others);
  const batch = Math.max(1, Math.min(int('batch', values.batch), dynalite ? 99 : Number.MAX_SAFE_INTEGER));
  if (messages < windowSize) throw new Error(`${name}: the big conversation needs at least --window messages`);
  // The pg pool has 10 connections; PGlite and dynalite's proxy serialize anyway.
  return { type: 'seed', messages, others, batch, concurrency: 8 };
};

console.log(
  `node ${process.version}; backends ${backends.join(', ')}; ${rounds} rounds × ${ops} ops; window ${windowSize}`,
);
const workerFile = fileURLToPath(new URL('./store-worker.ts', import.meta.url));
const workers = new Map<BackendName, IpcChild<StoreRequest, StoreReply>>();
for (const name of backends) workers.set(name, new IpcChild(workerFile, [name], `store worker ${name}`));
const expect = <T extends StoreReply['type']>(reply: StoreReply, type: T): Extract<StoreReply, { type: T }> => {
  if (reply.type !== type) throw new Error(`expected a ${type} reply, got ${reply.type}`);
  return reply as Extract<StoreReply, { type: T }>;
};

const closeAll = async () => {
  await Promise.allSettled(
    [...workers.values()].map(async (worker) => {
      await worker.request({ type: 'close' }).catch(() => undefined);
      await worker.exited();
    }),
  );
};
process.once('SIGINT', () => void closeAll().finally(() => process.exit(130)));

try {
  const labels = new Map<BackendName, string>();
  for (const [name, worker] of workers) {
    const ready = expect(await worker.ready(), 'ready');
    labels.set(name, ready.label);
    console.log(`${name}: ${ready.where}`);
  }

  const started = performance.now();
  const seeded = new Map<BackendName, Extract<StoreReply, { type: 'seeded' }>>();
  await Promise.all(
    [...workers].map(async ([name, worker]) => {
      seeded.set(name, expect(await worker.request(seedPlan(name)), 'seeded'));
    }),
  );
  console.log(`seeded all backends concurrently in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  for (const [, worker] of workers) await worker.request({ type: 'round', ops: Math.min(ops, 50), window: windowSize });
  const samples = new Map<BackendName, { append: number[]; load: number[] }>(
    backends.map((name) => [name, { append: [], load: [] }]),
  );
  for (let r = 0; r < rounds; r++) {
    const line: string[] = [];
    for (const name of rotate(backends, r)) {
      const reply = expect(await workers.get(name)!.request({ type: 'round', ops, window: windowSize }), 'round');
      samples.get(name)!.append.push(...reply.appendMs);
      samples.get(name)!.load.push(...reply.loadMs);
      const a = summarize(reply.appendMs);
      const l = summarize(reply.loadMs);
      line.push(`${name} append p50 ${fixed(a.p50, 2)} ms, load p50 ${fixed(l.p50, 2)} ms`);
    }
    console.log(`round ${r + 1}/${rounds}: ${line.join('; ')}`);
  }

  const rows = backends.map((name) => {
    const seed = seeded.get(name)!;
    const a = summarize(samples.get(name)!.append);
    const l = summarize(samples.get(name)!.load);
    return [
      labels.get(name) ?? name,
      seed.messages.toLocaleString('en-US'),
      seed.others.toLocaleString('en-US'),
      `${fixed(seed.bigMs / 1000)} + ${fixed(seed.othersMs / 1000)}`,
      fixed(a.p50, 2),
      fixed(a.p99, 2),
      fixed(a.mean, 2),
      fixed(l.p50, 2),
      fixed(l.p99, 2),
      fixed(l.mean, 2),
      `${a.count} / ${l.count}`,
    ];
  });
  console.log(
    `\n${markdownTable(
      [
        'backend',
        'messages in the big conversation',
        'other conversations',
        'seeding s (big + others)',
        'append p50 ms',
        'append p99 ms',
        'append mean ms',
        `window load (last ${windowSize}) p50 ms`,
        'window load p99 ms',
        'window load mean ms',
        'samples (append / load)',
      ],
      rows,
    )}`,
  );

  if (samples.has('dynalite')) {
    console.log(
      '\ndynalite is an in-memory emulator, not DynamoDB, and lacks TransactWriteItems: a proxy emulates it (a ' +
        'GetItem, a conditional probe write and the write per item, one request at a time), so its append figures ' +
        'include that emulation. Its figures show the code paths and their scaling, not DynamoDB latency.',
    );
  }
  const postgres = samples.get('postgres');
  if (postgres) {
    const n = seeded.get('postgres')!.messages;
    const p99 = summarize(postgres.load).p99;
    const met = p99 <= 5;
    const scale =
      n >= 100_000 ? '' : ` (measured at ${n.toLocaleString('en-US')} messages, below the target's 100,000)`;
    console.log(
      `\nTarget: window load p99 ≤ 5 ms on PostgreSQL at 100,000 messages — p99 ${fixed(p99, 2)} ms: ${met ? 'MET' : 'NOT MET'}${scale}`,
    );
  }
  if (values.json) {
    writeFileSync(
      values.json,
      JSON.stringify({ seeded: Object.fromEntries(seeded), samples: Object.fromEntries(samples) }),
    );
  }
} finally {
  await closeAll();
}
