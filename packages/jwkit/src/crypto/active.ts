/**
 * Which backend the library uses by default. The `node` export condition installs the
 * node:crypto backend (src/index.node.ts); every other runtime gets WebCrypto. Functions that do
 * crypto also accept `{ backend }` so tests run the same suite against both.
 */

import type { CryptoBackend } from './backend.js';
import { webBackend } from './web.js';

let active: CryptoBackend = webBackend;

export function getBackend(): CryptoBackend {
  return active;
}

export function setBackend(backend: CryptoBackend): void {
  active = backend;
}
