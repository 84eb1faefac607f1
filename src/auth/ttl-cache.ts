/**
 * A bounded least-recently-used map whose entries expire `ttlMs` after they were set. A read of an
 * expired entry misses (and drops it); when full, a set evicts the least recently used entry.
 * Time is injected (`now`, in milliseconds), so expiry is testable without waiting.
 */
export class TtlCache<K, V> {
  /** Map iteration order is insertion order: a hit re-inserts, so the first key is the LRU one. */
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(private readonly options: { ttlMs: number; maxEntries: number; now: () => number }) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.options.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.options.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
