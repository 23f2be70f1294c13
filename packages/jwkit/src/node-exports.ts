/**
 * The public API of the entries for runtimes with node: modules (index.node.ts for Node and Bun,
 * index.deno.ts for Deno): the isomorphic API plus KeyObject conversion, the node:crypto backend
 * and file storage. One list, so those entries cannot drift apart (test/entries checks all).
 */

export * from './crypto/keyobject.js';
export { nodeBackend } from './crypto/node.js';
export * from './index.js';
export { FileStorage, type FileStorageOptions } from './set/file-storage.js';
