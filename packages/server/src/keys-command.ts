/**
 * `jwkit keys list|rotate|import|revoke --store ...`: the key lifecycle without the HTTP admin
 * API. Each function opens the store, does one thing in one transaction, and closes it. A
 * running server sees the change at its next poll (or at once on PostgreSQL, by notification).
 */

import type { KeyInfo } from './key-manager.js';
import { KeyManager, toInfo } from './key-manager.js';
import { type MasterKeyOptions, masterKeyForStore } from './master-key-file.js';
import { DEFAULT_ALGS } from './policy.js';
import { DEFAULT_STORE_URL, openStore } from './stores/open.js';
import { type KeyStore, STATE_RANK } from './stores/store.js';

export interface KeysOptions extends MasterKeyOptions {
  /** Store URL. Default `sqlite:./.jwkit/keys.db`. */
  store?: string;
  /** PostgreSQL schema. Default `public`. */
  schema?: string;
  /** Algorithms to manage when the store holds none yet. Default: those in the store, else ES256 and RS256. */
  algs?: string[];
  /** Where warnings go (a new master key file). Default: stderr. */
  log?: (line: string) => void;
}

async function withStore<T>(
  options: KeysOptions,
  fn: (store: KeyStore, url: string) => Promise<T>,
): Promise<T> {
  const url = options.store ?? DEFAULT_STORE_URL;
  const store = await openStore(url, options.schema === undefined ? {} : { schema: options.schema });
  try {
    return await fn(store, url);
  } finally {
    await store.close();
  }
}

async function withManager<T>(options: KeysOptions, fn: (manager: KeyManager) => Promise<T>): Promise<T> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return withStore(options, async (store, url) => {
    const masterKey = await masterKeyForStore(store, url, options, (w) => log(`jwkit keys: warning: ${w}`));
    // Manage the algorithms the store already uses, so a command never retires a server's keys.
    const inStore = (await store.load()).keys
      .filter((k) => k.state === 'current' || k.state === 'next')
      .map((k) => k.alg);
    const algs = [...new Set([...inStore, ...(options.algs ?? [])])];
    const manager = await KeyManager.open({
      store,
      masterKey,
      policies: algs.length > 0 ? algs : [...DEFAULT_ALGS],
      schedule: false,
    });
    try {
      return await fn(manager);
    } finally {
      await manager.close();
    }
  });
}

/** Every key in the store (no master key needed: nothing is decrypted). */
export async function keysList(options: KeysOptions = {}): Promise<KeyInfo[]> {
  return withStore(options, async (store) => {
    return (await store.load()).keys
      .map(toInfo)
      .sort(
        (a, b) =>
          STATE_RANK[a.state] - STATE_RANK[b.state] ||
          a.alg.localeCompare(b.alg) ||
          b.activates.localeCompare(a.activates),
      );
  });
}

/** Rotates now (one alg or all): the next key starts signing. Returns the new current keys. */
export async function keysRotate(options: KeysOptions & { alg?: string } = {}): Promise<KeyInfo[]> {
  return withManager(options, async (m) => {
    await m.tick();
    return m.rotate(options.alg);
  });
}

/** Imports a private key from JWK or PEM text, as the next key (or the current one with `activate`). */
export async function keysImport(
  options: KeysOptions & { input: string; alg?: string; activate?: boolean },
): Promise<KeyInfo> {
  const text = options.input.trim();
  const input = text.startsWith('{') ? { jwk: text } : { pem: text };
  return withManager(
    { ...options, algs: [...(options.algs ?? []), ...(options.alg ? [options.alg] : [])] },
    async (m) => {
      await m.tick();
      return m.importKey(input, {
        ...(options.alg === undefined ? {} : { alg: options.alg }),
        activate: options.activate === true,
      });
    },
  );
}

/** Revokes a key: it leaves the published set at once; a revoked current key is replaced. */
export async function keysRevoke(options: KeysOptions & { kid: string }): Promise<KeyInfo> {
  return withManager(options, (m) => m.revoke(options.kid));
}

/** A plain-text table of keys for people (the CLI prints JSON with --json instead). */
export function formatKeys(keys: readonly KeyInfo[]): string {
  const head = ['KID', 'ALG', 'STATE', 'ACTIVATES', 'RETIRES', 'EXPIRES'];
  const rows = keys.map((k) => [k.kid, k.alg, k.state, k.activates, k.retires, k.expires ?? '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
