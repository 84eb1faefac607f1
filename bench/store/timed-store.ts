// A Store whose conversation and run methods record their wall time: where a durable turn waits.
import type { Store } from '../../src/store/store.ts';

/** `conversations.appendMessages` → calls and total milliseconds. */
export type StoreTimings = Map<string, { calls: number; ms: number }>;

function timed<T extends object>(target: T, prefix: string, timings: StoreTimings): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const key = `${prefix}.${property}`;
      return async (...args: unknown[]) => {
        const start = performance.now();
        try {
          return await (value as (...args: unknown[]) => unknown).apply(object, args);
        } finally {
          const entry = timings.get(key) ?? { calls: 0, ms: 0 };
          entry.calls++;
          entry.ms += performance.now() - start;
          timings.set(key, entry);
        }
      };
    },
  });
}

/** The stores are plain objects (createSqlStore, createDynamoDbStore, …): other domains pass through untimed. */
export function timedStore(store: Store, timings: StoreTimings): Store {
  return {
    ...store,
    conversations: timed(store.conversations, 'conversations', timings),
    runs: timed(store.runs, 'runs', timings),
    turns: timed(store.turns, 'turns', timings),
  };
}
