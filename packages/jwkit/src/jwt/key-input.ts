/**
 * The key argument of verify and sign: a `KeySource` (JWKSet, RemoteJWKSet) or one JWK.
 *
 * A single JWK is validated once per distinct content (its JSON text) and imported once per
 * (identity, alg, usage) through the shared key cache, so passing a fresh object on every call
 * costs a JSON.stringify, not a validation and an import. The caller's object is only read.
 */

import type { CryptoBackend, KeyHandle, KeyUsage } from '../crypto/backend.js';
import { JWKitError, JWTError } from '../errors/index.js';
import type { JWK } from '../jwk/model.js';
import { parseJWK } from '../jwk/validate/index.js';
import type { AlgorithmInfo } from '../registry.js';
import { BoundedMap } from '../set/bounded-map.js';
import { cachedHandle, handleIdentity, importCached } from '../set/key-cache.js';
import { type KeyEntry, keyEntry } from '../set/key-entry.js';
import type { KeySource, SelectedKey } from '../set/key-source.js';
import { verificationRejection } from '../set/select.js';

export type KeyInput = KeySource | JWK;

export function isKeySource(input: unknown): input is KeySource {
  return typeof (input as KeySource | undefined)?.selectKey === 'function';
}

const MAX_VALIDATED = 256;
const validated = new BoundedMap<string, KeyEntry>(MAX_VALIDATED);

/**
 * What a caller's JWK object held when it was last validated: its own enumerable member names
 * in order, and their values (arrays copied). A caller may mutate its object between calls, so
 * the snapshot is only used while the object still holds exactly these members with these
 * values (===, arrays element by element): then `JSON.stringify` of it would give the same text,
 * and so the same entry, without serializing the key on every call (issue 15). Objects with a
 * `toJSON`, accessor members or object-valued members (other than arrays of strings) are not
 * snapshotted.
 */
interface Snapshot {
  readonly names: readonly string[];
  readonly values: readonly unknown[];
  readonly entry: KeyEntry;
}
const snapshots = new WeakMap<object, Snapshot>();

function snapshotOf(input: Record<string, unknown>, entry: KeyEntry): Snapshot | undefined {
  if (typeof input.toJSON === 'function') return undefined;
  const names = Object.keys(input);
  const values: unknown[] = [];
  // Plain data members only: a getter could answer differently now than JSON.stringify did.
  const descriptors = Object.getOwnPropertyDescriptors(input);
  for (const name of names) {
    if (!('value' in descriptors[name]!)) return undefined;
    const value = input[name];
    if (Array.isArray(value)) {
      if (!value.every((v) => typeof v === 'string')) return undefined;
      values.push(value.slice());
    } else if (value !== null && typeof value === 'object') {
      return undefined;
    } else values.push(value);
  }
  return { names, values, entry };
}

function unchanged(input: Record<string, unknown>, snapshot: Snapshot): boolean {
  const names = Object.keys(input);
  const { names: was, values } = snapshot;
  if (names.length !== was.length) return false;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name !== was[i]) return false;
    const value = input[name];
    const before = values[i];
    if (Array.isArray(before)) {
      if (!Array.isArray(value) || value.length !== before.length) return false;
      for (let j = 0; j < value.length; j++) if (value[j] !== before[j]) return false;
    } else if (value !== before) return false;
  }
  return typeof input.toJSON !== 'function';
}

/** The validated entry for a caller's JWK (throws `JWKError` when it is not a valid JWK). */
export function validatedKey(input: unknown): KeyEntry {
  if (input === null || typeof input !== 'object') {
    throw new JWTError('ERR_JWT_KEY_INVALID', 'the key must be a JWK object or a KeySource such as a JWKSet');
  }
  const record = input as Record<string, unknown>;
  const snapshot = snapshots.get(input);
  if (snapshot !== undefined && unchanged(record, snapshot)) return snapshot.entry;
  const entry = validatedByText(input);
  const next = snapshotOf(record, entry);
  if (next !== undefined) snapshots.set(input, next);
  else snapshots.delete(input);
  return entry;
}

function validatedByText(input: object): KeyEntry {
  let text: string;
  try {
    text = JSON.stringify(input);
  } catch (cause) {
    throw new JWTError('ERR_JWT_KEY_INVALID', 'the key is not a JSON object (a JWK)', { cause });
  }
  const hit = validated.get(text);
  if (hit !== undefined) return hit;
  const entry = keyEntry(parseJWK(input));
  validated.set(text, entry);
  return entry;
}

/**
 * The single key's verification handle for `alg`, after the same key rules a set applies (its
 * `use`, `key_ops`, `alg`, type and size must allow `alg`). `kid` is not compared: the caller
 * chose this key. Returns `undefined` when `sync` and the handle is not ready without awaiting.
 */
export function directKey(
  input: JWK,
  alg: AlgorithmInfo,
  backend: CryptoBackend,
  sync: true,
): SelectedKey | undefined;
export function directKey(
  input: JWK,
  alg: AlgorithmInfo,
  backend: CryptoBackend,
  sync: false,
): SelectedKey | Promise<SelectedKey>;
export function directKey(
  input: JWK,
  alg: AlgorithmInfo,
  backend: CryptoBackend,
  sync: boolean,
): SelectedKey | Promise<SelectedKey> | undefined {
  const entry = validatedKey(input);
  checkUsable(entry, alg);
  const id = entry.info.id;
  const jwk = entry.verifyJwk;
  if (sync) {
    const handle = cachedHandle(backend, entry.jwk, alg.alg, 'verify', id);
    return handle === undefined ? undefined : { jwk, handle };
  }
  const handle = importCached(backend, entry.jwk, alg.alg, 'verify', id);
  return handle instanceof Promise ? handle.then((h) => ({ jwk, handle: h })) : { jwk, handle };
}

/** A signing handle for a caller's private JWK; `usage` checks mirror `checkUsable` for signing. */
export function signingHandle(
  input: JWK,
  alg: AlgorithmInfo,
  backend: CryptoBackend,
): KeyHandle | Promise<KeyHandle> {
  const entry = validatedKey(input);
  // The checks below depend only on the (frozen, cached) entry and alg: remembered per backend
  // once they passed, so a signer pays them once per key (issue 15). Failures are not cached.
  const done = signingChecked.get(entry)?.get(backend)?.get(alg.alg);
  if (done !== undefined) return done;
  const handle = checkedSigningHandle(entry, alg, backend);
  if (!(handle instanceof Promise)) {
    let byBackend = signingChecked.get(entry);
    if (byBackend === undefined) {
      byBackend = new WeakMap();
      signingChecked.set(entry, byBackend);
    }
    let byAlg = byBackend.get(backend);
    if (byAlg === undefined) {
      byAlg = new Map();
      byBackend.set(backend, byAlg);
    }
    byAlg.set(alg.alg, handle);
  }
  return handle;
}

const signingChecked = new WeakMap<KeyEntry, WeakMap<CryptoBackend, Map<string, KeyHandle>>>();

function checkedSigningHandle(
  entry: KeyEntry,
  alg: AlgorithmInfo,
  backend: CryptoBackend,
): KeyHandle | Promise<KeyHandle> {
  const jwk = entry.jwk;
  const usage: KeyUsage = 'sign';
  const bad = (message: string) => new JWTError('ERR_JWT_SIGN_KEY', message);
  if (jwk.kty !== 'oct' && (jwk.kty === 'AKP' ? jwk.priv === undefined : jwk.d === undefined))
    throw bad(
      'signing needs a private key (with "d", or "priv" for AKP) or an oct key; this is a public key',
    );
  if (jwk.use !== undefined && jwk.use !== 'sig')
    throw bad(`the key's "use" is ${JSON.stringify(jwk.use)}, not "sig"`);
  if (jwk.key_ops !== undefined && !jwk.key_ops.includes('sign')) {
    throw bad(`the key's "key_ops" ${JSON.stringify(jwk.key_ops)} do not include "sign"`);
  }
  // Same type/curve/size rules as verification (minimum RSA and HMAC key sizes included).
  const { use: _u, key_ops: _o, ...rest } = jwk;
  const reason = verificationRejection(rest as JWK, entry.info, alg);
  if (reason !== undefined) throw bad(`this key cannot sign ${alg.alg}: ${reason}`);
  return importCached(backend, jwk, alg.alg, usage, handleIdentity(jwk, usage, entry.info.id));
}

function checkUsable(entry: KeyEntry, alg: AlgorithmInfo): void {
  const reason = verificationRejection(entry.jwk, entry.info, alg);
  if (reason === undefined) return;
  if (alg.family === 'HMAC' && entry.jwk.kty !== 'oct') {
    // RFC 8725 §2.1: the classic confusion attack, a public key used as an HMAC secret.
    throw new JWTError(
      'ERR_JWT_HMAC_WITH_ASYMMETRIC_KEY',
      `the token asks for ${alg.alg} (HMAC) but the key is ${entry.jwk.kty}; an asymmetric key is never an HMAC secret`,
    );
  }
  throw new JWTError('ERR_JWT_KEY_UNUSABLE', `the key cannot verify ${alg.alg}: ${reason}`);
}

/** Wraps what a crypto backend throws for a key it cannot use (keeps JWKitErrors as they are). */
export function asJWKitError(error: unknown): JWKitError {
  return error instanceof JWKitError
    ? error
    : new JWTError(
        'ERR_JWT_KEY_UNUSABLE',
        `the key could not be used: ${(error as Error)?.message ?? String(error)}`,
        {
          cause: error,
        },
      );
}
