import { MAX_PAYLOAD_BYTES } from './defaults.ts';
import { StatesError, StatesErrors } from './errors.ts';

/** Step Functions' 256 KiB limit on data passed between states: States.DataLimitExceeded above it. */
export function checkPayloadSize(value: unknown, what: string): void {
  const json = JSON.stringify(value) ?? 'null';
  // Four bytes per UTF-16 unit at most: shorter strings cannot exceed the limit, so skip measuring them.
  if (json.length > MAX_PAYLOAD_BYTES / 4 && Buffer.byteLength(json, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new StatesError(StatesErrors.DataLimitExceeded, `${what} exceeds 256 KiB`);
  }
}
