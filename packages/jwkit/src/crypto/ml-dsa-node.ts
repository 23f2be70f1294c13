/**
 * ML-DSA on Node: node:crypto's own (OpenSSL 3.5, Node 24.7+) where it exists, else
 * @noble/post-quantum loaded with `require` (Node >= 20.19 loads ES modules synchronously), so
 * the node:crypto backend's synchronous import/sign/verify and the synchronous validation rules
 * work on every Node jwkit supports. Nothing is loaded until an ML-DSA key is first used.
 */

import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { createRequire } from 'node:module';
import {
  installMlDsaEngine,
  type MlDsaAlg,
  type MlDsaEngine,
  mlDsaEngineSync,
  mlDsaInfo,
  nobleEngine,
  nobleMissing,
} from '../math/ml-dsa.js';
import { mlDsaPkcs8Seed, mlDsaSpki } from '../pkix/ml-dsa.js';

let native: boolean | undefined;

/**
 * Whether this Node's node:crypto has ML-DSA (probed once, with a fixed seed). Parsing the key is
 * not enough: Node 22.23 ships an OpenSSL that reads ML-DSA PKCS#8 but cannot sign with it
 * (ERR_OSSL_EVP_PROVIDER_SIGNATURE_NOT_SUPPORTED), so the probe also signs once.
 */
export function nodeHasMlDsa(): boolean {
  if (native === undefined) {
    try {
      const key = createPrivateKey({
        key: Buffer.from(mlDsaPkcs8Seed('ML-DSA-44', new Uint8Array(32))),
        format: 'der',
        type: 'pkcs8',
      });
      cryptoSign(null, new Uint8Array(0), key);
      native = true;
    } catch {
      native = false;
    }
  }
  return native;
}

/** The private KeyObject of a seed (native only). */
export function nativePrivateKey(alg: MlDsaAlg, seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(mlDsaPkcs8Seed(alg, seed)), format: 'der', type: 'pkcs8' });
}

/** The public KeyObject of a raw public key (native only). */
export function nativePublicKey(alg: MlDsaAlg, publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(mlDsaSpki(alg, publicKey)), format: 'der', type: 'spki' });
}

/** node:crypto's ML-DSA as an engine: one `crypto.sign` / `crypto.verify` per operation. */
export const nativeEngine: MlDsaEngine = {
  name: 'node:crypto',
  fromSeed(alg, seed) {
    const key = nativePrivateKey(alg, seed);
    const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
    const size = mlDsaInfo(alg)!.publicSize;
    const publicKey = new Uint8Array(spki.subarray(spki.length - size));
    return { publicKey, sign: (data) => new Uint8Array(cryptoSign(null, data, key)) };
  },
  verifier(alg, publicKey) {
    const key = nativePublicKey(alg, publicKey);
    const length = mlDsaInfo(alg)!.signatureSize;
    return (data, signature) => {
      if (signature.length !== length) return false;
      try {
        return cryptoVerify(null, data, key, signature);
      } catch {
        return false;
      }
    };
  },
  // node:crypto does not expose the expanded key; the pure-JS engine computes it (rarely needed).
  expandedKey: (alg, seed) => nobleSync().expandedKey(alg, seed),
  randomSeed: () => globalThis.crypto.getRandomValues(new Uint8Array(32)),
};

let chosen: MlDsaEngine | undefined;
let noble: MlDsaEngine | undefined;

function nobleSync(): MlDsaEngine {
  noble ??= nobleEngine(requireNoble());
  return noble;
}

/**
 * @noble/post-quantum, synchronously. In a bundle (the CLI's) esbuild sees the literal `require`
 * and bundles the module; in plain ES modules `require` is undefined and createRequire resolves it.
 */
function requireNoble(): typeof import('@noble/post-quantum/ml-dsa.js') {
  try {
    if (typeof require === 'function') return require('@noble/post-quantum/ml-dsa.js');
    return createRequire(import.meta.url)('@noble/post-quantum/ml-dsa.js');
  } catch (cause) {
    throw nobleMissing(cause);
  }
}

/**
 * `JWKIT_MLDSA=noble`. Deno without --allow-env throws NotCapable for any environment read
 * (issue 12: the deno entry also uses this engine for synchronous validation): that is "unset".
 */
function envSaysNoble(): boolean {
  try {
    return globalThis.process?.env?.JWKIT_MLDSA === 'noble';
  } catch {
    return false;
  }
}

/**
 * The engine the node:crypto backend uses, chosen on first call: native when node:crypto has
 * ML-DSA, else @noble/post-quantum through `require`. `JWKIT_MLDSA=noble` forces the pure-JS
 * engine (benchmarks, and tests of the fallback on a Node that has ML-DSA).
 */
export function nodeMlDsaEngine(): MlDsaEngine {
  if (chosen === undefined) {
    const forceNoble = envSaysNoble();
    chosen = !forceNoble && nodeHasMlDsa() ? nativeEngine : nobleSync();
  }
  return chosen;
}

/**
 * An engine that picks the real one at its first use. src/index.node.ts installs it so that
 * synchronous validation can check `priv` against `pub` on Node without loading anything at
 * startup (classical users never trigger the load).
 */
export const lazyNodeEngine: MlDsaEngine = {
  get name() {
    return nodeMlDsaEngine().name;
  },
  fromSeed: (alg, seed) => nodeMlDsaEngine().fromSeed(alg, seed),
  verifier: (alg, publicKey) => nodeMlDsaEngine().verifier(alg, publicKey),
  expandedKey: (alg, seed) => nodeMlDsaEngine().expandedKey(alg, seed),
  randomSeed: () => nodeMlDsaEngine().randomSeed(),
};

/** Installs the lazy engine unless another is installed (called by src/index.node.ts). */
export function installNodeMlDsa(): void {
  if (mlDsaEngineSync() === undefined) installMlDsaEngine(lazyNodeEngine);
}
