/** The one mapping between a `StoredKey` and a table row, shared by the SQL stores. */

import type { AuditEntry, NewAuditEntry, StoredKey } from './store.js';

export const KEY_COLUMNS = [
  'kid',
  'alg',
  'kty',
  'state',
  'public_jwk',
  'sealed_private',
  'created_at',
  'activates_at',
  'retires_at',
  'expires_at',
  'revoked_at',
  'origin',
  'public_mac',
  'custody',
] as const;

/** A row as a driver returns it; PostgreSQL returns BIGINT as a string. */
export type KeyRow = Record<(typeof KEY_COLUMNS)[number], unknown>;

export const AUDIT_COLUMNS = ['at', 'actor', 'event', 'kid', 'alg', 'detail', 'writer'] as const;

export function rowToAudit(r: Record<string, unknown>): AuditEntry {
  const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return {
    id: Number(r.id),
    at: Number(r.at),
    actor: String(r.actor),
    event: String(r.event),
    kid: text(r.kid),
    alg: text(r.alg),
    detail: text(r.detail),
    writer: text(r.writer),
  };
}

export function auditToValues(e: NewAuditEntry): (string | number | null)[] {
  return [e.at, e.actor, e.event, e.kid, e.alg, e.detail, e.writer];
}

export function rowToKey(r: KeyRow): StoredKey {
  const time = (v: unknown): number => Number(v);
  const optionalTime = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    kid: String(r.kid),
    alg: String(r.alg),
    kty: String(r.kty),
    state: r.state as StoredKey['state'],
    publicJwk: r.public_jwk === null ? null : String(r.public_jwk),
    sealedPrivate:
      r.sealed_private === null || r.sealed_private === undefined ? null : String(r.sealed_private),
    createdAt: time(r.created_at),
    activatesAt: time(r.activates_at),
    retiresAt: time(r.retires_at),
    expiresAt: optionalTime(r.expires_at),
    revokedAt: optionalTime(r.revoked_at),
    origin: r.origin as StoredKey['origin'],
    // Absent in a schema-1 store opened read-only.
    publicMac: r.public_mac === null || r.public_mac === undefined ? null : String(r.public_mac),
    // Set only for a key held outside the store (schema 3); absent for a sealed software key.
    ...(r.custody === null || r.custody === undefined ? {} : { custody: String(r.custody) }),
  };
}

/** Row values in `KEY_COLUMNS` order. */
export function keyToValues(k: StoredKey): (string | number | null)[] {
  return [
    k.kid,
    k.alg,
    k.kty,
    k.state,
    k.publicJwk,
    k.sealedPrivate,
    k.createdAt,
    k.activatesAt,
    k.retiresAt,
    k.expiresAt,
    k.revokedAt,
    k.origin,
    k.publicMac ?? null,
    k.custody ?? null,
  ];
}

/** `INSERT ... ON CONFLICT (kid) DO UPDATE` for `table`; `param(i)` spells the i-th placeholder (1-based). */
export function upsertSQL(table: string, param: (i: number) => string): string {
  const cols = KEY_COLUMNS.join(', ');
  const params = KEY_COLUMNS.map((_, i) => param(i + 1)).join(', ');
  const set = KEY_COLUMNS.filter((c) => c !== 'kid')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  return `INSERT INTO ${table} (${cols}) VALUES (${params}) ON CONFLICT (kid) DO UPDATE SET ${set}`;
}
