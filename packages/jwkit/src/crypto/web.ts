/**
 * The WebCrypto backend (DESIGN principle 5): runs wherever `globalThis.crypto.subtle` exists
 * (browsers, Workers, Deno, Bun, Node). What WebCrypto lacks comes from @noble/curves:
 * secp256k1 (ES256K, RFC 8812), Ed448 and X448 always, Ed25519 and X25519 where the runtime has
 * no native support. Imports nothing from `node:`.
 */

import { decode, encode } from '../encoding/base64url.js';
import { ConversionError, JWKitError, UnsupportedError } from '../errors/index.js';
import { type KeyMaterial, keyMaterial } from '../jwk/material.js';
import type { JWK, OctJWK, PrivateJWK } from '../jwk/model.js';
import { canonicalOrder } from '../jwk/model.js';
import type { AlgorithmInfo, HashName } from '../registry.js';
import type { CryptoBackend, GenerateSpec, KeyHandle, KeyUsage } from './backend.js';
import { mlDsaAlgOf, webMlDsaGenerate, webMlDsaKey } from './ml-dsa.js';
import {
  ecdsaSignatureInRange,
  edwardsOp,
  fixedLength,
  nobleGenerateCurve,
  type SyncSigner,
  type SyncVerifier,
  secp256k1Op,
} from './noble.js';
import { probePublicKey } from './probe.js';
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
    if (usage === 'sign') return new WebKeyHandle(info.alg, usage, cryptoKey, op);
    const verify = op as Verifier;
    return new WebKeyHandle(info.alg, usage, cryptoKey, (data: Uint8Array, sig: Uint8Array) =>
      verify(data, sig).catch(no),
    );
  }
  const material = keyMaterial(jwk, usage === 'sign');
  try {
    if (info.family === 'ECDSA' && material.crv === 'secp256k1')
      return nobleHandle(info, usage, secp256k1Op(usage, material));
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

// One settled `false` for every early "no", and one rejection handler: the verify path allocates
// nothing per token beyond WebCrypto's own promise and the one `.then` that maps a rejection to
// "no" (issue 12: the per-token cost is what shows where the primitive is fast).
const FALSE: Promise<boolean> = Promise.resolve(false);
const TRUE: Promise<boolean> = Promise.resolve(true);
const no = (): boolean => false;

async function subtleKey(info: AlgorithmInfo, usage: KeyUsage, material: KeyMaterial): Promise<WebKeyHandle> {
  const s = subtle();
  const params = subtleAlgorithm(info, material.crv);
  const key =
    info.family === 'HMAC'
      ? await s.importKey('raw', buf(decode(material.k ?? '')), params, false, [usage])
      : await s.importKey('jwk', material as JsonWebKey, params, false, [usage]);
  const hash = info.hash!;
  // The algorithm parameters are made once per key, not per call.
  const p: Algorithm | EcdsaParams | RsaPssParams =
    info.family === 'ECDSA'
      ? { name: 'ECDSA', hash }
      : info.family === 'RSA-PSS'
        ? // MGF1 with the same hash and a salt as long as the hash (RFC 7518 §3.5).
          { name: 'RSA-PSS', saltLength: HASH_BYTES[hash] }
        : { name: info.family };
  if (usage === 'sign') {
    return new WebKeyHandle(info.alg, usage, key, (data: Uint8Array) =>
      s.sign(p, key, buf(data)).then((sig) => new Uint8Array(sig)),
    );
  }
  let op: Verifier;
  switch (info.family) {
    case 'HMAC': {
      const length = HASH_BYTES[hash];
      // Full-length tags only (RFC 7518 §3.2); WebCrypto's HMAC verify compares in constant time.
      op = (data, sig) => (sig.length === length ? s.verify(p, key, buf(sig), buf(data)).catch(no) : FALSE);
      break;
    }
    case 'ECDSA': {
      const curve = curveFor('EC', material.crv);
      op = (data, sig) =>
        ecdsaSignatureInRange(curve, sig) ? s.verify(p, key, buf(sig), buf(data)).catch(no) : FALSE;
      break;
    }
    default:
      op = (data, sig) => s.verify(p, key, buf(sig), buf(data)).catch(no);
  }
  return new WebKeyHandle(info.alg, usage, key, op);
}

/** A WebCrypto-shaped operation over a synchronous @noble/curves one (crypto/noble.ts). */
function nobleHandle(info: AlgorithmInfo, usage: KeyUsage, op: SyncSigner | SyncVerifier): WebKeyHandle {
  if (usage === 'sign') {
    const sign = op as SyncSigner;
    return new WebKeyHandle(info.alg, usage, undefined, async (data: Uint8Array) => sign(data));
  }
  const verify = op as SyncVerifier;
  return new WebKeyHandle(info.alg, usage, undefined, (data: Uint8Array, sig: Uint8Array) => {
    try {
      return verify(data, sig) ? TRUE : FALSE;
    } catch {
      return FALSE;
    }
  });
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
  if (curve.crv === 'Ed25519' && (await native('Ed25519'))) {
    fixedLength(material.x, curve.size, 'x');
    const signatureLength = 2 * curve.size;
    const s = subtle();
    const key = await s.importKey('jwk', material as JsonWebKey, { name: 'Ed25519' }, false, [usage]);
    const p = { name: 'Ed25519' };
    const op =
      usage === 'sign'
        ? (data: Uint8Array) => s.sign(p, key, buf(data)).then((sig) => new Uint8Array(sig))
        : (data: Uint8Array, sig: Uint8Array) =>
            sig.length === signatureLength ? s.verify(p, key, buf(sig), buf(data)).catch(no) : FALSE;
    return new WebKeyHandle(info.alg, usage, key, op);
  }
  return nobleHandle(info, usage, edwardsOp(curve.crv, usage, material));
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
      if (curve.crv === 'secp256k1') return nobleGenerateCurve('EC', curve.crv);
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
      return nobleGenerateCurve('OKP', curve.crv);
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

const webAnswers = new Map<string, Promise<boolean>>();

/**
 * What the WebCrypto backend can do here (routed.ts), probed once per kind: NIST curves when
 * crypto.subtle imports the curve's base point (probe.ts); everything else always, because
 * @noble/curves and @noble/post-quantum stand in where WebCrypto lacks a curve or ML-DSA.
 */
export function webHas(kind: string): Promise<boolean> {
  let has = webAnswers.get(kind);
  if (has === undefined) {
    const [kty, crv] = kind.split(':') as [string, string | undefined];
    const jwk =
      kty === 'EC' && crv !== undefined && crv !== 'secp256k1' ? probePublicKey(kty, crv) : undefined;
    has =
      jwk === undefined
        ? Promise.resolve(true)
        : Promise.resolve()
            .then(() =>
              subtle().importKey('jwk', jwk as JsonWebKey, { name: 'ECDSA', namedCurve: crv! }, false, [
                'verify',
              ]),
            )
            .then(
              () => true,
              () => false,
            );
    webAnswers.set(kind, has);
  }
  return has;
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
    verify: (key, data, signature) => {
      // Not async: the operation's own promise is the answer (one fewer per token). Every
      // operation maps a rejection to false; a synchronous throw is a "no" too (RFC 7515 §5.2).
      let verify: Verifier;
      try {
        verify = handleOf(key, 'verify').op as Verifier;
      } catch (error) {
        return Promise.reject(error);
      }
      try {
        return verify(data, signature);
      } catch {
        return FALSE;
      }
    },
    generate: (spec) => generate(native, nativeMlDsa, spec),
    digest: async (hash, data) => new Uint8Array(await subtle().digest(hash, buf(data))),
  };
}

export const webBackend: CryptoBackend = createWebBackend();
