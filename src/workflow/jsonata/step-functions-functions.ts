import { createHash } from 'node:crypto';
import { StatesError, StatesErrors } from '../errors.ts';
import { HASH_ALGORITHMS } from '../intrinsics/functions/hash.ts';
import { seededRandom } from '../intrinsics/functions/seeded-random.ts';
import { uuidFromRandom } from '../intrinsics/functions/uuid.ts';

/** Most items `$range` and `$partition` may produce (Step Functions caps intrinsics' arrays likewise). */
const MAX_ITEMS = 1000;

function fail(name: string, message: string): never {
  throw new StatesError(StatesErrors.QueryEvaluationError, `$${name}: ${message}`);
}

/**
 * The functions Step Functions adds to JSONata, as bindings for one evaluation. `random` is the execution's
 * injected source, so tests and replays draw the same values.
 */
export function stepFunctionsBindings(random: () => number): Record<string, unknown> {
  return {
    partition(array: unknown, size: unknown): unknown[][] {
      if (!Array.isArray(array)) fail('partition', 'the first argument must be an array');
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
        fail('partition', 'the chunk size must be a positive integer');
      }
      const chunks: unknown[][] = [];
      for (let index = 0; index < array.length; index += size) chunks.push(array.slice(index, index + size));
      return chunks;
    },
    range(start: unknown, end: unknown, step: unknown): number[] {
      if (![start, end, step].every((value) => typeof value === 'number' && Number.isInteger(value))) {
        fail('range', 'start, end and step must be integers');
      }
      const [from, to, by] = [start, end, step] as number[];
      if (by === 0) fail('range', 'step must not be 0');
      const items: number[] = [];
      for (let value = from!; by! > 0 ? value <= to! : value >= to!; value += by!) {
        if (items.length === MAX_ITEMS) fail('range', `more than ${MAX_ITEMS} items`);
        items.push(value);
      }
      return items;
    },
    hash(data: unknown, algorithm: unknown): string {
      if (typeof data !== 'string') fail('hash', 'the data must be a string');
      const digest =
        typeof algorithm === 'string' && Object.hasOwn(HASH_ALGORITHMS, algorithm)
          ? HASH_ALGORITHMS[algorithm]
          : undefined;
      if (!digest) fail('hash', `the algorithm must be one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
      return createHash(digest).update(data, 'utf8').digest('hex');
    },
    random(seed?: unknown): number {
      if (seed === undefined) return random();
      if (typeof seed !== 'number' || !Number.isFinite(seed)) fail('random', 'the seed must be a number');
      return seededRandom(seed)();
    },
    uuid(): string {
      return uuidFromRandom(random);
    },
    parse(text: unknown): unknown {
      if (typeof text !== 'string') fail('parse', 'the argument must be a JSON string');
      try {
        return JSON.parse(text);
      } catch {
        fail('parse', 'the argument is not valid JSON');
      }
    },
  };
}
