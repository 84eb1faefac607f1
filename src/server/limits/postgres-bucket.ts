import type pg from 'pg';
import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import { type BucketAnswer, type BucketShape, bucketRes, emissionIntervalMs, refillSeconds } from './token-bucket.ts';

/** Milliseconds since the epoch by the database clock, the same value throughout one statement. */
const NOW = `(extract(epoch FROM statement_timestamp()) * 1000)::float8`;

/**
 * The token bucket in a PostgreSQL table through the library's RateLimiterPostgres: the library
 * creates the table (once, tolerating a concurrent creator), deletes rows an hour after they expire,
 * and runs consume; this subclass replaces its fixed-window upsert with the GCRA step of
 * token-bucket.ts in one atomic INSERT … ON CONFLICT. The overridden `_getCreateTableStmt`,
 * `_upsert` and `_getRateLimiterRes` are the library's store hooks (rate-limiter-flexible 11).
 *
 * Columns keep the library's names: `expire` is the TAT (ms, double precision: an integer would
 * round every T = 1000 / rate), `points` the tokens in use after the last request (burst + cost
 * when it was refused). The database clock is the only clock, so replicas cannot skew it.
 */
export class PostgresTokenBucket extends RateLimiterPostgres {
  declare tableName: string;
  declare schemaName: string | undefined;
  readonly #pool: pg.Pool;
  readonly #shape: BucketShape;

  constructor(
    options: { pool: pg.Pool; tableName: string; shape: BucketShape; tableCreated: boolean; clearExpired: boolean },
    ready: (error?: Error) => void,
  ) {
    super(
      {
        storeClient: options.pool,
        storeType: 'pool',
        tableName: options.tableName,
        keyPrefix: '',
        points: options.shape.burst,
        duration: refillSeconds(options.shape),
        tableCreated: options.tableCreated,
        clearExpiredByTimeout: options.clearExpired,
      },
      ready,
    );
    this.#pool = options.pool;
    this.#shape = options.shape;
  }

  _getCreateTableStmt(): string {
    // Called from the library's constructor, before this class's fields exist.
    return `CREATE TABLE IF NOT EXISTS ${tableIdentifier(this.schemaName, this.tableName)} (
      key varchar(255) PRIMARY KEY,
      points integer NOT NULL DEFAULT 0,
      expire double precision
    );`;
  }

  /** GCRA: $2 = cost, $3 = ms per token, $4 = burst. A new row is a full bucket minus the cost. */
  async _upsert(key: string, points: number, _msDuration: number, forceExpire = false): Promise<BucketAnswer> {
    if (forceExpire) throw new Error('A token bucket supports consume only (no set or block).');
    const table = tableIdentifier(this.schemaName, this.tableName);
    const due = `GREATEST(b.expire, ${NOW}) + $2::int * $3::float8`;
    const fits = `${due} <= ${NOW} + $4::int * $3::float8`;
    const result = await this.#pool.query<{ consumed: number; ahead: number }>({
      name: `${this.tableName}:agentry-gcra`,
      text: `INSERT INTO ${table} AS b (key, points, expire) VALUES ($1::varchar, $2::int, ${NOW} + $2::int * $3::float8)
        ON CONFLICT (key) DO UPDATE SET
          points = CASE WHEN ${fits} THEN ceil((${due} - ${NOW}) / $3::float8 - 1e-9)::int ELSE $4::int + $2::int END,
          expire = CASE WHEN ${fits} THEN ${due} ELSE b.expire END
        RETURNING points AS consumed, expire - ${NOW} AS ahead`,
      values: [key, points, emissionIntervalMs(this.#shape), this.#shape.burst],
    });
    const row = result.rows[0];
    if (!row) throw new Error('The token bucket upsert returned no row.');
    const interval = emissionIntervalMs(this.#shape);
    // Refused: `ahead` is the unchanged TAT; a retry fits once it has drained to τ - cost·T.
    return row.consumed > this.#shape.burst
      ? [row.consumed, row.ahead + points * interval - this.#shape.burst * interval]
      : [row.consumed, row.ahead];
  }

  _getRateLimiterRes(_rlKey: string, _changedPoints: number, answer: BucketAnswer): RateLimiterRes {
    return bucketRes(this.#shape.burst, answer);
  }
}

function tableIdentifier(schema: string | undefined, table: string): string {
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return schema ? `${quote(schema)}.${quote(table)}` : quote(table);
}
