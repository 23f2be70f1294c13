/**
 * A Map with a size bound: when full, adding a new key first drops the oldest entry (insertion
 * order). The one bounded cache behind the key-handle cache (key-cache.ts) and the validated-JWK
 * cache of single-key JWT calls (jwt/key-input.ts), so both evict the same way. Replacing the
 * value of a key already present evicts nothing.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.limit && !this.has(key)) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
