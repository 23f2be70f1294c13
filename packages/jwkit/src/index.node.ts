/** jwkit on Node: everything from the isomorphic entry, with the node:crypto backend installed. */

import { setBackend } from './crypto/active.js';
import { installNodeMlDsa } from './crypto/ml-dsa-node.js';
import { nodeBackend } from './crypto/node.js';

setBackend(nodeBackend);
// ML-DSA (RFC 9964) on Node: chosen and loaded at first use only (crypto/ml-dsa-node.ts).
installNodeMlDsa();

export * from './crypto/keyobject.js';
export { nodeBackend } from './crypto/node.js';
export * from './index.js';
export { FileStorage, type FileStorageOptions } from './set/file-storage.js';
