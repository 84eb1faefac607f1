import type { AttributeValue, DynamoDB } from '@aws-sdk/client-dynamodb';
import { RateLimiterDynamo, type RateLimiterRes } from 'rate-limiter-flexible';
import {
  type BucketAnswer,
  type BucketShape,
  bucketRes,
  emissionIntervalMs,
  refillSeconds,
  tokensInUse,
} from './token-bucket.ts';

/** Conditional updates lost to concurrent writers before giving up (each loss means another request got a token). */
const MAX_ATTEMPTS = 4;

/**
 * The token bucket in a DynamoDB table through the library's RateLimiterDynamo (it creates the
 * table, item `key` → `expire`): this subclass replaces its fixed-window upsert with the GCRA step
 * of token-bucket.ts. DynamoDB has no max() in update expressions, so the step is two conditional
 * UpdateItems — "TAT in [now, now + τ - cost·T]: add cost·T", else "no TAT or TAT < now: set
 * now + cost·T" — and, when both conditions fail, a consistent read that either confirms the
 * refusal or shows a concurrent writer moved the TAT (then it tries again). No transactions.
 *
 * `expire` is the TAT in epoch seconds (fractional), so the table's TTL on `expire` deletes full
 * buckets. The clock is the injected one (DynamoDB has none): keep replica clocks NTP-synced.
 */
export class DynamoTokenBucket extends RateLimiterDynamo {
  declare tableName: string;
  readonly #db: DynamoDB;
  readonly #shape: BucketShape;
  readonly #now: () => number;

  constructor(
    options: { db: DynamoDB; tableName: string; shape: BucketShape; tableCreated: boolean; now: () => number },
    ready: (error?: Error) => void,
  ) {
    super(
      {
        storeClient: options.db,
        tableName: options.tableName,
        keyPrefix: '',
        points: options.shape.burst,
        duration: refillSeconds(options.shape),
        tableCreated: options.tableCreated,
        // The library's own TTL setup leaves a rejected promise unhandled when it fails (and
        // dynalite has no UpdateTimeToLive): TTL on `expire` is the provisioner's job.
        ttlSet: true,
      },
      ready,
    );
    this.#db = options.db;
    this.#shape = options.shape;
    this.#now = options.now;
  }

  async _upsert(key: string, points: number, _msDuration: number, forceExpire = false): Promise<BucketAnswer> {
    if (forceExpire) throw new Error('A token bucket supports consume only (no set or block).');
    const interval = emissionIntervalMs(this.#shape);
    const tolerance = this.#shape.burst * interval;
    const cost = points * interval;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.#now();
      const admitted = (tatSeconds: number): BucketAnswer => [
        tokensInUse(tatSeconds * 1000 - now, interval),
        tatSeconds * 1000 - now,
      ];
      const used = await this.#update(key, 'SET #e = #e + :cost', '#e >= :now AND #e <= :room', {
        ':cost': seconds(cost),
        ':now': seconds(now),
        ':room': seconds(now + tolerance - cost),
      });
      if (used !== undefined) return admitted(used);
      const full = await this.#update(key, 'SET #e = :due', 'attribute_not_exists(#e) OR #e < :now', {
        ':due': seconds(now + cost),
        ':now': seconds(now),
      });
      if (full !== undefined) return admitted(full);
      const tat = await this.#readTat(key);
      if (tat !== undefined && tat * 1000 > now + tolerance - cost) {
        return [this.#shape.burst + points, tat * 1000 + cost - tolerance - now];
      }
    }
    throw new Error(`The token bucket of "${key}" kept changing under ${MAX_ATTEMPTS} attempts.`);
  }

  _getRateLimiterRes(_rlKey: string, _changedPoints: number, answer: BucketAnswer): RateLimiterRes {
    return bucketRes(this.#shape.burst, answer);
  }

  /** The new TAT in seconds, or undefined when the condition failed. */
  async #update(
    key: string,
    update: string,
    condition: string,
    values: Record<string, number>,
  ): Promise<number | undefined> {
    try {
      const result = await this.#db.updateItem({
        TableName: this.tableName,
        Key: { key: { S: key } },
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#e': 'expire' },
        ExpressionAttributeValues: Object.fromEntries(
          Object.entries(values).map(([name, value]): [string, AttributeValue] => [name, { N: String(value) }]),
        ),
        ReturnValues: 'UPDATED_NEW',
      });
      return Number(result.Attributes?.['expire']?.N);
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  async #readTat(key: string): Promise<number | undefined> {
    const result = await this.#db.getItem({
      TableName: this.tableName,
      Key: { key: { S: key } },
      ConsistentRead: true,
      ProjectionExpression: '#e',
      ExpressionAttributeNames: { '#e': 'expire' },
    });
    const value = result.Item?.['expire']?.N;
    return value === undefined ? undefined : Number(value);
  }
}

function seconds(ms: number): number {
  return ms / 1000;
}
