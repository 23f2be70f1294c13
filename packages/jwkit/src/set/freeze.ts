/**
 * Freezes a jwkit-owned object graph (a validated key copy, a parsed header), never a caller's
 * object: what jwkit hands out from its caches then cannot be changed under it.
 */
export function deepFreeze<T>(value: T): T {
  // Iterative: a token header nested thousands deep fits in a token and must not overflow the stack.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const child of Object.values(v)) pending.push(child);
    }
  }
  return value;
}
