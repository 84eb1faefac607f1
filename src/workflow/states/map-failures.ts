import { StatesError, StatesErrors } from '../errors.ts';

/**
 * Map failure tolerance. Without ToleratedFailureCount/Percentage the first failed iteration fails the Map
 * with that iteration's error. With either set, failed items are recorded as `{ Error, Cause }` in the output
 * and the Map fails with States.ExceedToleratedFailureThreshold once failures exceed either threshold.
 */
export class MapFailureBudget {
  readonly #total: number;
  readonly #count: number | undefined;
  readonly #percentage: number | undefined;
  #failures = 0;

  constructor(total: number, count: number | undefined, percentage: number | undefined) {
    this.#total = total;
    this.#count = count;
    this.#percentage = percentage;
  }

  /** Returns the error to fail the Map with, or undefined while failures are tolerated. */
  recordFailure(error: StatesError): StatesError | undefined {
    this.#failures++;
    if (this.#count === undefined && this.#percentage === undefined) return error;
    const overCount = this.#count !== undefined && this.#failures > this.#count;
    const overPercentage =
      this.#percentage !== undefined && this.#total > 0 && (this.#failures / this.#total) * 100 > this.#percentage;
    const bothSet = this.#count !== undefined && this.#percentage !== undefined;
    const exceeded = bothSet ? overCount || overPercentage : this.#count !== undefined ? overCount : overPercentage;
    if (!exceeded) return undefined;
    return new StatesError(
      StatesErrors.ExceedToleratedFailureThreshold,
      `The Map state failed because ${this.#failures} of ${this.#total} iterations failed`,
    );
  }
}
