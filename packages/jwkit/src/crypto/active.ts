/**
 * Which backend the library uses by default: WebCrypto, unless an entry installs another (Node
 * and Bun: node:crypto with @noble/curves for curves it lacks, src/index.node.ts; Deno: WebCrypto
 * and node:crypto per key kind, src/index.deno.ts). Functions that do crypto also accept
 * `{ backend }` so tests run the same suite against each.
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
