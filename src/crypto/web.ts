/** The WebCrypto backend (work in progress: see issue #2). */
import { UnsupportedError } from '../errors.js';
import type { CryptoBackend } from './backend.js';

const todo = (): never => {
  throw new UnsupportedError('webcrypto backend: not implemented yet');
};

export const webBackend: CryptoBackend = {
  name: 'webcrypto',
  importKey: async () => todo(),
  sign: async () => todo(),
  verify: async () => todo(),
  generate: async () => todo(),
  digest: async () => todo(),
};
