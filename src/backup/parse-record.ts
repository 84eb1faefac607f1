import { AgentryError } from '../errors.ts';
import { type ParsedRecord, RECORD_SCHEMAS, RECORD_TYPES, type RecordType } from './export-records.ts';

const isRecordType = (value: unknown): value is RecordType =>
  typeof value === 'string' && (RECORD_TYPES as readonly string[]).includes(value);

export function invalidLine(line: number, problem: string, details: Record<string, unknown> = {}): AgentryError {
  return new AgentryError('INPUT_INVALID', `Line ${line}: ${problem}`, { details: { line, ...details } });
}

/**
 * One line of an export → a validated record. Errors are INPUT_INVALID naming the line number, the
 * record type and every bad field (by path), never the field's value: exports hold private text.
 */
export function parseRecord(text: string, line: number): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidLine(line, `not valid JSON (${(error as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidLine(line, 'not a JSON object.');
  }
  const type: unknown = (value as Record<string, unknown>)['type'];
  if (type === undefined) throw invalidLine(line, 'field type is missing.');
  if (!isRecordType(type)) {
    const shown = typeof type === 'string' ? `"${type.slice(0, 40)}"` : typeof type;
    throw invalidLine(line, `unknown record type ${shown}; expected one of ${RECORD_TYPES.join(', ')}.`);
  }
  const parsed = RECORD_SCHEMAS[type].safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`);
  throw invalidLine(line, `invalid ${type} record: ${issues.join('; ')}.`, { type, issues });
}
