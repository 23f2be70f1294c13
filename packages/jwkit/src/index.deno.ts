/**
 * jwkit on Deno (the `deno` export condition): the API of index.node.ts, with a backend routed per
 * key kind by what is fastest there (bench/runtimes, docs/BENCHMARKS.md "Runtimes"): Deno's own
 * WebCrypto for ECDSA and ML-DSA, which its node:crypto emulation runs at about half the speed
 * (ML-DSA: not at all, so pure JS), and node:crypto for RSA, EdDSA and HMAC, where it is faster
 * than Deno's WebCrypto. Capability is still probed (node-probe.ts, web.ts webHas).
 */

import { setBackend } from './crypto/active.js';
import type { BackendName } from './crypto/backend.js';
import { installNodeMlDsa } from './crypto/ml-dsa-node.js';
import { nodeBackend } from './crypto/node.js';
import { nodeHas } from './crypto/node-probe.js';
import { createRoutedBackend, type KeyKind } from './crypto/routed.js';
import { webBackend, webHas } from './crypto/web.js';

const WEB_FIRST: readonly BackendName[] = ['webcrypto'];

setBackend(
  createRoutedBackend(
    [
      { backend: nodeBackend, has: nodeHas },
      { backend: webBackend, has: webHas },
    ],
    {
      prefer: (kind: KeyKind) =>
        kind.startsWith('EC:P-') || kind.startsWith('AKP:') ? WEB_FIRST : undefined,
    },
  ),
);
// Synchronous ML-DSA validation (priv against pub) loads its engine at first use only.
installNodeMlDsa();

export * from './node-exports.js';
