/**
 * jwkit: the isomorphic entry (the `browser`, `worker`, `workerd` and default export conditions),
 * on WebCrypto. Imports nothing from `node:`. Node and Bun get src/index.node.ts and Deno
 * src/index.deno.ts instead (package.json "exports"), which re-export all of this with a backend
 * routed per key kind installed (crypto/routed.ts). Layers, lowest first: errors and registry,
 * encoding and json, jwk, pkix, crypto, then set, jwt and remote (test/layers keeps the order).
 */

export * from './crypto/index.js';
export * as base64url from './encoding/base64url.js';
export * from './errors/index.js';
export { loadMlDsa } from './jwk/akp.js';
export * from './jwk/index.js';
export * from './jwt/index.js';
export * from './pkix/index.js';
export * from './registry.js';
export * from './remote/index.js';
export * from './set/index.js';
