/** Spec defaults (Amazon States Language, AWS Step Functions developer guide). */

/** Retrier: seconds before the first retry. */
export const RETRY_INTERVAL_SECONDS = 1;
/** Retrier: retries after the first attempt; 0 means never retry. */
export const RETRY_MAX_ATTEMPTS = 3;
/** Retrier: multiplier applied to the interval after each retry. */
export const RETRY_BACKOFF_RATE = 2.0;
/** Retrier: jitter strategy; FULL picks a delay uniformly in [0, computed delay). */
export const RETRY_JITTER_STRATEGY = 'NONE';

/** Map: 0 means no limit on concurrent iterations. */
export const MAP_MAX_CONCURRENCY = 0;
/** Map: tolerated failures default to none. */
export const MAP_TOLERATED_FAILURE_PERCENTAGE = 0;
export const MAP_TOLERATED_FAILURE_COUNT = 0;

/** Task: AWS default timeout is 99999999 seconds (effectively none). */
export const TASK_TIMEOUT_SECONDS = 99_999_999;

/** Query language used when neither the machine nor the state names one. */
export const QUERY_LANGUAGE = 'JSONPath';

/** Payload size limit for state input/output (256 KiB, UTF-8 JSON). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Paths default to `$` (whole input) when the field is absent. */
export const DEFAULT_PATH = '$';
