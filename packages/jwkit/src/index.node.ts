/**
 * jwkit on Node and Bun (the `node` and `bun` export conditions): everything from the isomorphic
 * entry, with node:crypto as the backend. Where this runtime's node:crypto lacks a curve (Bun has
 * no secp256k1, Ed448 or X448), keys of that curve go to @noble/curves, per key kind; on Node,
 * where node:crypto lacks nothing, the node:crypto backend is installed as it is (crypto/routed.ts).
 */

import { setBackend } from './crypto/active.js';
import { installNodeMlDsa } from './crypto/ml-dsa-node.js';
import { nobleBackend, nobleHas } from './crypto/noble.js';
import { nodeBackend } from './crypto/node.js';
import { nodeHas } from './crypto/node-probe.js';
import { singleOrRouted } from './crypto/routed.js';

setBackend(
  singleOrRouted([
    { backend: nodeBackend, has: nodeHas },
    { backend: nobleBackend, has: nobleHas },
  ]),
);
// ML-DSA (RFC 9964) on Node: chosen and loaded at first use only (crypto/ml-dsa-node.ts).
installNodeMlDsa();

export * from './node-exports.js';
