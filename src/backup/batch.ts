/**
 * Consecutive records written by one append call. The limits are DynamoDB's, the strictest
 * backend's (dynamodb/item-limits.ts): one transaction holds 100 items, one of them the
 * conversation or run update, and 4 MB. Every backend gets the same batches.
 */
export const MAX_BATCH_ITEMS = 99;
/** Below 4 MB: every item also carries its keys and attributes (ITEM_OVERHEAD_BYTES each). */
const MAX_BATCH_BYTES = 3 * 1024 * 1024;
const ITEM_OVERHEAD_BYTES = 4 * 1024;

export function sizeOf(item: unknown): number {
  return Buffer.byteLength(JSON.stringify(item)) + ITEM_OVERHEAD_BYTES;
}

export class Batch<T> {
  private items: T[] = [];
  private bytes = 0;
  private key: string | undefined;
  private firstLine = 0;

  /** Whether an item of `size` bytes can join: same key (a message's runId) and inside the limits. */
  fits(size: number, key: string | undefined): boolean {
    if (this.items.length === 0) return true;
    return key === this.key && this.items.length < MAX_BATCH_ITEMS && this.bytes + size <= MAX_BATCH_BYTES;
  }

  add(item: T, size: number, key: string | undefined, line: number): void {
    if (this.items.length === 0) {
      this.key = key;
      this.firstLine = line;
    }
    this.items.push(item);
    this.bytes += size;
  }

  /** Empties the batch; `firstLine` is the line of its first item, for errors. */
  take(): { items: T[]; key: string | undefined; firstLine: number } {
    const taken = { items: this.items, key: this.key, firstLine: this.firstLine };
    this.items = [];
    this.bytes = 0;
    this.key = undefined;
    return taken;
  }
}
