/** Rules over the keys of a set (RFC 7517 §5): they concern keys together, not one key. */

import type { Problem } from '../../../errors/index.js';
import { isPrivate, type JWK } from '../../model.js';
import { thumbprintInput } from '../../thumbprint.js';
import { makeProblem } from '../codes.js';

/** One object of the `keys` array, with its canonical copy when it passed. */
export interface SetEntry {
  readonly index: number;
  readonly kid?: string;
  readonly kty?: string;
  readonly alg?: string;
  readonly key?: JWK;
}

export type SetRule = (entries: readonly SetEntry[], strict: boolean) => Problem[];

const at = (e: SetEntry, member?: string) => `keys[${e.index}]${member ? `.${member}` : ''}`;
const describe = (e: SetEntry) => `keys[${e.index}] (${e.kty ?? 'no kty'}${e.alg ? ` ${e.alg}` : ''})`;
const kept = (entries: readonly SetEntry[]) =>
  entries.filter((e): e is SetEntry & { key: JWK } => e.key !== undefined);

/**
 * RFC 7517 §4.5: keys in a set "SHOULD use distinct kid values", except keys of different types
 * meant as alternatives. Same kid with the same kty and alg (or no alg on one of them) is an
 * error: a verifier cannot tell which key a token means. Otherwise a warning. Skipped keys count
 * too: the publisher meant them as keys, and fixing one would make the set ambiguous.
 */
export const duplicateKids: SetRule = (entries, strict) => {
  const out: Problem[] = [];
  const byKid = new Map<string, SetEntry[]>();
  for (const k of entries) {
    if (k.kid === undefined) continue;
    const same = byKid.get(k.kid);
    if (same === undefined) {
      byKid.set(k.kid, [k]);
      continue;
    }
    const clash = same.find(
      (o) => o.kty === k.kty && (o.alg === undefined || k.alg === undefined || o.alg === k.alg),
    );
    out.push(
      clash
        ? makeProblem(
            'SET_DUPLICATE_KID',
            at(k, 'kid'),
            `kid "${k.kid}" is also the kid of ${describe(clash)}, a key of the same type and algorithm: a verifier cannot tell which one a token means. Give each key its own kid`,
            strict,
          )
        : makeProblem(
            'SET_SHARED_KID',
            at(k, 'kid'),
            `kid "${k.kid}" is shared with ${describe(same[0]!)}; allowed for alternatives of different types or algorithms, but distinct kids avoid surprises`,
            strict,
          ),
    );
    same.push(k);
  }
  return out;
};

/** The same key material published twice (under two kids, say): harmless but usually a mistake. */
export const duplicateKeys: SetRule = (entries, strict) => {
  const out: Problem[] = [];
  const seen = new Map<string, SetEntry & { key: JWK }>();
  for (const k of kept(entries)) {
    const id = thumbprintInput(k.key);
    const first = seen.get(id);
    if (first === undefined) seen.set(id, k);
    else {
      out.push(
        makeProblem(
          'SET_DUPLICATE_KEY',
          at(k),
          `this is the same key as keys[${first.index}]${first.key.kid !== undefined ? ` (kid "${first.key.kid}")` : ''}; publish each key once`,
          strict,
        ),
      );
    }
  }
  return out;
};

/**
 * A set holding both private (or secret) keys and public-only keys: a published set must hold no
 * private material, and a private key store rarely holds bare public keys, so one of the two
 * kinds is probably there by mistake (Wycheproof json_web_key_test "MixedKeySet").
 */
export const mixedPrivatePublic: SetRule = (entries, strict) => {
  const keys = kept(entries);
  const priv = keys.find((k) => isPrivate(k.key));
  const pub = keys.find((k) => !isPrivate(k.key));
  if (priv === undefined || pub === undefined) return [];
  return [
    makeProblem(
      'SET_MIXED_PRIVATE_PUBLIC',
      'keys',
      `the set mixes private or secret keys (${describe(priv)}) with public keys (${describe(pub)}); publish public keys only, and keep private keys in a separate set`,
      strict,
    ),
  ];
};

export const SET_RULES: readonly SetRule[] = [duplicateKids, duplicateKeys, mixedPrivatePublic];
