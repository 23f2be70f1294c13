/**
 * AKP key rules (RFC 9964 §3-§5): an "Algorithm Key Pair" whose `alg` says what `pub` and `priv`
 * are. For ML-DSA, `pub` is the FIPS 204 §7.2 encoded public key of the size FIPS 204 Table 2
 * gives, and `priv` is the 32-octet KeyGen seed (RFC 9964 §4). Every size comes from the registry.
 */

import { equalBytes } from '@noble/curves/utils.js';
import { type MlDsaAlg, mlDsaEngineSync } from '../../../math/ml-dsa.js';
import { getAKPAlgorithm, getAlgorithm } from '../../../registry.js';
import type { Rule } from '../context.js';
import { memberBytes } from '../decode.js';

/**
 * `alg` is REQUIRED on AKP keys (RFC 9964 §3): without it `pub` has no meaning. An `alg` of
 * another key type is left to the usage rule (ALG_KEY_MISMATCH); an unknown one is an error here,
 * not the usual warning, because jwkit cannot even tell how long `pub` should be.
 */
export const akpAlgorithm: Rule = (ctx) => {
  if (!ctx.has('alg')) {
    ctx.report(
      'AKP_ALG_MISSING',
      'alg',
      'an AKP key must name its algorithm in "alg" (e.g. "ML-DSA-65"): "pub" and "priv" mean nothing without it; add the alg the key was generated for',
    );
    return;
  }
  const alg = ctx.string('alg');
  if (alg === undefined || getAKPAlgorithm(alg) !== undefined) return;
  if (getAlgorithm(alg) !== undefined) return; // a registered alg of another key type: ALG_KEY_MISMATCH
  ctx.report(
    'AKP_ALG_UNSUPPORTED',
    'alg',
    `"alg" is "${alg}", which is not an AKP algorithm jwkit knows (ML-DSA-44, ML-DSA-65, ML-DSA-87); the key cannot be checked or used`,
  );
};

/** `pub`: exactly the size its alg fixes (RFC 9964 §5, FIPS 204 Table 2). */
export const akpPublicKey: Rule = (ctx) => {
  const info = getAKPAlgorithm(ctx.string('alg'));
  if (info === undefined) return;
  const pub = memberBytes(ctx, 'pub');
  if (pub === undefined) return;
  if (pub.length !== info.akp.publicSize) {
    ctx.report(
      'AKP_PUB_LENGTH',
      'pub',
      `"pub" is ${pub.length} octets; an ${info.alg} public key is exactly ${info.akp.publicSize} (FIPS 204 Table 2). Check "alg", or export the key again`,
    );
  }
};

/**
 * `priv`: exactly the seed size (RFC 9964 §4 and §7.3: "only a length check MUST be performed"),
 * and, since a mismatched pair can range "from operations failing to private key compromise"
 * (RFC 9964 §7.4), the public key the seed derives must be `pub`. The derivation needs the
 * ML-DSA engine: on Node it is always there; elsewhere it is checked here once an ML-DSA key has
 * been used (or `loadMlDsa()` awaited) and otherwise when the key is imported for signing.
 */
export const akpPrivateKey: Rule = (ctx) => {
  const info = getAKPAlgorithm(ctx.string('alg'));
  if (info === undefined || !ctx.has('priv')) return;
  const priv = memberBytes(ctx, 'priv');
  if (priv === undefined) return;
  if (priv.length !== info.akp.privateSize) {
    ctx.report(
      'AKP_PRIV_LENGTH',
      'priv',
      `"priv" is ${priv.length} octets; an ${info.alg} private key is the ${info.akp.privateSize}-octet seed (RFC 9964 §4). An expanded FIPS 204 private key cannot be used in a JWK; export the seed`,
    );
    return;
  }
  const pub = memberBytes(ctx, 'pub');
  if (pub === undefined || ctx.reported('AKP_PUB_LENGTH')) return;
  const engine = mlDsaEngineSync();
  if (engine === undefined || info.family !== 'ML-DSA') return;
  if (!equalBytes(engine.fromSeed(info.alg as MlDsaAlg, priv).publicKey, pub)) {
    ctx.report(
      'AKP_PRIVATE_MISMATCH',
      'priv',
      `the public key derived from "priv" is not "pub": the seed belongs to another key (RFC 9964 §7.4); export the key pair again from its source`,
    );
  }
};

export const AKP_RULES: readonly Rule[] = [akpAlgorithm, akpPublicKey, akpPrivateKey];
