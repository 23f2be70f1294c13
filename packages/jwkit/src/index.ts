/**
 * jwkit: the isomorphic entry (browsers, Workers, Deno, Bun). Imports nothing from `node:`.
 * On Node the `node` export condition selects src/index.node.ts instead, which re-exports all of
 * this with the node:crypto backend installed.
 */

export { getBackend, setBackend } from './crypto/active.js';
export type { BackendName, CryptoBackend, GenerateSpec, KeyHandle, KeyUsage } from './crypto/backend.js';
export { createWebBackend, type WebBackendOptions, webBackend } from './crypto/web.js';
export * from './errors.js';
export * as base64url from './jwk/base64url.js';
export * from './jwk/index.js';
export * from './jwt/index.js';
export * from './registry.js';
export * from './remote/index.js';
export * from './set/index.js';
