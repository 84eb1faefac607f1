import { AgentryError } from '../../errors.ts';

/**
 * Reading rows back, the same way for both drivers: `pg` returns bigint as a string and PGlite as
 * a number; both return timestamptz as a Date. A row this release cannot read (a newer schema
 * version, a body that is not the JSON we wrote) is STORE_CORRUPT, naming the table and key —
 * never the content, which may be private.
 */

/** Upper bound of an `integer` column; used as "no bound" for seq ranges. */
export const MAX_INT = 2_147_483_647;

export function storeCorrupt(table: string, key: string, problem: string): AgentryError {
  return new AgentryError('STORE_CORRUPT', `Row ${key} of table ${table} cannot be read: ${problem}.`, {
    details: { table, key },
  });
}

export function toIso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Rejects rows written by a newer release (this one cannot know their shape). */
export function checkSchemaVersion(table: string, key: string, version: unknown, supported: number): number {
  const parsed = toNumber(version);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > supported) {
    throw storeCorrupt(
      table,
      key,
      `schema version ${String(version)} is not supported (this release reads up to ${supported})`,
    );
  }
  return parsed;
}

/** Parses a JSON column; `check` is a cheap shape test, not a full validation. */
export function parseJson<T>(
  table: string,
  key: string,
  column: string,
  text: unknown,
  check: (value: unknown) => boolean,
): T {
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch {
    throw storeCorrupt(table, key, `column ${column} is not valid JSON`);
  }
  if (!check(value)) throw storeCorrupt(table, key, `column ${column} does not have the expected shape`);
  return value as T;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A page cursor position: [ISO timestamp, id]. */
export const isTimePosition = (value: unknown): value is [string, string] =>
  Array.isArray(value) &&
  value.length === 2 &&
  typeof value[0] === 'string' &&
  typeof value[1] === 'string' &&
  !Number.isNaN(Date.parse(value[0]));
