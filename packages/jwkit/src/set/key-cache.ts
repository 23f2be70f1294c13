/**
 * Imported keys, cached per (backend, key identity, alg, usage).
 *
 * Importing is the expensive step of a verification (parsing an RSA modulus, building a native
 * key), so it happens once per key and algorithm. The cache is keyed by the key's identity (the
 * RFC 7638 thumbprint input, see key-info.ts) rather than by object: callers that pass a fresh
 * JWK object on every call still hit it, and caller objects are never mutated, frozen or used as
 * WeakMap keys. Signing handles also key on the private members, so two JWKs that share a public
 * half but differ in `d` never share a handle.
 */

import type { CryptoBackend, KeyHandle, KeyUsage } from '../crypto/backend.js';
import type { JWK } from '../jwk/model.js';
import { isPrivate, toPublic } from '../jwk/model.js';
import { thumbprintInput } from '../jwk/thumbprint.js';
import { KTY_MEMBERS } from '../registry.js';
import { BoundedMap } from './bounded-map.js';

/** Bound on cached handles per backend; the oldest entry goes first when it is reached. */
const MAX_ENTRIES = 2048;

const caches = new WeakMap<CryptoBackend, Map<string, KeyHandle | Promise<KeyHandle>>>();

function cacheOf(backend: CryptoBackend): Map<string, KeyHandle | Promise<KeyHandle>> {
  let cache = caches.get(backend);
  if (cache === undefined) {
    cache = new BoundedMap(MAX_ENTRIES);
    caches.set(backend, cache);
  }
  return cache;
}

/** The identity a handle of this usage is cached under (`id` = its RFC 7638 thumbprint input). */
export function handleIdentity(jwk: JWK, usage: KeyUsage, id: string = thumbprintInput(jwk)): string {
  if (usage === 'verify' || jwk.kty === 'oct') return id;
  let priv = '';
  for (const m of KTY_MEMBERS[jwk.kty].private) priv += `,${JSON.stringify(jwk[m] ?? null)}`;
  return id + priv;
}

/**
 * The handle for `jwk` (already validated and already checked to suit `alg`), from the cache or
 * freshly imported. Synchronous when cached or when the backend imports synchronously, so the
 * JWT fast path stays free of promise hops.
 */
export function importCached(
  backend: CryptoBackend,
  jwk: JWK,
  alg: string,
  usage: KeyUsage,
  id: string = handleIdentity(jwk, usage),
): KeyHandle | Promise<KeyHandle> {
  const cache = cacheOf(backend);
  const key = `${alg}\u0000${usage}\u0000${id}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  // A verify handle needs only the public half; WebCrypto refuses private JWKs for `verify`.
  const material = usage === 'verify' && jwk.kty !== 'oct' && isPrivate(jwk) ? toPublic(jwk) : jwk;
  if (backend.importKeySync !== undefined) {
    const handle = backend.importKeySync(material, alg, usage);
    cache.set(key, handle);
    return handle;
  }
  const pending = backend.importKey(material, alg, usage).then(
    (handle) => {
      if (cache.get(key) === pending) cache.set(key, handle);
      return handle;
    },
    (error: unknown) => {
      if (cache.get(key) === pending) cache.delete(key);
      throw error;
    },
  );
  cache.set(key, pending);
  return pending;
}

/** The cached handle when it is ready now, else `undefined` (never starts an async import). */
export function cachedHandle(
  backend: CryptoBackend,
  jwk: JWK,
  alg: string,
  usage: KeyUsage,
  id: string = handleIdentity(jwk, usage),
): KeyHandle | undefined {
  const hit = cacheOf(backend).get(`${alg}\u0000${usage}\u0000${id}`);
  if (hit !== undefined && !(hit instanceof Promise)) return hit;
  if (backend.importKeySync !== undefined) return importCached(backend, jwk, alg, usage, id) as KeyHandle;
  return undefined;
}
