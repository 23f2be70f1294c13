/**
 * jwkit: the isomorphic entry (browsers, Workers, Deno, Bun). Imports nothing from `node:`.
 * On Node the `node` export condition selects src/index.node.ts instead, which re-exports all of
 * this with the node:crypto backend installed. Layers, lowest first: errors and registry,
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
