/**
 * Which master key a store is opened with, shared by `jwkit serve` and `jwkit keys`: the given
 * key, `JWKIT_MASTER_KEY`, or a key file. A key file is created only for a store that holds no
 * sealed key yet, so a missing file never silently orphans existing keys.
 */

import { dirname, join, resolve } from 'node:path';
import { loadMasterKey, type MasterKey } from './crypto-at-rest.js';
import type { KeyStore } from './stores/store.js';

export interface MasterKeyOptions {
  /** Master key as base64 text. Default: `JWKIT_MASTER_KEY`, else the key file. */
  masterKey?: string;
  /** Default: `master.key` beside a SQLite file, else `./.jwkit/master.key`. */
  masterKeyFile?: string;
}

/** `master.key` beside the SQLite file; `./.jwkit/master.key` otherwise (replicas share JWKIT_MASTER_KEY instead). */
export function defaultMasterKeyFile(storeUrl: string): string {
  if (storeUrl.startsWith('sqlite:')) {
    const path = storeUrl.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path !== ':memory:') return join(dirname(resolve(path)), 'master.key');
  }
  return resolve('.jwkit/master.key');
}

export async function masterKeyForStore(
  store: KeyStore,
  storeUrl: string,
  options: MasterKeyOptions,
  warn: (message: string) => void,
): Promise<MasterKey> {
  const file = options.masterKeyFile ?? defaultMasterKeyFile(storeUrl);
  const fresh = (await store.load()).keyCheck === null;
  const master = await loadMasterKey({
    ...(options.masterKey === undefined ? {} : { value: options.masterKey }),
    file,
    create: fresh,
  });
  for (const w of master.warnings) warn(w);
  if (master.created) {
    warn(
      `created a new master key in ${file} (mode 0600); back it up: without it the stored keys cannot be opened. ` +
        'In production set JWKIT_MASTER_KEY from a secret store instead.',
    );
  }
  return master.key;
}
