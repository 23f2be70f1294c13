/**
 * The object identifiers of the key and certificate structures jwkit reads and writes. Curve
 * OIDs live in the registry (`CURVES[crv].oid`); this file holds the rest and the reverse maps.
 */

import { CURVES, type CurveInfo } from '../../registry.js';

export const OID = Object.freeze({
  /** RFC 8017 Appendix C */
  rsaEncryption: '1.2.840.113549.1.1.1',
  /** RFC 4055 §3.1: RSA key restricted to RSASSA-PSS */
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  /** RFC 5480 §2.1.1 */
  ecPublicKey: '1.2.840.10045.2.1',
  /** RFC 8018 Appendix A.4 / A.2 */
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  /** RFC 7914 §7 (recognised only to say it is not supported) */
  scrypt: '1.3.6.1.4.1.11591.4.11',
});

/** RFC 8018 Appendix B.1.1-B.1.2 PBKDF2 pseudo-random functions, by the hash WebCrypto names. */
export const PRF_OIDS: Readonly<Record<string, 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'>> = Object.freeze(
  Object.assign(Object.create(null), {
    '1.2.840.113549.2.7': 'SHA-1',
    '1.2.840.113549.2.9': 'SHA-256',
    '1.2.840.113549.2.10': 'SHA-384',
    '1.2.840.113549.2.11': 'SHA-512',
  }),
);

/** AES-CBC encryption schemes (NIST CSOR), by key length in bytes. */
export const AES_CBC_OIDS: Readonly<Record<string, number>> = Object.freeze(
  Object.assign(Object.create(null), {
    '2.16.840.1.101.3.4.1.2': 16,
    '2.16.840.1.101.3.4.1.22': 24,
    '2.16.840.1.101.3.4.1.42': 32,
  }),
);

/** Hash algorithm OIDs (RFC 4055 §2.1, RFC 5754), as RSA-PSS parameters name them. */
export const HASH_OIDS: Readonly<Record<string, 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512'>> =
  Object.freeze(
    Object.assign(Object.create(null), {
      '1.3.14.3.2.26': 'SHA-1',
      '2.16.840.1.101.3.4.2.4': 'SHA-224',
      '2.16.840.1.101.3.4.2.1': 'SHA-256',
      '2.16.840.1.101.3.4.2.2': 'SHA-384',
      '2.16.840.1.101.3.4.2.3': 'SHA-512',
    }),
  );

const CURVE_BY_OID: Readonly<Record<string, CurveInfo>> = Object.freeze(
  Object.assign(Object.create(null), Object.fromEntries(Object.values(CURVES).map((c) => [c.oid, c]))),
);

/** The EC named curve or OKP algorithm an OID stands for, or `undefined`. */
export function curveByOID(oid: string): CurveInfo | undefined {
  return Object.hasOwn(CURVE_BY_OID, oid) ? CURVE_BY_OID[oid] : undefined;
}

/** Names for OIDs users meet in unsupported keys, so errors say "DSA" rather than a number. */
const KNOWN_NAMES: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null), {
    '1.2.840.10040.4.1': 'DSA',
    '1.2.840.10046.2.1': 'Diffie-Hellman (X9.42)',
    '1.2.840.113549.1.3.1': 'Diffie-Hellman (PKCS#3)',
    '1.2.840.113549.1.1.7': 'RSAES-OAEP',
    '1.2.643.7.1.1.1.1': 'GOST R 34.10-2012',
    '1.2.156.10197.1.301': 'SM2',
    '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
    '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
    '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
    '1.2.840.10045.3.1.1': 'P-192',
    '1.3.132.0.33': 'P-224',
  }),
);

export function describeOID(oid: string): string {
  return Object.hasOwn(KNOWN_NAMES, oid) ? `${KNOWN_NAMES[oid]} (${oid})` : oid;
}
