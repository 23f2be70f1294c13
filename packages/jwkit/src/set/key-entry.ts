/** A validated key as sets and verifiers hold it: frozen, with its public form and key info. */

import type { JWK } from '../jwk/model.js';
import { isPrivate, toPublic } from '../jwk/model.js';
import { deepFreeze } from './freeze.js';
import { type KeyProfile, keyProfile } from './key-profile.js';
import type { SelectableKey } from './select.js';

export interface KeyEntry extends SelectableKey {
  /** The key as stored (may be private), frozen. */
  readonly jwk: JWK;
  /** What verification hands out: the public form, or the key itself for oct. Frozen. */
  readonly verifyJwk: JWK;
  readonly info: KeyProfile;
}

/** Wraps a key that `parseJWK`/`parseJWKSet` returned (a fresh copy jwkit owns, so it may be frozen). */
export function keyEntry(validated: JWK): KeyEntry {
  const jwk = deepFreeze(validated);
  const verifyJwk = jwk.kty !== 'oct' && isPrivate(jwk) ? deepFreeze(toPublic(jwk)) : jwk;
  return { jwk, verifyJwk, info: keyProfile(jwk) };
}
