/** Options of validateJWK / parseJWK / validateJWKSet / parseJWKSet, and their defaults. */

import { JSON_DEFAULT_MAX_LENGTH } from '../../json/parse.js';
import { ALGORITHMS } from '../../registry.js';

export interface ValidateOptions {
  /**
   * Default `false` (lenient: RFC 7517 §5 "be liberal in what you accept"). When `true`, every
   * warning is reported as an error: padded or standard-alphabet base64, leading zero octets, a
   * wrong `x5t`, an unknown `alg`, a skipped key in a set, ...
   */
  strict?: boolean;
  /** Smallest RSA modulus accepted, in bits. Default 2048 (the registry's minimum for RSA algorithms). */
  minRSABits?: number;
  /** Report a public key as an error (`PRIVATE_REQUIRED`). Default `false`. */
  requirePrivate?: boolean;
  /** Accept private and secret keys. Default `true`; `false` reports them (`PRIVATE_NOT_ALLOWED`). */
  allowPrivate?: boolean;
  x5c?: {
    /** Check each certificate's validity period at this time. Default: no time check. */
    at?: Date;
    /**
     * Check that each certificate's issuer names the next certificate's subject. Default `false`.
     * Signatures need async crypto: use `verifyX5cChain` for them.
     */
    verifyChain?: boolean;
  };
  /** Most keys a set may hold; the rest are not read. Default 1000. */
  maxKeys?: number;
  /** Longest JSON text accepted, in characters. Default 1 MiB. */
  maxLength?: number;
}

export interface ResolvedOptions {
  readonly strict: boolean;
  readonly minRSABits: number;
  readonly requirePrivate: boolean;
  readonly allowPrivate: boolean;
  readonly x5cAt: Date | undefined;
  readonly x5cVerifyChain: boolean;
  readonly maxKeys: number;
  readonly maxLength: number;
}

/** The registry's smallest modulus for any RSA algorithm (2048, RFC 7518 §3.3 / §4.2 / §4.3). */
export const DEFAULT_MIN_RSA_BITS = Math.min(
  ...Object.values(ALGORITHMS)
    .filter((a) => a.kty === 'RSA' && a.minBits !== undefined)
    .map((a) => a.minBits as number),
);

export const DEFAULT_MAX_KEYS = 1000;

export function resolveOptions(options: ValidateOptions | undefined): ResolvedOptions {
  const o = options ?? {};
  const at = o.x5c?.at;
  return {
    strict: o.strict === true,
    minRSABits: positive(o.minRSABits, DEFAULT_MIN_RSA_BITS),
    requirePrivate: o.requirePrivate === true,
    allowPrivate: o.allowPrivate !== false,
    x5cAt: at instanceof Date && !Number.isNaN(at.getTime()) ? at : undefined,
    x5cVerifyChain: o.x5c?.verifyChain === true,
    maxKeys: positive(o.maxKeys, DEFAULT_MAX_KEYS),
    maxLength: positive(o.maxLength, JSON_DEFAULT_MAX_LENGTH),
  };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}
