/**
 * The key store: where the key lifecycle persists. Two implementations (SQLite for one process
 * or host, PostgreSQL for replicas) behind one small interface.
 *
 * Every change is one compare-and-set transaction on a single version number: `commit` applies a
 * whole mutation atomically only if nobody committed since the caller loaded that version. That
 * one rule gives crash safety (a rotation is all or nothing) and replica safety (two replicas
 * that decide to rotate at once cannot both win; the loser reloads and finds nothing to do).
 */

export type KeyState = 'next' | 'current' | 'retired' | 'revoked';

export const KEY_STATES: readonly KeyState[] = ['next', 'current', 'retired', 'revoked'];

/** The order keys are listed in: signing keys first, then announced, retired, revoked. */
export const STATE_RANK: Readonly<Record<KeyState, number>> = Object.freeze({
  current: 0,
  next: 1,
  retired: 2,
  revoked: 3,
});

/** One key as stored. Times are milliseconds since the Unix epoch. */
export interface StoredKey {
  readonly kid: string;
  readonly alg: string;
  readonly kty: string;
  readonly state: KeyState;
  /** The public JWK as JSON text; null for `oct` keys, which have no public form. */
  readonly publicJwk: string | null;
  /**
   * The private JWK sealed by the master key (crypto-at-rest.ts); never plaintext. Null for a key
   * whose private half never leaves its custody (a PKCS#11 token): see `custody`.
   */
  readonly sealedPrivate: string | null;
  readonly createdAt: number;
  /** When the key starts (or started) signing. */
  readonly activatesAt: number;
  /** When the key stops (or stopped) signing. */
  readonly retiresAt: number;
  /** When a retired or revoked key is removed from the store; null while next or current. */
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly origin: 'generated' | 'imported';
  /**
   * The public JWK bound under the master key (`bindPublic` in key-material.ts), for keys whose
   * public form cannot be derived from sealed private material (a signer holding the private key
   * elsewhere, e.g. PKCS#11). Null for keys written before schema 2.
   */
  readonly publicMac?: string | null;
  /**
   * Where the private half lives when it is not sealed in the store: JSON text of a
   * `CustodyRef` (signer/custody.ts), e.g. `{"kind":"pkcs11","token":"...","label":"<kid>"}`.
   * Null (or absent, before schema 3) for a software key sealed in `sealedPrivate`.
   */
  readonly custody?: string | null;
}

/** One line of the audit trail (`jwkit keys audit`, `GET /admin/audit`). */
export interface AuditEntry {
  /** Increasing within one store. */
  readonly id: number;
  /** Milliseconds since the Unix epoch. */
  readonly at: number;
  /** Who: `schedule`, `cli`, `admin-api`, `serve`, `library`. */
  readonly actor: string;
  /** What: `created`, `published`, `activated`, `retired`, `removed`, `revoked`, `imported`, `restored`, `rekeyed`, `policy-changed`, `admin-call`, `admin-auth-failed`, ... */
  readonly event: string;
  readonly kid: string | null;
  readonly alg: string | null;
  /** JSON text with event-specific fields, or null. */
  readonly detail: string | null;
  /** The process that wrote it (host:pid:random), so a server can tell its own entries from others'. */
  readonly writer: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditQuery {
  /** Only entries with a larger id. */
  after?: number;
  /** At most this many (the newest when `after` is not given). Default 1000. */
  limit?: number;
  kid?: string;
}

/** What a store is, as seen when it was opened: a deleted or replaced store no longer matches. */
export interface StoreIdentity {
  /** The random id written when the store was created (meta row). */
  readonly id: string;
  /** The SQLite file's device and inode. */
  readonly file?: { readonly dev: number; readonly ino: number };
}

export interface Snapshot {
  /** Bumped by every successful commit. */
  readonly version: number;
  readonly keys: readonly StoredKey[];
  /** A value sealed under the master key that created the store; detects a wrong master key. */
  readonly keyCheck: string | null;
  /** The stored policy as JSON text (policy.ts `StoredPolicy`); null before one was set. */
  readonly policy?: string | null;
}

export interface Mutation {
  /** Keys to insert or replace whole (by kid). */
  readonly upsert: readonly StoredKey[];
  /** Kids to remove. */
  readonly remove: readonly string[];
  /** Sets the key check (only while it is null). */
  readonly keyCheck?: string;
  /** Replaces the key check whatever it was (master-key rotation, in the same transaction as the re-sealed keys). */
  readonly replaceKeyCheck?: string;
  /** Replaces the stored policy (JSON text). */
  readonly policy?: string;
  /** Audit entries written in the same transaction as the change they describe. */
  readonly audit?: readonly NewAuditEntry[];
}

export interface KeyStore {
  readonly kind: 'sqlite' | 'postgres';
  /** The store's location with any password removed, for logs. */
  readonly description: string;
  /** Opened read-only (`jwkit keys list`): nothing was created or migrated, and commits fail. */
  readonly readOnly?: boolean;
  /** The store's identity when it was opened; every later call fails with ERR_STORE_MISSING/ERR_STORE_REPLACED when it no longer holds. */
  identity?(): StoreIdentity;
  /** Audit entries, oldest first. */
  audit?(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Appends audit entries that describe no key change (admin calls, failed authentication); no version bump. */
  appendAudit?(entries: readonly NewAuditEntry[]): Promise<void>;
  load(): Promise<Snapshot>;
  /** The current version only: the cheap poll replicas use to notice a change. */
  version(): Promise<number>;
  /**
   * Applies `mutation` atomically if the stored version is still `expectedVersion`, and bumps
   * the version. Resolves false (changing nothing) when another writer committed first.
   */
  commit(expectedVersion: number, mutation: Mutation): Promise<boolean>;
  /** Calls `listener` soon after another process commits, where the store can tell (PostgreSQL). */
  watch?(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Upserts in the order the stores write them: every key leaving `current` before the one
 * entering it, so the unique index "one current per alg" holds after each statement.
 */
export function upsertOrder(upsert: readonly StoredKey[]): StoredKey[] {
  return [...upsert].sort((a, b) => Number(a.state === 'current') - Number(b.state === 'current'));
}
