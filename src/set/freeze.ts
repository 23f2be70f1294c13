/**
 * Freezes a jwkit-owned object graph (a validated key copy, a parsed header), never a caller's
 * object: what jwkit hands out from its caches then cannot be changed under it.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
