/** Public helpers for AKP (RFC 9964) keys. */

import { loadMlDsaEngine } from '../math/ml-dsa.js';

/**
 * Loads the ML-DSA implementation now instead of at the first ML-DSA key. jwkit loads it by
 * itself whenever an ML-DSA key is imported or generated; awaiting this first only matters for
 * synchronous validation outside Node, which checks that `priv` derives `pub` once the
 * implementation is loaded (on Node it always is). Resolves to the implementation's name.
 */
export async function loadMlDsa(): Promise<string> {
  return (await loadMlDsaEngine()).name;
}
