/**
 * Software key custody (the default): keys are made in this process (RSA in a low-priority
 * worker, keygen.ts), sealed under the master key in the store row, and opened to sign. The
 * store is the custody: there is nothing to destroy or list outside it.
 */

import { nodeBackend } from 'jwkit';
import type { MasterKey } from '../crypto-at-rest.js';
import { generateKey, openKey } from '../key-material.js';
import type { Policy } from '../policy.js';
import type { FreshKey } from '../schedule.js';
import type { StoredKey } from '../stores/store.js';
import type { CustodyObject, KeyCustody, KeySigner } from './custody.js';

export class SoftwareCustody implements KeyCustody {
  readonly kind = 'software' as const;
  readonly description = 'software keys sealed in the store under the master key';
  readonly #masterKey: MasterKey;

  constructor(masterKey: MasterKey) {
    this.#masterKey = masterKey;
  }

  generate(policy: Policy): Promise<FreshKey> {
    return generateKey(policy, this.#masterKey);
  }

  signer(key: StoredKey): KeySigner {
    // Throws ERR_MASTER_KEY_MISMATCH / ERR_SEALED_CORRUPT, as openKey always did.
    const jwk = openKey(key, this.#masterKey);
    let handle: ReturnType<typeof nodeBackend.importKey> | undefined;
    return {
      kind: 'software',
      kid: key.kid,
      alg: key.alg,
      jwk,
      sign: async (data) => {
        handle ??= nodeBackend.importKey(jwk, key.alg, 'sign');
        return nodeBackend.sign(await handle, data);
      },
    };
  }

  async destroy(): Promise<boolean> {
    return false;
  }

  async inventory(): Promise<CustodyObject[]> {
    return [];
  }

  async close(): Promise<void> {}
}
