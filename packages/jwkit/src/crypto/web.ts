/**
 * The WebCrypto backend (DESIGN principle 5): runs wherever `globalThis.crypto.subtle` exists
 * (browsers, Workers, Deno, Bun, Node). What WebCrypto lacks comes from @noble/curves:
 * secp256k1 (ES256K, RFC 8812), Ed448 and X448 always, Ed25519 and X25519 where the runtime has
 * no native support. Imports nothing from `node:`.
 */

import { ed448, x448 } from '@noble/curves/ed448.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { decode, encode } from '../encoding/base64url.js';
import { bytesToBigInt } from '../encoding/bytes.js';
import { ConversionError, JWKitError, UnsupportedError } from '../errors/index.js';
import { type KeyMaterial, keyMaterial } from '../jwk/material.js';
import type { JWK, OctJWK, PrivateJWK } from '../jwk/model.js';
import { canonicalOrder } from '../jwk/model.js';
import type { AlgorithmInfo, CurveInfo, HashName } from '../registry.js';
import type { CryptoBackend, GenerateSpec, KeyHandle, KeyUsage } from './backend.js';
import { mlDsaAlgOf, webMlDsaGenerate, webMlDsaKey } from './ml-dsa.js';
import { akpAlgorithmFor, curveFor, generateBits, signatureAlgorithmFor } from './spec.js';

type Signer = (data: Uint8Array) => Promise<Uint8Array>;
type Verifier = (data: Uint8Array, signature: Uint8Array) => Promise<boolean>;

/** A key bound to one algorithm, with its sign or verify operation prepared. */
export class WebKeyHandle implements KeyHandle {
  readonly backend = 'webcrypto' as const;
  /** @internal prepared operation; call through the backend. */
  readonly op: Signer | Verifier;

  constructor(
    readonly alg: string,
    readonly usage: KeyUsage,
    /** The CryptoKey, when WebCrypto holds the key (undefined for @noble/curves keys). */
    readonly cryptoKey: CryptoKey | undefined,
    op: Signer | Verifier,
  ) {
    this.op = op;
  }
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s)
    throw new UnsupportedError(
      'this runtime has no WebCrypto (globalThis.crypto.subtle); use a secure context',
    );
  return s;
}

const HASH_BYTES: Record<HashName, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** ECDSA group orders (SEC 2 v2 §2.4.1, §2.4.2, §2.5.1, §2.6.1), for the r/s range check. */
const EC_ORDER: Record<string, bigint> = Object.assign(Object.create(null), {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384':
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521':
    0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  secp256k1: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
});

// WebCrypto and noble want ArrayBuffer-backed views; TS 5.9's BufferSource excludes
// SharedArrayBuffer-backed Uint8Arrays, which callers never pass here.
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;

/** Answers whether the runtime's WebCrypto has Ed25519 / X25519. */
type NativeProbe = (name: 'Ed25519' | 'X25519') => Promise<boolean>;

async function importKey(
  native: NativeProbe,
  nativeMlDsa: boolean,
  jwk: JWK,
  alg: string,
  usage: KeyUsage,
): Promise<WebKeyHandle> {
  const info = signatureAlgorithmFor(jwk, alg, usage);
  if (info.family === 'ML-DSA') {
    // RFC 9964: WebCrypto's ML-DSA where the runtime has it, else @noble/post-quantum, imported
    // dynamically there so that bundles without ML-DSA keys never load it (crypto/ml-dsa.ts).
    const { cryptoKey, op } = await webMlDsaKey(jwk, info, usage, { native: nativeMlDsa });
    return new WebKeyHandle(info.alg, usage, cryptoKey, op);
  }
  const material = keyMaterial(jwk, usage === 'sign');
  try {
    if (info.family === 'ECDSA' && material.crv === 'secp256k1') return secp256k1Key(info, usage, material);
    if (info.family === 'EdDSA') return await edwardsKey(native, info, usage, material);
    return await subtleKey(info, usage, material);
  } catch (cause) {
    if (cause instanceof JWKitError) throw cause;
    throw new ConversionError(
      'ERR_KEY_IMPORT',
      `WebCrypto cannot import this ${material.kty}${material.crv ? ` ${material.crv}` : ''} key for ${alg}: ${(cause as Error).message}; check the key with validateJWK`,
      { cause },
    );
  }
}

function subtleAlgorithm(
  info: AlgorithmInfo,
  crv: string | undefined,
): RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  const hash = info.hash!;
  switch (info.family) {
    case 'HMAC':
      return { name: 'HMAC', hash };
    case 'RSASSA-PKCS1-v1_5':
      return { name: 'RSASSA-PKCS1-v1_5', hash };
    case 'RSA-PSS':
      return { name: 'RSA-PSS', hash };
    default:
      return { name: 'ECDSA', namedCurve: crv! };
  }
}

async function subtleKey(info: AlgorithmInfo, usage: KeyUsage, material: KeyMaterial): Promise<WebKeyHandle> {
  const s = subtle();
  const params = subtleAlgorithm(info, material.crv);
  const key =
    info.family === 'HMAC'
      ? await s.importKey('raw', buf(decode(material.k ?? '')), params, false, [usage])
      : await s.importKey('jwk', material as JsonWebKey, params, false, [usage]);
  const hash = info.hash!;
  let op: Signer | Verifier;
  switch (info.family) {
    case 'HMAC': {
      const length = HASH_BYTES[hash];
      op =
        usage === 'sign'
          ? async (data: Uint8Array) => new Uint8Array(await s.sign('HMAC', key, buf(data)))
          : // Full-length tags only (RFC 7518 §3.2); WebCrypto's HMAC verify compares in constant time.
            async (data: Uint8Array, sig: Uint8Array) =>
              sig.length === length && s.verify('HMAC', key, buf(sig), buf(data));
      break;
    }
    case 'ECDSA': {
      const curve = curveFor('EC', material.crv);
      const p = { name: 'ECDSA', hash };
      op =
        usage === 'sign'
          ? async (data: Uint8Array) => new Uint8Array(await s.sign(p, key, buf(data)))
          : async (data: Uint8Array, sig: Uint8Array) =>
              ecdsaSignatureInRange(curve, sig) && s.verify(p, key, buf(sig), buf(data)).catch(() => false);
      break;
    }
    default: {
      // RSA-PSS: MGF1 with the same hash and a salt as long as the hash (RFC 7518 §3.5).
      const p =
        info.family === 'RSA-PSS' ? { name: 'RSA-PSS', saltLength: HASH_BYTES[hash] } : { name: info.family };
      op =
        usage === 'sign'
          ? async (data: Uint8Array) => new Uint8Array(await s.sign(p, key, buf(data)))
          : async (data: Uint8Array, sig: Uint8Array) =>
              s.verify(p, key, buf(sig), buf(data)).catch(() => false);
    }
  }
  return new WebKeyHandle(info.alg, usage, key, op);
}

/**
 * RFC 7518 §3.4: an ECDSA JWS signature is exactly R || S, each `size` octets, and a valid
 * signature has 1 <= r, s < n. Checked here rather than trusted to the engine, so the verdict
 * does not depend on which browser runs the code (CVE-2022-21449 accepted r = s = 0).
 */
function ecdsaSignatureInRange(curve: CurveInfo, sig: Uint8Array): boolean {
  if (sig.length !== 2 * curve.size) return false;
  const n = EC_ORDER[curve.crv]!;
  const r = bytesToBigInt(sig.subarray(0, curve.size));
  const s = bytesToBigInt(sig.subarray(curve.size));
  return r > 0n && r < n && s > 0n && s < n;
}

function secp256k1Key(info: AlgorithmInfo, usage: KeyUsage, material: KeyMaterial): WebKeyHandle {
  const curve = curveFor('EC', 'secp256k1');
  const x = fixedLength(material.x, curve.size, 'x');
  const y = fixedLength(material.y, curve.size, 'y');
  const publicKey = new Uint8Array(1 + 2 * curve.size);
  publicKey[0] = 4;
  publicKey.set(x, 1);
  publicKey.set(y, 1 + curve.size);
  // Throws for a point that is not on the curve (the invalid-curve attack).
  secp256k1.Point.fromBytes(publicKey).assertValidity();
  let op: Signer | Verifier;
  if (usage === 'sign') {
    const d = fixedLength(material.d, curve.privateSize, 'd');
    if (!secp256k1.utils.isValidSecretKey(d))
      throw new ConversionError('ERR_KEY_IMPORT', 'secp256k1 "d" is not a valid private scalar');
    // RFC 6979 deterministic k; SHA-256 prehash as ES256K requires (RFC 8812 §3.2).
    op = async (data: Uint8Array) => secp256k1.sign(data, d, { prehash: true, format: 'compact' });
  } else {
    op = async (data: Uint8Array, sig: Uint8Array) => {
      if (!ecdsaSignatureInRange(curve, sig)) return false;
      try {
        // JWS does not require low-S (RFC 8812 §3.2 follows RFC 7518 §3.4), as OpenSSL.
        return secp256k1.verify(sig, data, publicKey, { prehash: true, lowS: false, format: 'compact' });
      } catch {
        return false;
      }
    };
  }
  return new WebKeyHandle(info.alg, usage, undefined, op);
}

/** Native Ed25519 / X25519 support, probed once per backend: older browsers lack it. */
function nativeProbe(): NativeProbe {
  const results = new Map<string, Promise<boolean>>();
  return (name) => {
    let result = results.get(name);
    if (!result) {
      const usages: globalThis.KeyUsage[] = name === 'Ed25519' ? ['sign', 'verify'] : ['deriveBits'];
      result = subtle()
        .generateKey({ name }, false, usages)
        .then(
          () => true,
          () => false,
        );
      results.set(name, result);
    }
    return result;
  };
}

async function edwardsKey(
  native: NativeProbe,
  info: AlgorithmInfo,
  usage: KeyUsage,
  material: KeyMaterial,
): Promise<WebKeyHandle> {
  const curve = curveFor('OKP', material.crv);
  const x = fixedLength(material.x, curve.size, 'x');
  const signatureLength = 2 * curve.size;
  if (curve.crv === 'Ed25519' && (await native('Ed25519'))) {
    const s = subtle();
    const key = await s.importKey('jwk', material as JsonWebKey, { name: 'Ed25519' }, false, [usage]);
    const op =
      usage === 'sign'
        ? async (data: Uint8Array) => new Uint8Array(await s.sign('Ed25519', key, buf(data)))
        : async (data: Uint8Array, sig: Uint8Array) =>
            sig.length === signatureLength &&
            s.verify('Ed25519', key, buf(sig), buf(data)).catch(() => false);
    return new WebKeyHandle(info.alg, usage, key, op);
  }
  const scheme = curve.crv === 'Ed448' ? ed448 : ed25519;
  // RFC 8032 §5.1.7 / §5.2.7 strict decoding (not ZIP-215): non-canonical encodings are invalid.
  if (!scheme.utils.isValidPublicKey(x, false))
    throw new ConversionError('ERR_KEY_IMPORT', `${curve.crv} "x" is not a valid public key`);
  let op: Signer | Verifier;
  if (usage === 'sign') {
    const d = fixedLength(material.d, curve.privateSize, 'd');
    op = async (data: Uint8Array) => scheme.sign(data, d);
  } else {
    op = async (data: Uint8Array, sig: Uint8Array) => {
      if (sig.length !== signatureLength) return false;
      try {
        return scheme.verify(sig, data, x, { zip215: false });
      } catch {
        return false;
      }
    };
  }
  return new WebKeyHandle(info.alg, usage, undefined, op);
}

function fixedLength(value: string | undefined, size: number, member: string): Uint8Array {
  const bytes = decode(value ?? '');
  if (bytes.length !== size) {
    throw new ConversionError('ERR_KEY_IMPORT', `"${member}" must be ${size} octets, not ${bytes.length}`);
  }
  return bytes;
}

function handleOf(key: KeyHandle, usage: KeyUsage): WebKeyHandle {
  if (!(key instanceof WebKeyHandle)) {
    throw new JWKitError('ERR_KEY_HANDLE', 'this key handle was not imported by the WebCrypto backend');
  }
  if (key.usage !== usage) {
    throw new JWKitError('ERR_KEY_USAGE', `this ${key.alg} key was imported for ${key.usage}, not ${usage}`);
  }
  return key;
}

async function generate(
  native: NativeProbe,
  nativeMlDsa: boolean,
  spec: GenerateSpec,
): Promise<PrivateJWK | OctJWK> {
  const bits = generateBits(spec);
  switch (spec.kty) {
    case 'oct':
      return { kty: 'oct', k: encode(globalThis.crypto.getRandomValues(new Uint8Array(bits / 8))) };
    case 'RSA':
      return exported(
        await subtle().generateKey(
          {
            name: 'RSASSA-PKCS1-v1_5',
            modulusLength: bits,
            publicExponent: new Uint8Array([1, 0, 1]),
            hash: 'SHA-256',
          },
          true,
          ['sign', 'verify'],
        ),
      );
    case 'EC': {
      const curve = curveFor('EC', spec.crv);
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
      return exported(
        await subtle().generateKey({ name: 'ECDSA', namedCurve: curve.crv }, true, ['sign', 'verify']),
      );
    }
    case 'OKP': {
      const curve = curveFor('OKP', spec.crv);
      if ((curve.crv === 'Ed25519' || curve.crv === 'X25519') && (await native(curve.crv))) {
        const usages = curve.crv === 'Ed25519' ? ['sign', 'verify'] : ['deriveBits'];
        return exported(
          await subtle().generateKey({ name: curve.crv }, true, usages as globalThis.KeyUsage[]),
        );
      }
      const scheme = { Ed25519: ed25519, Ed448: ed448, X25519: x25519, X448: x448 }[curve.crv]!;
      const { secretKey, publicKey } = scheme.keygen();
      return { kty: 'OKP', crv: curve.crv, x: encode(publicKey), d: encode(secretKey) };
    }
    case 'AKP':
      return webMlDsaGenerate(mlDsaAlgOf(akpAlgorithmFor(spec)), { native: nativeMlDsa });
    default:
      throw new JWKitError('ERR_GENERATE_KTY', `cannot generate a key of type ${JSON.stringify(spec.kty)}`);
  }
}

/** The private JWK of a generated pair, key material only (WebCrypto adds alg, key_ops, ext). */
async function exported(pair: CryptoKeyPair | CryptoKey): Promise<PrivateJWK> {
  const privateKey = 'privateKey' in pair ? pair.privateKey : pair;
  const jwk = (await subtle().exportKey('jwk', privateKey)) as JWK;
  return canonicalOrder(keyMaterial(jwk, true)) as unknown as PrivateJWK;
}

export interface WebBackendOptions {
  /**
   * Use the runtime's native Ed25519 and X25519 when it has them. Default: true. With false,
   * @noble/curves does all EdDSA and X25519 work (what runtimes without them get anyway).
   */
  nativeCurves?: boolean;
  /**
   * Use the runtime's native ML-DSA (WebCrypto "ML-DSA-44/65/87") when it has it. Default: true.
   * With false, @noble/post-quantum does all ML-DSA work (loaded on first use).
   */
  nativeMlDsa?: boolean;
}

/** A WebCrypto backend; `webBackend` is the default instance. */
export function createWebBackend(options: WebBackendOptions = {}): CryptoBackend {
  const native: NativeProbe = options.nativeCurves === false ? async () => false : nativeProbe();
  const nativeMlDsa = options.nativeMlDsa !== false;
  return {
    name: 'webcrypto',
    importKey: (jwk, alg, usage) => importKey(native, nativeMlDsa, jwk, alg, usage),
    sign: async (key, data) => (handleOf(key, 'sign').op as Signer)(data),
    verify: async (key, data, signature) => {
      const verify = handleOf(key, 'verify').op as Verifier;
      try {
        return await verify(data, signature);
      } catch {
        // A malformed signature is a "no", never an exception (RFC 7515 §5.2 step 8).
        return false;
      }
    },
    generate: (spec) => generate(native, nativeMlDsa, spec),
    digest: async (hash, data) => new Uint8Array(await subtle().digest(hash, buf(data))),
  };
}

export const webBackend: CryptoBackend = createWebBackend();
