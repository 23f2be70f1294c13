/** The node:crypto backend (work in progress: see issue #2). */
import { UnsupportedError } from '../errors.js';
import type { CryptoBackend } from './backend.js';

const todo = (): never => {
  throw new UnsupportedError('node backend: not implemented yet');
};

export const nodeBackend: CryptoBackend = {
  name: 'node',
  importKey: async () => todo(),
  sign: async () => todo(),
  verify: async () => todo(),
  generate: async () => todo(),
  digest: async () => todo(),
};
