/**
 * Which master key a store is opened with, shared by `jwkit serve` and `jwkit keys`: the given
 * key, `JWKIT_MASTER_KEY`, or a key file. A key file is created only for a store that holds no
 * sealed key yet, so a missing file never silently orphans existing keys.
 */

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StoreError } from 'jwkit';
import { loadMasterKey, type MasterKey } from './crypto-at-rest.js';
import { openStore } from './stores/open.js';
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

/** Where a master key is given from, for messages; undefined when none is (no option, env or file). */
function masterKeySource(storeUrl: string, options: MasterKeyOptions): string | undefined {
  const file = options.masterKeyFile ?? defaultMasterKeyFile(storeUrl);
  const env = process.env.JWKIT_MASTER_KEY;
  return options.masterKey !== undefined
    ? 'the master key given'
    : env !== undefined && env.trim() !== ''
      ? 'JWKIT_MASTER_KEY'
      : existsSync(file)
        ? `the master key file ${file}`
        : undefined;
}

export interface OpenWriterOptions extends MasterKeyOptions {
  /**
   * Keys are made in a PKCS#11 token (`jwkit serve --pkcs11`): a store without a key check,
   * opened with no master key given (no option, no JWKIT_MASTER_KEY, no key file), runs without
   * one and none is created (issue 17). Default false.
   */
  withoutMasterKey?: boolean;
  /**
   * Something besides a master key that shows a store existed (e.g. "the PKCS#11 token's 2 jwkit
   * keys"): a missing store is then ERR_STORE_MISSING unless `init`, as with a master key.
   */
  otherKeySource?: string;
  /** PostgreSQL schema. */
  schema?: string;
  /** Create the store when it does not exist (`jwkit serve --init`, `jwkit keys init`). Default false. */
  init?: boolean;
  /**
   * When neither the store nor any master key exists (the very first start on a machine), create
   * both without `init`. Default false. A missing store with a master key present is never
   * created without `init`.
   */
  firstStart?: boolean;
  warn: (message: string) => void;
}

/**
 * Opens a store for a writer (serve, the writing `jwkit keys` commands) with its master key (or
 * none: see `withoutMasterKey`),
 * without ever silently replacing a lost store (issue 13.3): a store that does not exist while a
 * master key does means the store was deleted or the URL is wrong, and a fresh store would
 * publish new keys so that every token signed before stops verifying. That is ERR_STORE_MISSING
 * naming the store, unless the operator asks for a new store with `init`.
 */
export async function openWriterStore(
  storeUrl: string,
  options: OpenWriterOptions,
): Promise<{ store: KeyStore; masterKey: MasterKey | undefined; created: boolean }> {
  const schema = options.schema === undefined ? {} : { schema: options.schema };
  let store: KeyStore;
  let created = false;
  try {
    store = await openStore(storeUrl, { ...schema, create: false });
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_STORE_MISSING') throw e;
    const keySource = masterKeySource(storeUrl, options) ?? options.otherKeySource;
    if (!options.init && (keySource !== undefined || !options.firstStart)) {
      throw new StoreError(
        'ERR_STORE_MISSING',
        keySource === undefined
          ? (e as Error).message
          : `the store ${storeUrl.replace(/\/\/[^@/]*@/, '//***@')} does not exist, but ${keySource} does: the store was deleted or moved, or --store is wrong. ` +
              'A new store would publish new keys and every token signed before would stop verifying. ' +
              'Restore it (jwkit keys restore), fix --store, or create a new store on purpose with --init (jwkit serve --init, jwkit keys init)',
        { cause: e },
      );
    }
    store = await openStore(storeUrl, { ...schema, create: true });
    created = true;
  }
  try {
    if (masterKeySource(storeUrl, options) === undefined) {
      // No master key anywhere and none recorded by the store: with --pkcs11 none is needed; a
      // store whose keys all live in a token is never given a new one either (the key manager
      // then refuses it without its token: ERR_PKCS11_REQUIRED, not a stray key file).
      const { keyCheck, keys } = await store.load();
      const tokenOnly = keys.length > 0 && keys.every((k) => k.custody != null);
      if (keyCheck === null && (options.withoutMasterKey === true || tokenOnly)) {
        return { store, masterKey: undefined, created };
      }
    }
    const masterKey = await masterKeyForStore(store, storeUrl, options, options.warn);
    return { store, masterKey, created };
  } catch (e) {
    await store.close();
    throw e;
  }
}
