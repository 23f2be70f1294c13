/**
 * The audit trail (issue 14.7): every key event, written in the same transaction as the change
 * it describes (so the trail cannot miss a committed change or record one that rolled back), and
 * admin calls appended on their own. Entries carry the actor (`schedule`, `cli`, `admin-api`,
 * `serve`, `library`) and the writing process, so a running server can report changes made by
 * the CLI or by another replica.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Mutation, NewAuditEntry, StoredKey } from './store.js';

export type AuditActor = 'schedule' | 'cli' | 'admin-api' | 'serve' | 'library' | (string & {});

export interface AuditContext {
  readonly actor: AuditActor;
  /** The writing process; see `writerId`. */
  readonly writer: string;
  readonly at: number;
}

/** host:pid:random, one per process (or per manager), so entries from elsewhere can be told apart. */
export function writerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Text safe in one log line: control characters escaped (a kid is input; issue 13.11). */
export function auditText(value: string): string {
  return value.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function auditEntry(
  ctx: AuditContext,
  event: string,
  fields: { kid?: string | null; alg?: string | null; detail?: unknown } = {},
): NewAuditEntry {
  return {
    at: ctx.at,
    actor: ctx.actor,
    event,
    kid: fields.kid ?? null,
    alg: fields.alg ?? null,
    detail: fields.detail === undefined ? null : JSON.stringify(fields.detail),
    writer: ctx.writer,
  };
}

/** The key events a mutation makes, from the keys before it: created/imported, published, activated, retired, revoked, removed. */
export function keyEvents(
  before: readonly StoredKey[],
  mutation: Mutation,
  ctx: AuditContext,
): NewAuditEntry[] {
  const old = new Map(before.map((k) => [k.kid, k]));
  const out: NewAuditEntry[] = [];
  const add = (event: string, k: StoredKey, detail?: unknown) =>
    out.push(auditEntry(ctx, event, { kid: k.kid, alg: k.alg, ...(detail === undefined ? {} : { detail }) }));
  // Leaving states first, so a rotation reads "retired A, activated B".
  const upserts = [...mutation.upsert].sort(
    (a, b) => Number(a.state === 'current') - Number(b.state === 'current'),
  );
  for (const k of upserts) {
    const b = old.get(k.kid);
    if (!b) {
      add(k.origin === 'imported' ? 'imported' : 'created', k, { state: k.state });
      if (k.publicJwk !== null && (k.state === 'next' || k.state === 'current')) add('published', k);
      if (k.state === 'current') add('activated', k);
      continue;
    }
    if (b.state === k.state) continue;
    if (k.state === 'current') add('activated', k, { from: b.state });
    else if (k.state === 'retired') add('retired', k, { from: b.state, expires: iso(k.expiresAt) });
    else if (k.state === 'revoked') add('revoked', k, { from: b.state, expires: iso(k.expiresAt) });
  }
  for (const kid of mutation.remove) {
    const b = old.get(kid);
    if (b) add('removed', b, { from: b.state });
    else out.push(auditEntry(ctx, 'removed', { kid }));
  }
  return out;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
