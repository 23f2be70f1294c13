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
  /** The private JWK sealed by the master key (crypto-at-rest.ts); never plaintext. */
  readonly sealedPrivate: string;
  readonly createdAt: number;
  /** When the key starts (or started) signing. */
  readonly activatesAt: number;
  /** When the key stops (or stopped) signing. */
  readonly retiresAt: number;
  /** When a retired or revoked key is removed from the store; null while next or current. */
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly origin: 'generated' | 'imported';
}

export interface Snapshot {
  /** Bumped by every successful commit. */
  readonly version: number;
  readonly keys: readonly StoredKey[];
  /** A value sealed under the master key that created the store; detects a wrong master key. */
  readonly keyCheck: string | null;
}

export interface Mutation {
  /** Keys to insert or replace whole (by kid). */
  readonly upsert: readonly StoredKey[];
  /** Kids to remove. */
  readonly remove: readonly string[];
  /** Sets the key check (only while it is null). */
  readonly keyCheck?: string;
}

export interface KeyStore {
  readonly kind: 'sqlite' | 'postgres';
  /** The store's location with any password removed, for logs. */
  readonly description: string;
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
