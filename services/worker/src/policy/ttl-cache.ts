/**
 * A small read-through cache for values that may be a few seconds stale (campaign status,
 * sandbox settings): one store read per key per `ttlMs` per process instead of one per message.
 * Concurrent misses on one key share one load.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return entry.value;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    // A failed load is not remembered: the next message tries again.
    value.catch(() => this.entries.delete(key));
    return value;
  }
}
