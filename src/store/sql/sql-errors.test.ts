import { describe, expect, it } from 'vitest';
import { AgentryError } from '../../errors.ts';
import { mapSqlError } from './sql-errors.ts';

const withCode = (code: string, message = 'driver text with a secret: hunter2') =>
  Object.assign(new Error(message), { code });

describe('mapSqlError', () => {
  it.each([
    ['ECONNREFUSED', withCode('ECONNREFUSED')],
    ['AggregateError of ECONNREFUSED', Object.assign(new AggregateError([withCode('ECONNREFUSED')], 'x'), {})],
    ['57P01 admin_shutdown', withCode('57P01')],
    ['57P03 cannot_connect_now', withCode('57P03')],
    ['08006 connection_failure', withCode('08006')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['dropped connection', new Error('Connection terminated unexpectedly')],
    ['closed PGlite', new Error('PGlite is closed')],
  ])('%s → STORE_UNAVAILABLE (retryable)', (_, error) => {
    expect(mapSqlError(error)).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true, cause: error });
  });

  it('maps data errors to INPUT_INVALID and the rest to INTERNAL, with the SQLSTATE but not the driver text', () => {
    expect(mapSqlError(withCode('22007'))).toMatchObject({ code: 'INPUT_INVALID', details: { sqlState: '22007' } });
    const internal = mapSqlError(withCode('42P01'));
    expect(internal).toMatchObject({ code: 'INTERNAL', retryable: false, details: { sqlState: '42P01' } });
    expect(JSON.stringify(internal.toJSON())).not.toContain('hunter2');
    expect(mapSqlError(withCode('40001'))).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
    expect(mapSqlError(withCode('28P01'))).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: false });
  });

  it('passes AgentryErrors through unchanged', () => {
    const error = new AgentryError('CONVERSATION_CONFLICT', 'moved on', { retryable: true });
    expect(mapSqlError(error)).toBe(error);
  });
});
