/** `openStore(url)`: the one place that maps a store URL to an implementation. */

import { resolve } from 'node:path';
import { StoreError } from 'jwkit';
import { openPostgresStore, type PostgresStoreOptions } from './postgres.js';
import { openSQLiteStore } from './sqlite.js';
import type { KeyStore } from './store.js';

/** The embedded default: a SQLite file under `./.jwkit/`. */
export const DEFAULT_STORE_URL = 'sqlite:./.jwkit/keys.db';

/**
 * `create` (default true, for the library) and `readOnly` apply to both kinds: `jwkit keys list`
 * opens read-only (nothing created, nothing migrated), `jwkit serve` and the writing `jwkit keys`
 * commands open with `create: false` unless the operator asked for a new store (issue 13.3, 13.16).
 */
export interface OpenStoreOptions extends PostgresStoreOptions {}

/**
 * Opens a key store: `sqlite:<path>` (relative to the working directory; `sqlite::memory:` for a
 * private in-memory store) or `postgres://` / `postgresql://` URLs (`?schema=` picks the schema).
 */
export async function openStore(
  url: string = DEFAULT_STORE_URL,
  options: OpenStoreOptions = {},
): Promise<KeyStore> {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs/path and sqlite://rel
    if (path === '')
      throw new StoreError('ERR_STORE_CONFIG', 'sqlite: needs a path, e.g. sqlite:./.jwkit/keys.db');
    return openSQLiteStore(path === ':memory:' ? path : resolve(path), {
      ...(options.create === undefined ? {} : { create: options.create }),
      ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }),
    });
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return openPostgresStore(url, options);
  throw new StoreError(
    'ERR_STORE_CONFIG',
    `unknown store ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//***@'))}: use sqlite:./path/keys.db or postgres://user@host/db`,
  );
}
