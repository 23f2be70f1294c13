/**
 * Every problem code validation can report, with its severity and source. docs/api/validate.md
 * documents each one (a test keeps the two in step). A code has exactly one severity; `strict`
 * mode turns every warning into an error.
 */

import { type Problem, problem } from '../../errors/index.js';

export interface CodeInfo {
  readonly severity: Problem['severity'];
  readonly rfc: string;
}

function codes<T extends Record<string, CodeInfo>>(table: T): Readonly<T> {
  return Object.freeze(Object.assign(Object.create(null), table));
}

export const PROBLEM_CODES = codes({
  // JSON text and objects (src/json)
  JSON_SYNTAX: { severity: 'error', rfc: 'RFC 8259' },
  JSON_TOO_LONG: { severity: 'error', rfc: 'RFC 8259 §9' },
  JSON_TOO_DEEP: { severity: 'error', rfc: 'RFC 8259 §9' },
  JSON_UNREADABLE: { severity: 'error', rfc: 'RFC 8259' },
  JSON_DUPLICATE_MEMBER: { severity: 'error', rfc: 'RFC 8259 §4' },
  JSON_BOM: { severity: 'warning', rfc: 'RFC 8259 §8.1' },

  // Shape of a JWK
  JWK_NOT_OBJECT: { severity: 'error', rfc: 'RFC 7517 §4' },
  JWK_KTY_MISSING: { severity: 'error', rfc: 'RFC 7517 §4.1' },
  JWK_KTY_UNKNOWN: { severity: 'error', rfc: 'RFC 7518 §6.1' },
  JWK_MEMBER_MISSING: { severity: 'error', rfc: 'RFC 7518 §6' },
  JWK_MEMBER_TYPE: { severity: 'error', rfc: 'RFC 7517 §4' },
  JWK_MEMBER_DROPPED: { severity: 'warning', rfc: 'RFC 7517 §4' },
  JWK_FOREIGN_MEMBER: { severity: 'warning', rfc: 'RFC 7517 §4' },
  JWK_CHECK_FAILED: { severity: 'error', rfc: 'RFC 7517 §4' },
  CRV_UNKNOWN: { severity: 'error', rfc: 'RFC 7518 §6.2.1.1' },
  CRV_KTY_MISMATCH: { severity: 'error', rfc: 'RFC 8037 §2' },

  // base64url members (RFC 7515 §2: base64url without padding)
  B64URL_INVALID: { severity: 'error', rfc: 'RFC 7515 §2' },
  B64URL_NONCANONICAL: { severity: 'error', rfc: 'RFC 4648 §3.5' },
  B64URL_PADDING: { severity: 'warning', rfc: 'RFC 7515 §2' },
  B64URL_STD_ALPHABET: { severity: 'warning', rfc: 'RFC 7515 §2' },

  // RSA (RFC 7518 §6.3)
  RSA_INT_LEADING_ZERO: { severity: 'warning', rfc: 'RFC 7518 §2' },
  RSA_MODULUS_TOO_SHORT: { severity: 'error', rfc: 'RFC 7518 §3.3' },
  RSA_MODULUS_TOO_LONG: { severity: 'error', rfc: 'RFC 7518 §6.3.1.1' },
  RSA_MODULUS_SMALL_FACTOR: { severity: 'error', rfc: 'RFC 8017 §3.1' },
  RSA_EXPONENT_INVALID: { severity: 'error', rfc: 'RFC 8017 §3.1' },
  RSA_EXPONENT_TOO_LARGE: { severity: 'error', rfc: 'RFC 8017 §3.1' },
  RSA_WEAK_ROCA: { severity: 'error', rfc: 'CVE-2017-15361' },
  RSA_WEAK_FERMAT: { severity: 'error', rfc: 'CVE-2022-26320' },
  RSA_PRIVATE_INCOMPLETE: { severity: 'error', rfc: 'RFC 7518 §6.3.2' },
  RSA_PRIVATE_WITHOUT_CRT: { severity: 'warning', rfc: 'RFC 7518 §6.3.2' },
  RSA_PRIVATE_MISMATCH: { severity: 'error', rfc: 'RFC 8017 §3.2' },
  RSA_MULTIPRIME_UNSUPPORTED: { severity: 'error', rfc: 'RFC 7518 §6.3.2.7' },

  // EC (RFC 7518 §6.2)
  EC_COORD_LENGTH: { severity: 'warning', rfc: 'RFC 7518 §6.2.1.2' },
  EC_POINT_NOT_ON_CURVE: { severity: 'error', rfc: 'RFC 7518 §6.2.1.3' },
  EC_PRIVATE_LENGTH: { severity: 'warning', rfc: 'RFC 7518 §6.2.2.1' },
  EC_PRIVATE_OUT_OF_RANGE: { severity: 'error', rfc: 'RFC 7518 §6.2.2.1' },
  EC_PRIVATE_MISMATCH: { severity: 'error', rfc: 'RFC 7518 §6.2.2.1' },

  // OKP (RFC 8037 §2)
  OKP_KEY_LENGTH: { severity: 'error', rfc: 'RFC 8037 §2' },
  OKP_PRIVATE_LENGTH: { severity: 'error', rfc: 'RFC 8037 §2' },
  OKP_POINT_INVALID: { severity: 'error', rfc: 'RFC 8032 §5.1.3' },
  OKP_LOW_ORDER_POINT: { severity: 'warning', rfc: 'RFC 7748 §6' },
  OKP_SMALL_ORDER_KEY: { severity: 'error', rfc: 'RFC 8032 §5.1.7' },
  OKP_NONCANONICAL: { severity: 'warning', rfc: 'RFC 7748 §5' },
  OKP_PRIVATE_MISMATCH: { severity: 'error', rfc: 'RFC 8037 §2' },

  // AKP (RFC 9964 §3-§5; ML-DSA sizes from FIPS 204 Table 2)
  AKP_ALG_MISSING: { severity: 'error', rfc: 'RFC 9964 §3' },
  AKP_ALG_UNSUPPORTED: { severity: 'error', rfc: 'RFC 9964 §3' },
  AKP_PUB_LENGTH: { severity: 'error', rfc: 'RFC 9964 §5' },
  AKP_PRIV_LENGTH: { severity: 'error', rfc: 'RFC 9964 §4' },
  AKP_PRIVATE_MISMATCH: { severity: 'error', rfc: 'RFC 9964 §7.4' },

  // oct (RFC 7518 §6.4)
  OCT_KEY_EMPTY: { severity: 'error', rfc: 'RFC 7518 §6.4.1' },
  OCT_KEY_SHORT: { severity: 'warning', rfc: 'RFC 7518 §3.2' },

  // alg, use, key_ops (RFC 7517 §4.2-4.4)
  ALG_NONE: { severity: 'error', rfc: 'RFC 7518 §3.6' },
  ALG_UNKNOWN: { severity: 'warning', rfc: 'RFC 7517 §4.4' },
  ALG_KEY_MISMATCH: { severity: 'error', rfc: 'RFC 7517 §4.4' },
  ALG_KEY_SIZE: { severity: 'error', rfc: 'RFC 7518 §3.2' },
  ALG_DEPRECATED: { severity: 'warning', rfc: 'RFC 7518 §3.1' },
  ALG_USE_MISMATCH: { severity: 'error', rfc: 'RFC 7517 §4.2' },
  USE_UNREGISTERED: { severity: 'warning', rfc: 'RFC 7517 §4.2' },
  USE_KEY_MISMATCH: { severity: 'error', rfc: 'RFC 7517 §4.2' },
  USE_KEY_OPS_MISMATCH: { severity: 'error', rfc: 'RFC 7517 §4.3' },
  USE_WITH_KEY_OPS: { severity: 'warning', rfc: 'RFC 7517 §4.3' },
  KEY_OPS_UNREGISTERED: { severity: 'warning', rfc: 'RFC 7517 §4.3' },
  KEY_OPS_DUPLICATE: { severity: 'error', rfc: 'RFC 7517 §4.3' },
  KEY_OPS_UNRELATED: { severity: 'warning', rfc: 'RFC 7517 §4.3' },
  KEY_OPS_ALG_MISMATCH: { severity: 'error', rfc: 'RFC 7517 §4.3' },
  KEY_OPS_NEED_PRIVATE: { severity: 'warning', rfc: 'RFC 7517 §4.3' },

  // Private material policy (ValidateOptions.allowPrivate / requirePrivate)
  PRIVATE_NOT_ALLOWED: { severity: 'error', rfc: 'RFC 7517 §9.2' },
  PRIVATE_REQUIRED: { severity: 'error', rfc: 'RFC 7517 §4' },

  // X.509 members (RFC 7517 §4.6-4.9)
  X5U_INVALID: { severity: 'error', rfc: 'RFC 7517 §4.6' },
  X5U_NOT_HTTPS: { severity: 'error', rfc: 'RFC 7517 §4.6' },
  X5C_EMPTY: { severity: 'error', rfc: 'RFC 7517 §4.7' },
  X5C_ENCODING: { severity: 'error', rfc: 'RFC 7517 §4.7' },
  X5C_CERT_INVALID: { severity: 'error', rfc: 'RFC 7517 §4.7' },
  X5C_KEY_MISMATCH: { severity: 'error', rfc: 'RFC 7517 §4.7' },
  X5C_CERT_EXPIRED: { severity: 'error', rfc: 'RFC 5280 §4.1.2.5' },
  X5C_CERT_NOT_YET_VALID: { severity: 'error', rfc: 'RFC 5280 §4.1.2.5' },
  X5C_CHAIN_ORDER: { severity: 'error', rfc: 'RFC 7517 §4.7' },
  X5C_ISSUER_NOT_CA: { severity: 'error', rfc: 'RFC 5280 §6.1.4' },
  X5C_ISSUER_KEY_USAGE: { severity: 'error', rfc: 'RFC 5280 §4.2.1.3' },
  X5C_PATH_LENGTH: { severity: 'error', rfc: 'RFC 5280 §4.2.1.9' },
  X5C_CHAIN_SIGNATURE: { severity: 'error', rfc: 'RFC 5280 §6.1' },
  X5C_CHAIN_UNSUPPORTED: { severity: 'warning', rfc: 'RFC 5280 §6.1' },
  X5T_MISMATCH: { severity: 'warning', rfc: 'RFC 7517 §4.8' },
  X5T_HEX_THUMBPRINT: { severity: 'warning', rfc: 'RFC 7517 §4.8' },
  X5T_S256_MISMATCH: { severity: 'warning', rfc: 'RFC 7517 §4.9' },
  X5T_LENGTH: { severity: 'warning', rfc: 'RFC 7517 §4.8' },

  // JWK Sets (RFC 7517 §5)
  SET_NOT_OBJECT: { severity: 'error', rfc: 'RFC 7517 §5' },
  SET_KEYS_MISSING: { severity: 'error', rfc: 'RFC 7517 §5.1' },
  SET_KEYS_NOT_ARRAY: { severity: 'error', rfc: 'RFC 7517 §5.1' },
  SET_TOO_MANY_KEYS: { severity: 'error', rfc: 'RFC 7517 §5' },
  SET_KEY_SKIPPED: { severity: 'warning', rfc: 'RFC 7517 §5' },
  SET_DUPLICATE_KID: { severity: 'error', rfc: 'RFC 7517 §4.5' },
  SET_SHARED_KID: { severity: 'warning', rfc: 'RFC 7517 §4.5' },
  SET_DUPLICATE_KEY: { severity: 'warning', rfc: 'RFC 7517 §5' },
  SET_MIXED_PRIVATE_PUBLIC: { severity: 'warning', rfc: 'RFC 7517 §9.2' },
});

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** A problem with the code's severity (every warning an error when `strict`) and source. */
export function makeProblem(
  code: ProblemCode,
  path: string,
  message: string,
  strict: boolean,
  rfc?: string,
): Problem {
  const info = PROBLEM_CODES[code];
  return problem(strict ? 'error' : info.severity, code, path, message, rfc ?? info.rfc);
}

/** Problems from elsewhere (the JSON parser), with `strict` applied. */
export function adopt(problems: readonly Problem[], strict: boolean): Problem[] {
  return problems.map((p) => (strict && p.severity === 'warning' ? { ...p, severity: 'error' } : p));
}
