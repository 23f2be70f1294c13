/** jwkit on Node: everything from the isomorphic entry, with the node:crypto backend installed. */

import { setBackend } from './crypto/active.js';
import { nodeBackend } from './crypto/node.js';

setBackend(nodeBackend);

export * from './crypto/keyobject.js';
export { nodeBackend } from './crypto/node.js';
export * from './index.js';
export { FileStorage, type FileStorageOptions } from './set/file-storage.js';
