/**
 * ML-DSA (FIPS 204) for AKP keys (RFC 9964), loaded only when an ML-DSA key is used.
 *
 * Nothing here imports the lattice code statically: classical-only users must not pay for it in
 * bundle size (issue 16). The pure-JS implementation (@noble/post-quantum) comes in through a
 * dynamic `import()`, which bundlers split into its own chunk; on Node the node:crypto backend
 * installs an engine synchronously (native ML-DSA on Node 24.7+, else noble via `require`), so
 * validation and the synchronous JWT path work there without awaiting anything.
 *
 * An engine answers three questions, all per algorithm: the public key of a seed
 * (ML-DSA.KeyGen_internal, FIPS 204 Algorithm 6, which is what RFC 9964 §4 makes `priv`), a
 * signer for a seed, and a verifier for a public key. Signatures use the empty context string
 * (RFC 9964 §5) and the hedged (randomized) variant of FIPS 204 Algorithm 2.
 */

import type * as NobleMlDsa from '@noble/post-quantum/ml-dsa.js';
import { UnsupportedError } from '../errors/index.js';
import { type AKPInfo, getAKPAlgorithm } from '../registry.js';

export type MlDsaAlg = 'ML-DSA-44' | 'ML-DSA-65' | 'ML-DSA-87';
export type MlDsaSigner = (data: Uint8Array) => Uint8Array;
export type MlDsaVerifier = (data: Uint8Array, signature: Uint8Array) => boolean;

export interface MlDsaKeyPair {
  readonly publicKey: Uint8Array;
  readonly sign: MlDsaSigner;
}

export interface MlDsaEngine {
  /** Where the primitives come from, for reports and benchmarks. */
  readonly name: 'node:crypto' | 'webcrypto' | '@noble/post-quantum';
  /** The key pair of a 32-octet seed (FIPS 204 Algorithm 6); throws for a seed of another length. */
  fromSeed(alg: MlDsaAlg, seed: Uint8Array): MlDsaKeyPair;
  /** A verifier for a public key; it returns false (never throws) for a malformed signature. */
  verifier(alg: MlDsaAlg, publicKey: Uint8Array): MlDsaVerifier;
  /** The FIPS 204 expanded private key of a seed (skEncode of KeyGen_internal), for consistency checks. */
  expandedKey(alg: MlDsaAlg, seed: Uint8Array): Uint8Array;
  /** A fresh random seed. */
  randomSeed(): Uint8Array;
}

let installed: MlDsaEngine | undefined;

/** The engine in use when one is loaded or installed, else `undefined` (never starts a load). */
export function mlDsaEngineSync(): MlDsaEngine | undefined {
  return installed;
}

let noble: Promise<MlDsaEngine> | undefined;

/**
 * The @noble/post-quantum engine, imported on first call (a separate chunk in bundles).
 * Concurrent callers share one import; a failed import is retried by the next caller.
 */
export function loadNobleMlDsa(): Promise<MlDsaEngine> {
  noble ??= import('@noble/post-quantum/ml-dsa.js').then(nobleEngine, (cause: unknown) => {
    noble = undefined;
    throw nobleMissing(cause);
  });
  return noble;
}

/** The engine in use: the installed one, else @noble/post-quantum (installed once loaded). */
export async function loadMlDsaEngine(): Promise<MlDsaEngine> {
  if (installed !== undefined) return installed;
  const engine = await loadNobleMlDsa();
  installed ??= engine;
  return installed;
}

/** Installs an engine (the node:crypto backend does, at first ML-DSA use); `undefined` uninstalls (tests). */
export function installMlDsaEngine(engine: MlDsaEngine | undefined): void {
  installed = engine;
}

/** The registry's sizes and OID for an ML-DSA alg; `undefined` for any other alg. */
export function mlDsaInfo(alg: unknown): (AKPInfo & { alg: MlDsaAlg }) | undefined {
  const info = getAKPAlgorithm(alg);
  if (info === undefined || info.family !== 'ML-DSA') return undefined;
  return { ...info.akp, alg: info.alg as MlDsaAlg };
}

function sizes(alg: MlDsaAlg): AKPInfo {
  const info = mlDsaInfo(alg);
  if (info === undefined) throw new TypeError(`${String(alg)} is not an ML-DSA algorithm`);
  return info;
}

type NobleModule = typeof NobleMlDsa;

/** The @noble/post-quantum engine: audited pure JS, the same on every runtime. */
export function nobleEngine(mod: NobleModule): MlDsaEngine {
  const impl = (alg: MlDsaAlg) =>
    alg === 'ML-DSA-44' ? mod.ml_dsa44 : alg === 'ML-DSA-65' ? mod.ml_dsa65 : mod.ml_dsa87;
  return {
    name: '@noble/post-quantum',
    fromSeed(alg, seed) {
      const { privateSize } = sizes(alg);
      if (seed.length !== privateSize)
        throw new RangeError(`an ${alg} seed is ${privateSize} octets, not ${seed.length}`);
      const ml = impl(alg);
      const { publicKey, secretKey } = ml.keygen(seed);
      return { publicKey, sign: (data) => ml.sign(data, secretKey) };
    },
    verifier(alg, publicKey) {
      const { publicSize, signatureSize } = sizes(alg);
      if (publicKey.length !== publicSize)
        throw new RangeError(`an ${alg} public key is ${publicSize} octets, not ${publicKey.length}`);
      const ml = impl(alg);
      return (data, signature) => {
        if (signature.length !== signatureSize) return false;
        try {
          return ml.verify(signature, data, publicKey);
        } catch {
          return false;
        }
      };
    },
    expandedKey: (alg, seed) => impl(alg).keygen(seed).secretKey,
    randomSeed: () => globalThis.crypto.getRandomValues(new Uint8Array(32)),
  };
}

/**
 * @noble/post-quantum is an optional peer dependency (it would take the library's install past
 * 4 MB for the users who never see an ML-DSA key): a runtime without native ML-DSA (Node < 24.7,
 * workerd, older browsers) needs it installed, and is told so by name.
 */
export function nobleMissing(cause: unknown): unknown {
  const code = (cause as { code?: string } | null)?.code;
  const text = String((cause as { message?: string } | null)?.message ?? cause);
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND' && !/@noble\/post-quantum/.test(text)) {
    return cause;
  }
  return new UnsupportedError(
    'ML-DSA on this runtime needs the @noble/post-quantum package (it has no native ML-DSA): npm install @noble/post-quantum',
    { cause },
  );
}
