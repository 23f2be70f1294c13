/**
 * New keys. `generateJWK({ alg })` is enough: the registry decides kty and curve, the backend
 * makes the key material, and the key gets `alg`, optional `use`/`key_ops`, and a `kid` that
 * defaults to its RFC 7638 SHA-256 thumbprint.
 */

import { JWKitError, UnsupportedError } from '../errors/index.js';
import type { OctJWK, PrivateJWK } from '../jwk/model.js';
import { canonicalOrder } from '../jwk/model.js';
import { thumbprint } from '../jwk/thumbprint.js';
import {
  type AlgorithmInfo,
  algorithmAllowsKey,
  algorithmKtys,
  getAlgorithm,
  getCurve,
  isKeyOp,
  isKty,
  KEY_OPS,
  type KeyOp,
  type Kty,
  USES,
} from '../registry.js';
import { getBackend } from './active.js';
import type { CryptoBackend } from './backend.js';
import { runtimeName } from './runtime.js';

export interface GenerateOptions {
  /** The algorithm the key is for; picks kty and curve when those are omitted. Default: from kty/crv (see below). */
  alg?: string;
  /** Key type; default: the algorithm's (or the curve's) key type. */
  kty?: Kty;
  /** EC/OKP curve; default: the algorithm's first curve (P-256 for ECDH-ES, Ed25519 for EdDSA). */
  crv?: string;
  /** RSA modulus bits (2048..16384, default 2048) or oct key bits (default: the algorithm's size, else 256). */
  size?: number;
  /** `use` member (RFC 7517 §4.2); must match the algorithm's use. Default: none. */
  use?: 'sig' | 'enc';
  /** `key_ops` member (RFC 7517 §4.3); must belong to the algorithm's use. Default: none. */
  keyOps?: readonly KeyOp[];
  /** `kid`; default: the RFC 7638 SHA-256 thumbprint. `false` leaves it out. */
  kid?: string | false;
  /** Allow a registered but deprecated algorithm (EdDSA, RSA1_5). Default: false. */
  allowDeprecated?: boolean;
  /** Backend that generates the key material. Default: the active one (`getBackend()`). */
  backend?: CryptoBackend;
}

/** Default algorithm of a key type when neither `alg` nor a curve says (oct: by size, see below). */
const KTY_DEFAULT_ALG: Record<Kty, string> = {
  RSA: 'RS256',
  EC: 'ES256',
  OKP: 'Ed25519',
  oct: 'HS256',
  AKP: 'ML-DSA-65',
};

function fail(message: string): never {
  throw new JWKitError('ERR_GENERATE_OPTIONS', message);
}

/** Resolves the options to a full (alg, kty, crv, size) choice, or throws ERR_GENERATE_OPTIONS. */
export function resolveGenerate(options: GenerateOptions): {
  info: AlgorithmInfo;
  kty: Kty;
  crv?: string;
  size?: number;
} {
  const { kty: wantKty, crv: wantCrv, size } = options;
  if (wantKty !== undefined && !isKty(wantKty))
    fail(`unknown key type ${JSON.stringify(wantKty)}; use RSA, EC, OKP, oct or AKP`);
  const curve = wantCrv === undefined ? undefined : getCurve(wantCrv);
  if (wantCrv !== undefined && !curve) fail(`unknown curve ${JSON.stringify(wantCrv)}`);
  if (curve && wantKty !== undefined && curve.kty !== wantKty)
    fail(`curve ${curve.crv} belongs to kty ${curve.kty}, not ${wantKty}`);

  let alg = options.alg;
  if (alg === undefined) {
    if (curve) alg = curve.defaultAlg;
    else if (wantKty === 'oct' && size !== undefined)
      alg = size >= 512 ? 'HS512' : size >= 384 ? 'HS384' : 'HS256';
    else if (wantKty !== undefined) alg = KTY_DEFAULT_ALG[wantKty];
    else fail('say what to generate: give "alg" (e.g. ES256), or "kty" / "crv"');
  }
  const info = getAlgorithm(alg);
  if (!info) fail(`unknown algorithm ${JSON.stringify(alg)}`);
  if (info.deprecated && !options.allowDeprecated) {
    fail(`${info.alg} is deprecated (${info.deprecated}); pass allowDeprecated: true to generate it anyway`);
  }
  const kty = wantKty ?? curve?.kty ?? algorithmKtys(info)[0]!;
  const crv =
    kty === 'EC' || kty === 'OKP'
      ? (curve?.crv ?? info.crvs?.find((c) => getCurve(c)?.kty === kty))
      : undefined;
  if ((kty === 'EC' || kty === 'OKP') && crv === undefined)
    fail(`${info.alg} names no ${kty} curve; give "crv"`);
  if ((kty === 'EC' || kty === 'OKP') && size !== undefined)
    fail(`${kty} key sizes follow from the curve; omit "size"`);
  if (kty === 'AKP' && size !== undefined)
    fail('AKP key sizes follow from "alg" (FIPS 204 Table 2); omit "size"');

  let bits = size;
  if (kty === 'oct' && bits === undefined) bits = info.exactBits ?? info.minBits ?? 256;
  const reason = algorithmAllowsKey(info, kty, crv, bits);
  if (reason) fail(`${reason} (${info.rfc})`);
  return crv === undefined ? { info, kty, size: bits } : { info, kty, crv, size: bits };
}

function checkUse(info: AlgorithmInfo, use: string | undefined, keyOps: readonly KeyOp[] | undefined): void {
  if (use !== undefined) {
    if (!(USES as readonly string[]).includes(use))
      fail(`"use" must be "sig" or "enc", not ${JSON.stringify(use)}`);
    if (use !== info.use)
      fail(`${info.alg} is a "${info.use}" algorithm; "use": "${use}" contradicts it (RFC 7517 §4.2)`);
  }
  if (keyOps !== undefined) {
    if (!Array.isArray(keyOps) || keyOps.length === 0)
      fail('"keyOps" must be a non-empty array of key operations');
    const seen = new Set<string>();
    for (const op of keyOps) {
      if (!isKeyOp(op)) fail(`unknown key operation ${JSON.stringify(op)} (RFC 7517 §4.3)`);
      if (seen.has(op)) fail(`key operation "${op}" is listed twice (RFC 7517 §4.3)`);
      seen.add(op);
      if (KEY_OPS[op] !== info.use)
        fail(`key operation "${op}" does not fit ${info.alg}, a "${info.use}" algorithm (RFC 7517 §4.3)`);
    }
  }
}

/**
 * A new private key (or oct secret) for `alg`. Throws `JWKitError` `ERR_GENERATE_OPTIONS` for a
 * contradictory or unknown choice (the message says which), `ERR_GENERATE_SIZE` for a size out
 * of range, `UnsupportedError` when the backend cannot make the key.
 */
export async function generateJWK(options: GenerateOptions = {}): Promise<PrivateJWK | OctJWK> {
  const { info, kty, crv, size } = resolveGenerate(options);
  checkUse(info, options.use, options.keyOps);
  if (
    options.kid !== undefined &&
    options.kid !== false &&
    (typeof options.kid !== 'string' || options.kid === '')
  ) {
    fail('"kid" must be a non-empty string, or false for no kid');
  }
  const backend = options.backend ?? getBackend();
  let material: PrivateJWK | OctJWK;
  try {
    material = await backend.generate(
      kty === 'AKP' ? { kty, alg: info.alg } : crv === undefined ? { kty, bits: size } : { kty, crv },
    );
  } catch (cause) {
    if (cause instanceof JWKitError) throw cause;
    // A platform error (Bun's node:crypto: ERR_OSSL_* for secp256k1) is a missing feature of
    // this runtime, not a bad request: a coded error naming the key and the runtime.
    throw new UnsupportedError(
      `cannot generate a ${kty}${crv === undefined ? '' : ` ${crv}`} key for ${info.alg} on ${runtimeName()} with the ${backend.name} backend: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
  const jwk: Record<string, unknown> = { ...material, alg: info.alg };
  if (options.use !== undefined) jwk.use = options.use;
  if (options.keyOps !== undefined) jwk.key_ops = [...options.keyOps];
  if (options.kid !== false) jwk.kid = options.kid ?? thumbprint(material);
  return canonicalOrder(jwk) as unknown as PrivateJWK | OctJWK;
}
