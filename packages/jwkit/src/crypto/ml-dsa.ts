/**
 * ML-DSA JWS (RFC 9964 §5) for both crypto backends: key handles' sign/verify operations and key
 * generation over an ML-DSA engine (src/jwk/math/ml-dsa.ts), plus WebCrypto's native ML-DSA
 * where the runtime has it (Chromium, Deno, Bun, Node 24.7+), probed once per algorithm.
 *
 * A signing key is always checked before use: the public key derived from the seed must be `pub`
 * (RFC 9964 §7.4 warns that mismatched AKP parameters can lead to private key compromise).
 */

import { equalBytes } from '@noble/curves/utils.js';
import { decode, encode } from '../encoding/base64url.js';
import { ConversionError, UnsupportedError } from '../errors/index.js';
import type { JWK, PrivateJWK } from '../jwk/model.js';
import {
  loadNobleMlDsa,
  type MlDsaAlg,
  type MlDsaEngine,
  type MlDsaSigner,
  type MlDsaVerifier,
  mlDsaInfo,
} from '../math/ml-dsa.js';
import type { AlgorithmInfo } from '../registry.js';
import type { KeyUsage } from './backend.js';

function member(jwk: JWK, name: 'pub' | 'priv', size: number, alg: string): Uint8Array {
  const value = jwk[name];
  const bytes = typeof value === 'string' ? decode(value) : undefined;
  if (bytes === undefined || bytes.length !== size) {
    throw new ConversionError(
      'ERR_KEY_IMPORT',
      `an ${alg} key needs "${name}" of ${size} octets (RFC 9964 §4-§5); check the key with validateJWK`,
    );
  }
  return bytes;
}

export function mlDsaAlgOf(info: AlgorithmInfo): MlDsaAlg {
  const akp = mlDsaInfo(info.alg);
  if (akp === undefined) throw new UnsupportedError(`${info.alg} is not an ML-DSA algorithm`);
  return akp.alg;
}

function mismatch(alg: string): ConversionError {
  return new ConversionError(
    'ERR_KEY_IMPORT',
    `the public key derived from "priv" is not "pub" (AKP_PRIVATE_MISMATCH, RFC 9964 §7.4): this ${alg} seed belongs to another key; export the key pair again`,
  );
}

/** The synchronous operation of an ML-DSA key handle, on `engine`. */
export function mlDsaOp(
  engine: MlDsaEngine,
  jwk: JWK,
  info: AlgorithmInfo,
  usage: KeyUsage,
): MlDsaSigner | MlDsaVerifier {
  const alg = mlDsaAlgOf(info);
  const sizes = mlDsaInfo(alg)!;
  const pub = member(jwk, 'pub', sizes.publicSize, alg);
  if (usage === 'verify') return engine.verifier(alg, pub);
  const pair = engine.fromSeed(alg, member(jwk, 'priv', sizes.privateSize, alg));
  if (!equalBytes(pair.publicKey, pub)) throw mismatch(alg);
  return pair.sign;
}

/** A new ML-DSA private JWK (`kty`, `alg`, `pub`, `priv`) from a fresh seed on `engine`. */
export function mlDsaGenerate(engine: MlDsaEngine, alg: MlDsaAlg): PrivateJWK {
  const seed = engine.randomSeed();
  const { publicKey } = engine.fromSeed(alg, seed);
  return { kty: 'AKP', alg, pub: encode(publicKey), priv: encode(seed) } as unknown as PrivateJWK;
}

// ---- WebCrypto ------------------------------------------------------------------------------

const probes = new Map<MlDsaAlg, Promise<boolean>>();

/** Whether `crypto.subtle` implements `alg` (a throwaway key pair, once per algorithm). */
export function webHasMlDsa(alg: MlDsaAlg): Promise<boolean> {
  let probe = probes.get(alg);
  if (probe === undefined) {
    const subtle = globalThis.crypto?.subtle;
    probe =
      subtle === undefined
        ? Promise.resolve(false)
        : subtle.generateKey({ name: alg }, false, ['sign', 'verify']).then(
            () => true,
            () => false,
          );
    probes.set(alg, probe);
  }
  return probe;
}

export interface WebMlDsaKey {
  cryptoKey: CryptoKey | undefined;
  op: ((data: Uint8Array) => Promise<Uint8Array>) | ((data: Uint8Array, sig: Uint8Array) => Promise<boolean>);
}

const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;

/**
 * An ML-DSA key for the WebCrypto backend: native when `crypto.subtle` has the algorithm, else
 * @noble/post-quantum, loaded now (dynamic import) and only now.
 */
export async function webMlDsaKey(
  jwk: JWK,
  info: AlgorithmInfo,
  usage: KeyUsage,
  options: { native: boolean },
): Promise<WebMlDsaKey> {
  const alg = mlDsaAlgOf(info);
  const sizes = mlDsaInfo(alg)!;
  const pub = member(jwk, 'pub', sizes.publicSize, alg);
  if (options.native && (await webHasMlDsa(alg))) {
    const subtle = globalThis.crypto.subtle;
    const material: JsonWebKey & { pub: string; priv?: string } = { kty: 'AKP', alg, pub: encode(pub) };
    if (usage === 'sign') {
      const seed = member(jwk, 'priv', sizes.privateSize, alg);
      material.priv = encode(seed);
    }
    let key: CryptoKey;
    try {
      key = await subtle.importKey('jwk', material, { name: alg }, false, [usage]);
    } catch (cause) {
      // WebCrypto refuses a seed whose public key is not `pub` (DataError), among other things.
      if (usage === 'sign') throw mismatchOr(alg, cause);
      throw new ConversionError(
        'ERR_KEY_IMPORT',
        `WebCrypto cannot import this ${alg} key: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    const length = sizes.signatureSize;
    return {
      cryptoKey: key,
      op:
        usage === 'sign'
          ? async (data: Uint8Array) => new Uint8Array(await subtle.sign({ name: alg }, key, buf(data)))
          : async (data: Uint8Array, sig: Uint8Array) =>
              sig.length === length &&
              subtle.verify({ name: alg }, key, buf(sig), buf(data)).catch(() => false),
    };
  }
  // Not the installed engine (node:crypto's, on Node): this backend's fallback is the pure-JS one.
  const engine = await loadNobleMlDsa();
  const op = mlDsaOp(engine, jwk, info, usage);
  return {
    cryptoKey: undefined,
    op:
      usage === 'sign'
        ? async (data: Uint8Array) => (op as MlDsaSigner)(data)
        : async (data: Uint8Array, sig: Uint8Array) => (op as MlDsaVerifier)(data, sig),
  };
}

function mismatchOr(alg: string, cause: unknown): ConversionError {
  const e = mismatch(alg);
  (e as { cause?: unknown }).cause = cause;
  return e;
}

/** A new ML-DSA private JWK on WebCrypto (native, else noble). */
export async function webMlDsaGenerate(alg: MlDsaAlg, options: { native: boolean }): Promise<PrivateJWK> {
  if (options.native && (await webHasMlDsa(alg))) {
    const subtle = globalThis.crypto.subtle;
    const pair = (await subtle.generateKey({ name: alg }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = (await subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey & {
      pub?: string;
      priv?: string;
    };
    return { kty: 'AKP', alg, pub: jwk.pub, priv: jwk.priv } as unknown as PrivateJWK;
  }
  return mlDsaGenerate(await loadNobleMlDsa(), alg);
}
