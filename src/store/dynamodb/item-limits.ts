import { AgentryError, type ErrorCode } from '../../errors.ts';
import { MAX_TRANSACTION_ITEMS } from './transact-write.ts';

/**
 * DynamoDB's size limits, checked before writing so they surface as clear errors instead of a
 * ValidationException. MAX_MESSAGE_CHARS counts UTF-16 units while DynamoDB counts UTF-8 bytes,
 * so a message under the shared character limit can still be too large here (about 130K
 * characters of CJK text); it fails with the same MESSAGE_TOO_LARGE code, with byte details.
 */
export const MAX_ITEM_BYTES = 400 * 1024;
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** Room kept in each item for its keys (at most ~1.6 KB, see keys.ts) and other attributes. */
export const ITEM_OVERHEAD_BYTES = 4 * 1024;
export const MAX_BODY_BYTES = MAX_ITEM_BYTES - ITEM_OVERHEAD_BYTES;
/** One transaction item is the header (or run) update; the rest are the appended items. */
export const MAX_ITEMS_PER_APPEND = MAX_TRANSACTION_ITEMS - 1;

export function checkAppend(bodies: readonly string[], what: 'Message' | 'Journal entry', code: ErrorCode): void {
  if (bodies.length > MAX_ITEMS_PER_APPEND) {
    throw new AgentryError(
      'INPUT_INVALID',
      `At most ${MAX_ITEMS_PER_APPEND} items can be appended at once on DynamoDB (one transaction); got ${bodies.length}.`,
      { details: { limit: MAX_ITEMS_PER_APPEND, count: bodies.length } },
    );
  }
  let total = 0;
  for (const [index, body] of bodies.entries()) {
    const size = Buffer.byteLength(body);
    if (size > MAX_BODY_BYTES) {
      throw new AgentryError(
        code,
        `${what} ${index + 1} is ${size} bytes; DynamoDB stores at most ${MAX_BODY_BYTES}.`,
        {
          details: { limit: MAX_BODY_BYTES, size, unit: 'bytes' },
        },
      );
    }
    total += size + ITEM_OVERHEAD_BYTES;
  }
  if (total > MAX_TRANSACTION_BYTES) {
    throw new AgentryError(
      code,
      `The append is ${total} bytes; one DynamoDB transaction holds at most ${MAX_TRANSACTION_BYTES}.`,
      {
        details: { limit: MAX_TRANSACTION_BYTES, size: total, unit: 'bytes' },
      },
    );
  }
}
