/**
 * Software key custody (the default): keys are made in this process (RSA in a low-priority
 * worker, keygen.ts), sealed under the master key in the store row, and opened to sign. The
 * store is the custody: there is nothing to destroy or list outside it. Without a master key (a
 * store whose keys all live in a PKCS#11 token) it makes and opens nothing: ERR_MASTER_KEY_MISSING.
 */

import { nodeBackend } from 'jwkit';
import type { MasterKey } from '../crypto-at-rest.js';
import { ServerConfigError } from '../errors.js';
import { generateKey, openKey } from '../key-material.js';
import type { Policy } from '../policy.js';
import type { FreshKey } from '../schedule.js';
import type { StoredKey } from '../stores/store.js';
import type { CustodyObject, KeyCustody, KeySigner } from './custody.js';

export class SoftwareCustody implements KeyCustody {
  readonly kind = 'software' as const;
  readonly description = 'software keys sealed in the store under the master key';
  readonly #masterKey: MasterKey | undefined;

  constructor(masterKey: MasterKey | undefined) {
    this.#masterKey = masterKey;
  }

  async generate(policy: Policy): Promise<FreshKey> {
    return generateKey(policy, this.#key(`a software ${policy.alg} key`));
  }

  signer(key: StoredKey): KeySigner {
    // Throws ERR_MASTER_KEY_MISMATCH / ERR_SEALED_CORRUPT, as openKey always did.
    const jwk = openKey(key, this.#key(`the software key ${key.kid}`));
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

  #key(what: string): MasterKey {
    if (this.#masterKey) return this.#masterKey;
    throw new ServerConfigError(
      'ERR_MASTER_KEY_MISSING',
      `${what} is sealed under a master key, and this process runs without one (its keys live in a PKCS#11 token); ` +
        'set JWKIT_MASTER_KEY or --master-key-file, or keep the alg in the token',
    );
  }

  async destroy(): Promise<boolean> {
    return false;
  }

  async inventory(): Promise<CustodyObject[]> {
    return [];
  }

  async close(): Promise<void> {}
}
