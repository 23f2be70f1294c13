/**
 * Both crypto backends, so every suite can run against each (DESIGN principle 5):
 *
 *   describe.each(BACKENDS)('$name backend', ({ backend }) => { ... });
 */
import type { CryptoBackend } from '../../packages/jwkit/src/crypto/backend.js';
import { nodeBackend } from '../../packages/jwkit/src/crypto/node.js';
import { webBackend } from '../../packages/jwkit/src/crypto/web.js';

export interface BackendCase {
  readonly name: CryptoBackend['name'];
  readonly backend: CryptoBackend;
}

export const BACKENDS: readonly BackendCase[] = [
  { name: 'node', backend: nodeBackend },
  { name: 'webcrypto', backend: webBackend },
];

export { nodeBackend, webBackend };
