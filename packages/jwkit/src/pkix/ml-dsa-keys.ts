/**
 * ML-DSA keys in SPKI and PKCS#8 (RFC 9881 §4, §6) <-> AKP JWKs (RFC 9964 §3-§4). The JWK holds
 * the seed, so PKCS#8 is written in the seed form; the `both` form is read after checking that
 * its expanded key is the one the seed gives (RFC 9881 §8.1 "Private Key Consistency Testing"),
 * and the expanded-only form is refused: the seed, which the JWK needs, cannot be recovered.
 */

import { equalBytes } from '@noble/curves/utils.js';
import { decode, encode } from '../encoding/base64url.js';
import { UnsupportedError } from '../errors/index.js';
import type { AKPPrivateJWK, AKPPublicJWK, JWK } from '../jwk/model.js';
import { type MlDsaAlg, mlDsaEngineSync, mlDsaInfo } from '../math/ml-dsa.js';
import type { DERNode } from './asn1.js';
import { invalidKey } from './members.js';
import { mlDsaPkcs8Seed, mlDsaSpki, parseMlDsaPrivateKey } from './ml-dsa.js';

function engine() {
  const e = mlDsaEngineSync();
  if (e === undefined) {
    throw new UnsupportedError(
      'reading an ML-DSA private key needs the ML-DSA implementation; await loadMlDsa() first (pemToJWK and derToJWK do it for you)',
    );
  }
  return e;
}

/** RFC 9881 §4: parameters absent, the BIT STRING is the raw public key of its exact size. */
export function readMlDsaPublicKey(
  alg: MlDsaAlg,
  params: DERNode | undefined,
  key: Uint8Array,
  what: string,
): AKPPublicJWK {
  if (params !== undefined)
    throw invalidKey(`${what}: ${alg} keys must not have algorithm parameters (RFC 9881 §2)`);
  const size = mlDsaInfo(alg)!.publicSize;
  if (key.length !== size)
    throw invalidKey(`${what}: an ${alg} public key is ${size} bytes, not ${key.length}`);
  return { kty: 'AKP', alg, pub: encode(key) };
}

/** RFC 9881 §6: the seed, or both with a consistent expanded key; never expanded-only. */
export function readMlDsaPrivateKey(
  alg: MlDsaAlg,
  params: DERNode | undefined,
  privateKey: Uint8Array,
  what: string,
): AKPPrivateJWK {
  if (params !== undefined)
    throw invalidKey(`${what}: ${alg} keys must not have algorithm parameters (RFC 9881 §2)`);
  let form: ReturnType<typeof parseMlDsaPrivateKey>;
  try {
    form = parseMlDsaPrivateKey(alg, privateKey);
  } catch (e) {
    throw invalidKey(`${what}: ${(e as Error).message} (RFC 9881 §6)`);
  }
  if (form.form === 'expandedKey') {
    throw new UnsupportedError(
      `${what} holds only the expanded ${alg} private key; a JWK holds the 32-byte seed (RFC 9964 §4), which cannot be recovered from it. Export the key in the seed form`,
    );
  }
  const e = engine();
  const { publicKey } = e.fromSeed(alg, form.seed);
  if (form.form === 'both' && !equalBytes(e.expandedKey(alg, form.seed), form.expandedKey)) {
    throw invalidKey(
      `${what}: the expanded ${alg} key is not the one its seed gives (RFC 9881 §8.1); the key is corrupt`,
    );
  }
  return { kty: 'AKP', alg, pub: encode(publicKey), priv: encode(form.seed) };
}

function algOf(jwk: JWK): MlDsaAlg {
  const info = mlDsaInfo(jwk.alg);
  if (info === undefined)
    throw new UnsupportedError(
      `an AKP key with alg ${JSON.stringify(jwk.alg)} has no PEM or DER form; jwkit converts ML-DSA-44/65/87`,
    );
  return info.alg;
}

function bytes(jwk: JWK, member: 'pub' | 'priv', size: number, alg: string): Uint8Array {
  const v = jwk[member];
  const b = typeof v === 'string' ? decode(v) : undefined;
  if (b === undefined || b.length !== size)
    throw invalidKey(`the ${alg} JWK needs "${member}" of ${size} bytes`);
  return b;
}

export function writeMlDsaSPKI(jwk: JWK): Uint8Array {
  const alg = algOf(jwk);
  return mlDsaSpki(alg, bytes(jwk, 'pub', mlDsaInfo(alg)!.publicSize, alg));
}

/** PKCS#8 v1 in the seed form; the seed must derive `pub` (checked when the engine is loaded). */
export function writeMlDsaPKCS8(jwk: JWK): Uint8Array {
  const alg = algOf(jwk);
  const sizes = mlDsaInfo(alg)!;
  const seed = bytes(jwk, 'priv', sizes.privateSize, alg);
  const pub = bytes(jwk, 'pub', sizes.publicSize, alg);
  const e = mlDsaEngineSync();
  if (e !== undefined && !equalBytes(e.fromSeed(alg, seed).publicKey, pub)) {
    throw invalidKey(`the ${alg} JWK's "priv" does not match its "pub" (RFC 9964 §7.4)`);
  }
  return mlDsaPkcs8Seed(alg, seed);
}
