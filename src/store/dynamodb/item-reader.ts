import { AgentryError } from '../../errors.ts';

/**
 * Reads attributes of a stored item, failing with STORE_CORRUPT (naming table and key) on any
 * surprise: a missing or mistyped attribute, a body that is not the JSON we wrote, or a schema
 * version this code does not know. Items are written by this code only, so a surprise means the
 * table was edited by hand or written by another (newer) version of Agentry.
 */
export class ItemReader {
  constructor(
    readonly table: string,
    private readonly item: Record<string, unknown>,
    private readonly keyNames: readonly string[],
  ) {}

  key(): Record<string, unknown> {
    return keyOf(this.item, this.keyNames);
  }

  corrupt(problem: string, cause?: unknown): AgentryError {
    const key = this.key();
    return new AgentryError(
      'STORE_CORRUPT',
      `Item ${JSON.stringify(key)} of DynamoDB table ${this.table} cannot be read: ${problem}.`,
      { details: { table: this.table, key }, ...(cause === undefined ? {} : { cause }) },
    );
  }

  /** Every item carries `schema_version`; only `known` is readable. */
  checkSchemaVersion(known: number): this {
    const version = this.item['schema_version'];
    if (version !== known) throw this.corrupt(`schema_version ${JSON.stringify(version)} is not ${known}`);
    return this;
  }

  has(name: string): boolean {
    return this.item[name] !== undefined;
  }

  string(name: string): string {
    const value = this.item[name];
    if (typeof value !== 'string') throw this.corrupt(`attribute ${name} is not a string`);
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  number(name: string): number {
    const value = this.item[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.corrupt(`attribute ${name} is not a number`);
    return value;
  }

  optionalNumber(name: string): number | undefined {
    return this.has(name) ? this.number(name) : undefined;
  }

  boolean(name: string): boolean {
    const value = this.item[name];
    if (typeof value !== 'boolean') throw this.corrupt(`attribute ${name} is not a boolean`);
    return value;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const value = this.string(name);
    if (!(values as readonly string[]).includes(value)) throw this.corrupt(`attribute ${name} has unknown value`);
    return value as T;
  }

  /** A JSON string attribute, parsed and checked for shape. */
  json<T>(name: string, check: (value: unknown) => value is T): T {
    const text = this.string(name);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.corrupt(`attribute ${name} is not JSON`, error);
    }
    if (!check(value)) throw this.corrupt(`attribute ${name} does not have the expected shape`);
    return value;
  }

  optionalJson<T>(name: string, check: (value: unknown) => value is T): T | undefined {
    return this.has(name) ? this.json(name, check) : undefined;
  }
}

/** The primary key of an item, e.g. to resume a Scan after it. */
export function keyOf(item: Record<string, unknown>, keyNames: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keyNames.map((name) => [name, item[name]]));
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
