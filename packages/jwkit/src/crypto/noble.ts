/**
 * The pure-JS backend on @noble/curves: the curves a runtime's native crypto may lack
 * (secp256k1 for ES256K, RFC 8812; Ed25519 and Ed448, RFC 8032; X25519 and X448 generation,
 * RFC 7748). Synchronous, so a routed backend that pairs it with node:crypto (Bun, whose
 * node:crypto has no secp256k1, Ed448 or X448) keeps the synchronous JWT fast path. The WebCrypto
 * backend uses the same operations for those curves. Imports nothing from `node:`.
 */

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { decode, encode } from '../encoding/base64url.js';
import { ConversionError, JWKitError, UnsupportedError } from '../errors/index.js';
import { type KeyMaterial, keyMaterial } from '../jwk/material.js';
import type { JWK, OctJWK, PrivateJWK } from '../jwk/model.js';
import { edwardsCurve, montgomeryCurve, weierstrassCurve } from '../math/curves.js';
import type { CurveInfo, HashName } from '../registry.js';
import type { CryptoBackend, GenerateSpec, KeyHandle, KeyUsage } from './backend.js';
import { asciiBytes, type KeyKind, keyKindOf } from './routed.js';
import { curveFor, signatureAlgorithmFor } from './spec.js';

export type SyncSigner = (data: Uint8Array) => Uint8Array;
export type SyncVerifier = (data: Uint8Array, signature: Uint8Array) => boolean;

/**
 * Each ECDSA group order n (SEC 2 v2 §2.4.1, §2.4.2, §2.5.1, §2.6.1, from math/curves.ts) as
 * `size` big-endian octets, made on first use: the check compares octets, no BigInt per token.
 */
const ORDER_BYTES = new Map<string, Uint8Array>();

function orderBytes(curve: CurveInfo): Uint8Array {
  let bytes = ORDER_BYTES.get(curve.crv);
  if (bytes === undefined) {
    bytes = new Uint8Array(curve.size);
    let n = weierstrassCurve(curve.crv)!.Point.Fn.ORDER;
    for (let i = curve.size - 1; i >= 0; i--, n >>= 8n) bytes[i] = Number(n & 0xffn);
    ORDER_BYTES.set(curve.crv, bytes);
  }
  return bytes;
}

/** 1 <= the big-endian integer sig[at .. at + n.length) < n. Public values: no constant time needed. */
function scalarInRange(sig: Uint8Array, at: number, n: Uint8Array): boolean {
  let i = 0;
  while (i < n.length && sig[at + i] === n[i]) i++;
  if (i === n.length || sig[at + i]! > n[i]!) return false; // equal to n, or above it
  for (let j = 0; j < n.length; j++) if (sig[at + j] !== 0) return true;
  return false; // zero
}

/**
 * RFC 7518 §3.4: an ECDSA JWS signature is exactly R || S, each `size` octets, and a valid
 * signature has 1 <= r, s < n. Checked here rather than trusted to the engine, so the verdict
 * does not depend on which engine runs the code (CVE-2022-21449 accepted r = s = 0).
 */
export function ecdsaSignatureInRange(curve: CurveInfo, sig: Uint8Array): boolean {
  if (sig.length !== 2 * curve.size) return false;
  const n = orderBytes(curve);
  return scalarInRange(sig, 0, n) && scalarInRange(sig, curve.size, n);
}

export function fixedLength(value: string | undefined, size: number, member: string): Uint8Array {
  const bytes = decode(value ?? '');
  if (bytes.length !== size) {
    throw new ConversionError('ERR_KEY_IMPORT', `"${member}" must be ${size} octets, not ${bytes.length}`);
  }
  return bytes;
}

/** ES256K (RFC 8812 §3.2) sign or verify operation on @noble/curves' secp256k1. */
export function secp256k1Op(usage: KeyUsage, material: KeyMaterial): SyncSigner | SyncVerifier {
  const curve = curveFor('EC', 'secp256k1');
  const x = fixedLength(material.x, curve.size, 'x');
  const y = fixedLength(material.y, curve.size, 'y');
  const publicKey = new Uint8Array(1 + 2 * curve.size);
  publicKey[0] = 4;
  publicKey.set(x, 1);
  publicKey.set(y, 1 + curve.size);
  // Throws for a point that is not on the curve (the invalid-curve attack).
  try {
    secp256k1.Point.fromBytes(publicKey).assertValidity();
  } catch (cause) {
    throw new ConversionError('ERR_KEY_IMPORT', 'the secp256k1 point (x, y) is not on the curve', { cause });
  }
  if (usage === 'sign') {
    const d = fixedLength(material.d, curve.privateSize, 'd');
    if (!secp256k1.utils.isValidSecretKey(d))
      throw new ConversionError('ERR_KEY_IMPORT', 'secp256k1 "d" is not a valid private scalar');
    // RFC 6979 deterministic k; SHA-256 prehash as ES256K requires (RFC 8812 §3.2).
    return (data: Uint8Array) => secp256k1.sign(data, d, { prehash: true, format: 'compact' });
  }
  return (data: Uint8Array, sig: Uint8Array) => {
    if (!ecdsaSignatureInRange(curve, sig)) return false;
    try {
      // JWS does not require low-S (RFC 8812 §3.2 follows RFC 7518 §3.4), as OpenSSL.
      return secp256k1.verify(sig, data, publicKey, { prehash: true, lowS: false, format: 'compact' });
    } catch {
      return false;
    }
  };
}

/** EdDSA (RFC 8032) sign or verify operation on @noble/curves' Ed25519 or Ed448. */
export function edwardsOp(
  crv: string | undefined,
  usage: KeyUsage,
  material: KeyMaterial,
): SyncSigner | SyncVerifier {
  const curve = curveFor('OKP', crv);
  const x = fixedLength(material.x, curve.size, 'x');
  const signatureLength = 2 * curve.size;
  // An EdDSA key: signatureAlgorithmFor has checked that the curve is Ed25519 or Ed448.
  const scheme = edwardsCurve(curve.crv)!;
  // RFC 8032 §5.1.7 / §5.2.7 strict decoding (not ZIP-215): non-canonical encodings are invalid.
  if (!scheme.utils.isValidPublicKey(x, false))
    throw new ConversionError('ERR_KEY_IMPORT', `${curve.crv} "x" is not a valid public key`);
  if (usage === 'sign') {
    const d = fixedLength(material.d, curve.privateSize, 'd');
    return (data: Uint8Array) => scheme.sign(data, d);
  }
  return (data: Uint8Array, sig: Uint8Array) => {
    if (sig.length !== signatureLength) return false;
    try {
      return scheme.verify(sig, data, x, { zip215: false });
    } catch {
      return false;
    }
  };
}

/** A new secp256k1 or OKP private JWK from @noble/curves (key material only). */
export function nobleGenerateCurve(kty: 'EC' | 'OKP', crv: string | undefined): PrivateJWK {
  const curve = curveFor(kty, crv);
  if (curve.crv === 'secp256k1') {
    const secretKey = secp256k1.utils.randomSecretKey();
    const publicKey = secp256k1.getPublicKey(secretKey, false); // 04 || x || y
    return {
      kty: 'EC',
      crv: curve.crv,
      x: encode(publicKey.subarray(1, 1 + curve.size)),
      y: encode(publicKey.subarray(1 + curve.size)),
      d: encode(secretKey),
    };
  }
  const scheme = edwardsCurve(curve.crv) ?? montgomeryCurve(curve.crv)?.curve;
  if (scheme === undefined)
    throw new UnsupportedError(`@noble/curves does not generate ${kty} ${curve.crv} keys here`);
  const { secretKey, publicKey } = scheme.keygen();
  return { kty: 'OKP', crv: curve.crv, x: encode(publicKey), d: encode(secretKey) };
}

/** The key kinds this backend serves (routed.ts `keyKindOf`). */
const NOBLE_KINDS: ReadonlySet<KeyKind> = new Set([
  'EC:secp256k1',
  'OKP:Ed25519',
  'OKP:Ed448',
  'OKP:X25519',
  'OKP:X448',
]);

export function nobleHas(kind: KeyKind): boolean {
  return NOBLE_KINDS.has(kind);
}

export class NobleKeyHandle implements KeyHandle {
  readonly backend = 'noble' as const;
  /** @internal prepared operation; call through the backend. */
  readonly op: SyncSigner | SyncVerifier;
  constructor(
    readonly alg: string,
    readonly usage: KeyUsage,
    op: SyncSigner | SyncVerifier,
  ) {
    this.op = op;
  }
}

function importKeySync(jwk: JWK, alg: string, usage: KeyUsage): NobleKeyHandle {
  const info = signatureAlgorithmFor(jwk, alg, usage);
  const kind = keyKindOf(jwk, alg);
  if (!NOBLE_KINDS.has(kind) || (info.family !== 'ECDSA' && info.family !== 'EdDSA'))
    throw new UnsupportedError(`the @noble/curves backend does not serve ${alg} with ${kind} keys`);
  const material = keyMaterial(jwk, usage === 'sign');
  const op =
    info.family === 'ECDSA' ? secp256k1Op(usage, material) : edwardsOp(material.crv, usage, material);
  return new NobleKeyHandle(info.alg, usage, op);
}

function handleOf(key: KeyHandle, usage: KeyUsage): NobleKeyHandle {
  if (!(key instanceof NobleKeyHandle))
    throw new JWKitError('ERR_KEY_HANDLE', 'this key handle was not imported by the @noble/curves backend');
  if (key.usage !== usage)
    throw new JWKitError('ERR_KEY_USAGE', `this ${key.alg} key was imported for ${key.usage}, not ${usage}`);
  return key;
}

const signSync = (key: KeyHandle, data: Uint8Array): Uint8Array =>
  (handleOf(key, 'sign').op as SyncSigner)(data);
const verifySync = (key: KeyHandle, data: Uint8Array, signature: Uint8Array): boolean =>
  (handleOf(key, 'verify').op as SyncVerifier)(data, signature);

const HASHES = { 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 };

export const nobleBackend: CryptoBackend = {
  name: 'noble',
  importKey: async (jwk, alg, usage) => importKeySync(jwk, alg, usage),
  importKeySync,
  sign: async (key, data) => signSync(key, data),
  verify: async (key, data, signature) => verifySync(key, data, signature),
  signSync,
  verifySync,
  verifyAsciiSync: (key, text, signature) => verifySync(key, asciiBytes(text), signature),
  generate: async (spec: GenerateSpec): Promise<PrivateJWK | OctJWK> => {
    if (spec.kty !== 'EC' && spec.kty !== 'OKP')
      throw new UnsupportedError(`the @noble/curves backend does not generate ${spec.kty} keys`);
    return nobleGenerateCurve(spec.kty, spec.crv);
  },
  digest: async (hash: HashName | 'SHA-1', data) => HASHES[hash](data),
};
