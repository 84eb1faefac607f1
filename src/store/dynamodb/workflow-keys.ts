import { AgentryError } from '../../errors.ts';
import { encodeKeyPart, SEPARATOR } from './keys.ts';

/**
 * Key layout of agent-workflows (the reference design's table: partition `workflow_id`, sort `step_number`).
 * Components are escaped as in keys.ts (`%` → `%25`, `#` → `%23`), so an encoded execution id never contains
 * `#` and can never equal one of the prefixed keys below.
 *
 *   `<execution>`                                   -1  the execution's body: definition and input, never updated
 *   `<execution>`                                    0  its header: status, lease, last event id, result
 *   `<execution>`                                    n  history event n (1, 2, …)
 *   `name#<tenant>#<user>#<workflow>#<name>`         0  which execution has that name (idempotent starts)
 *   `token#<token>`                                  0  a task token
 *
 * The header stays small (no definition or input), so the conditional update every append makes costs one
 * write unit whatever the workflow, and one Query of steps -1..0 reads a whole execution.
 */

export const BODY_STEP = -1;
export const HEADER_STEP = 0;
/** DynamoDB's limit for a partition key. */
const MAX_PARTITION_KEY_BYTES = 2048;

export function executionKey(executionId: string): string {
  return encodeKeyPart(executionId, 'executionId');
}

/** The execution key, or undefined for an id no execution can have (reads treat it as missing). */
export function readableExecutionKey(executionId: string): string | undefined {
  try {
    return executionKey(executionId);
  } catch {
    return undefined;
  }
}

export function executionNameKey(record: { tenantId: string; userId: string; workflow: string; name: string }) {
  const key = [
    'name',
    encodeKeyPart(record.tenantId, 'tenantId'),
    encodeKeyPart(record.userId, 'userId'),
    encodeKeyPart(record.workflow, 'workflow'),
    encodeKeyPart(record.name, 'name'),
  ].join(SEPARATOR);
  if (Buffer.byteLength(key) > MAX_PARTITION_KEY_BYTES) {
    throw new AgentryError(
      'INPUT_INVALID',
      `Tenant, user, workflow and name together must be at most ${MAX_PARTITION_KEY_BYTES - 8} bytes on DynamoDB.`,
      { details: { field: 'name' } },
    );
  }
  return key;
}

export function taskTokenKey(token: string): string {
  return `token${SEPARATOR}${encodeKeyPart(token, 'token')}`;
}

export function readableTaskTokenKey(token: string): string | undefined {
  try {
    return taskTokenKey(token);
  } catch {
    return undefined;
  }
}

/** GSI `by-scope` sort key of an execution header: newest first when read backwards. */
export function startedKey(startedAt: string, executionId: string): string {
  return `${startedAt}${SEPARATOR}${executionKey(executionId)}`;
}
