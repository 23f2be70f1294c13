/**
 * Every object identifier jwkit reads or writes in DER, described once (issue 11 point 4: one
 * table instead of three). Each row says what the OID is (`kind`) and what jwkit needs to know
 * about it; curve OIDs stay with their curves in the registry (`CURVES[crv].oid`) and are found
 * through `curveByOID`. Like registry.ts, the table has no prototype, so an OID taken from
 * untrusted input such as `constructor` resolves to nothing.
 */

import { CURVES, type CurveInfo } from '../registry.js';

export type HashAlgorithm = 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';
export type CertificateSignatureFamily = 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'ECDSA' | 'EdDSA' | 'ML-DSA';

interface Row {
  readonly oid: string;
  /** Conventional name, as OpenSSL prints it. */
  readonly name: string;
  readonly rfc: string;
}

/** One OID and what it stands for. */
export type OIDInfo =
  /** A SubjectPublicKeyInfo / PrivateKeyInfo key algorithm jwkit converts. */
  | (Row & { readonly kind: 'key' })
  /** A key algorithm or curve users meet that has no JWK form: named only for error messages. */
  | (Row & { readonly kind: 'unsupported-key' })
  /** A hash AlgorithmIdentifier (RSASSA-PSS parameters, MGF1). */
  | (Row & { readonly kind: 'hash'; readonly hash: HashAlgorithm })
  /** A PBKDF2 pseudo-random function (HMAC with `hash`). */
  | (Row & { readonly kind: 'prf'; readonly hash: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' })
  /** An AES-CBC encryption scheme of `keyBytes`. */
  | (Row & { readonly kind: 'cipher'; readonly keyBytes: number })
  /** PBES2, PBKDF2, scrypt, MGF1: the building blocks of encrypted keys and PSS. */
  | (Row & { readonly kind: 'scheme' })
  /** A certificate signature algorithm; `hash` is absent for RSASSA-PSS (in the parameters) and EdDSA. */
  | (Row & {
      readonly kind: 'signature';
      readonly family: CertificateSignatureFamily;
      readonly hash?: HashAlgorithm;
    })
  /** An X.520 / RFC 4519 / PKCS#9 attribute type with its RFC 4514 short name. */
  | (Row & { readonly kind: 'attribute'; readonly short: string })
  /** A certificate extension jwkit reads. */
  | (Row & { readonly kind: 'extension' });

function table(rows: readonly OIDInfo[]): Readonly<Record<string, OIDInfo>> {
  const out: Record<string, OIDInfo> = Object.create(null);
  for (const row of rows) {
    if (Object.hasOwn(out, row.oid)) throw new Error(`OID ${row.oid} is listed twice`);
    out[row.oid] = Object.freeze(row);
  }
  return Object.freeze(out);
}

const sig = (
  oid: string,
  name: string,
  family: CertificateSignatureFamily,
  hash: HashAlgorithm | undefined,
  rfc: string,
): OIDInfo =>
  hash === undefined
    ? { oid, name, kind: 'signature', family, rfc }
    : { oid, name, kind: 'signature', family, hash, rfc };
const attr = (oid: string, short: string, rfc: string): OIDInfo => ({
  oid,
  name: short,
  kind: 'attribute',
  short,
  rfc,
});
const unsupported = (oid: string, name: string, rfc: string): OIDInfo => ({
  oid,
  name,
  kind: 'unsupported-key',
  rfc,
});

export const OIDS: Readonly<Record<string, OIDInfo>> = table([
  // Key algorithms (SPKI and PKCS#8)
  { oid: '1.2.840.113549.1.1.1', name: 'rsaEncryption', kind: 'key', rfc: 'RFC 8017 Appendix C' },
  { oid: '1.2.840.113549.1.1.10', name: 'RSASSA-PSS', kind: 'key', rfc: 'RFC 4055 §3.1' },
  { oid: '1.2.840.10045.2.1', name: 'id-ecPublicKey', kind: 'key', rfc: 'RFC 5480 §2.1.1' },
  // Keys that have no JWK form
  unsupported('1.2.840.10040.4.1', 'DSA', 'RFC 3279 §2.3.2'),
  unsupported('1.2.840.10046.2.1', 'Diffie-Hellman (X9.42)', 'RFC 3279 §2.3.3'),
  unsupported('1.2.840.113549.1.3.1', 'Diffie-Hellman (PKCS#3)', 'PKCS #3'),
  unsupported('1.2.840.113549.1.1.7', 'RSAES-OAEP', 'RFC 4055 §4.1'),
  unsupported('1.2.643.7.1.1.1.1', 'GOST R 34.10-2012', 'RFC 9215'),
  unsupported('1.2.156.10197.1.301', 'SM2', 'GB/T 32918'),
  unsupported('1.3.36.3.3.2.8.1.1.7', 'brainpoolP256r1', 'RFC 5639'),
  unsupported('1.3.36.3.3.2.8.1.1.11', 'brainpoolP384r1', 'RFC 5639'),
  unsupported('1.3.36.3.3.2.8.1.1.13', 'brainpoolP512r1', 'RFC 5639'),
  unsupported('1.2.840.10045.3.1.1', 'P-192', 'RFC 5480 §2.1.1.1'),
  unsupported('1.3.132.0.33', 'P-224', 'RFC 5480 §2.1.1.1'),
  // Hashes (RFC 4055 §2.1, RFC 5754)
  { oid: '1.3.14.3.2.26', name: 'SHA-1', kind: 'hash', hash: 'SHA-1', rfc: 'RFC 4055 §2.1' },
  { oid: '2.16.840.1.101.3.4.2.4', name: 'SHA-224', kind: 'hash', hash: 'SHA-224', rfc: 'RFC 5754 §2' },
  { oid: '2.16.840.1.101.3.4.2.1', name: 'SHA-256', kind: 'hash', hash: 'SHA-256', rfc: 'RFC 4055 §2.1' },
  { oid: '2.16.840.1.101.3.4.2.2', name: 'SHA-384', kind: 'hash', hash: 'SHA-384', rfc: 'RFC 4055 §2.1' },
  { oid: '2.16.840.1.101.3.4.2.3', name: 'SHA-512', kind: 'hash', hash: 'SHA-512', rfc: 'RFC 4055 §2.1' },
  // Encrypted private keys (RFC 8018) and PSS masks (RFC 8017 §B.2.1)
  { oid: '1.2.840.113549.1.5.13', name: 'PBES2', kind: 'scheme', rfc: 'RFC 8018 Appendix A.4' },
  { oid: '1.2.840.113549.1.5.12', name: 'PBKDF2', kind: 'scheme', rfc: 'RFC 8018 Appendix A.2' },
  { oid: '1.3.6.1.4.1.11591.4.11', name: 'scrypt', kind: 'scheme', rfc: 'RFC 7914 §7' },
  { oid: '1.2.840.113549.1.1.8', name: 'MGF1', kind: 'scheme', rfc: 'RFC 8017 §B.2.1' },
  { oid: '1.2.840.113549.2.7', name: 'hmacWithSHA1', kind: 'prf', hash: 'SHA-1', rfc: 'RFC 8018 §B.1.1' },
  { oid: '1.2.840.113549.2.9', name: 'hmacWithSHA256', kind: 'prf', hash: 'SHA-256', rfc: 'RFC 8018 §B.1.2' },
  {
    oid: '1.2.840.113549.2.10',
    name: 'hmacWithSHA384',
    kind: 'prf',
    hash: 'SHA-384',
    rfc: 'RFC 8018 §B.1.2',
  },
  {
    oid: '1.2.840.113549.2.11',
    name: 'hmacWithSHA512',
    kind: 'prf',
    hash: 'SHA-512',
    rfc: 'RFC 8018 §B.1.2',
  },
  { oid: '2.16.840.1.101.3.4.1.2', name: 'aes128-CBC', kind: 'cipher', keyBytes: 16, rfc: 'RFC 8018 §B.2.5' },
  {
    oid: '2.16.840.1.101.3.4.1.22',
    name: 'aes192-CBC',
    kind: 'cipher',
    keyBytes: 24,
    rfc: 'RFC 8018 §B.2.5',
  },
  {
    oid: '2.16.840.1.101.3.4.1.42',
    name: 'aes256-CBC',
    kind: 'cipher',
    keyBytes: 32,
    rfc: 'RFC 8018 §B.2.5',
  },
  // Certificate signature algorithms (RFC 8017 Appendix C, RFC 5758 §3.2, RFC 8410 §3)
  sig('1.2.840.113549.1.1.5', 'sha1WithRSAEncryption', 'RSASSA-PKCS1-v1_5', 'SHA-1', 'RFC 8017 Appendix C'),
  sig(
    '1.2.840.113549.1.1.14',
    'sha224WithRSAEncryption',
    'RSASSA-PKCS1-v1_5',
    'SHA-224',
    'RFC 8017 Appendix C',
  ),
  sig(
    '1.2.840.113549.1.1.11',
    'sha256WithRSAEncryption',
    'RSASSA-PKCS1-v1_5',
    'SHA-256',
    'RFC 8017 Appendix C',
  ),
  sig(
    '1.2.840.113549.1.1.12',
    'sha384WithRSAEncryption',
    'RSASSA-PKCS1-v1_5',
    'SHA-384',
    'RFC 8017 Appendix C',
  ),
  sig(
    '1.2.840.113549.1.1.13',
    'sha512WithRSAEncryption',
    'RSASSA-PKCS1-v1_5',
    'SHA-512',
    'RFC 8017 Appendix C',
  ),
  sig('1.2.840.10045.4.1', 'ecdsa-with-SHA1', 'ECDSA', 'SHA-1', 'RFC 3279 §2.2.3'),
  sig('1.2.840.10045.4.3.1', 'ecdsa-with-SHA224', 'ECDSA', 'SHA-224', 'RFC 5758 §3.2'),
  sig('1.2.840.10045.4.3.2', 'ecdsa-with-SHA256', 'ECDSA', 'SHA-256', 'RFC 5758 §3.2'),
  sig('1.2.840.10045.4.3.3', 'ecdsa-with-SHA384', 'ECDSA', 'SHA-384', 'RFC 5758 §3.2'),
  sig('1.2.840.10045.4.3.4', 'ecdsa-with-SHA512', 'ECDSA', 'SHA-512', 'RFC 5758 §3.2'),
  // id-RSASSA-PSS is both a key algorithm (above) and a signature algorithm; the key row
  // serves SPKI and the signature reader maps it by `SIGNATURE_ALIASES` below.
  sig('1.3.101.112', 'Ed25519', 'EdDSA', undefined, 'RFC 8410 §3'),
  // ML-DSA (RFC 9881 §2-§3): one OID names the key and the (pure, empty-context) signature.
  sig('2.16.840.1.101.3.4.3.17', 'ML-DSA-44', 'ML-DSA', undefined, 'RFC 9881 §3'),
  sig('2.16.840.1.101.3.4.3.18', 'ML-DSA-65', 'ML-DSA', undefined, 'RFC 9881 §3'),
  sig('2.16.840.1.101.3.4.3.19', 'ML-DSA-87', 'ML-DSA', undefined, 'RFC 9881 §3'),
  sig('1.3.101.113', 'Ed448', 'EdDSA', undefined, 'RFC 8410 §3'),
  // Name attributes (RFC 4514 §3 short names, plus RFC 4519 / PKCS#9 ones it "MAY recognize")
  attr('2.5.4.3', 'CN', 'RFC 4519 §2.3'),
  attr('2.5.4.7', 'L', 'RFC 4519 §2.16'),
  attr('2.5.4.8', 'ST', 'RFC 4519 §2.33'),
  attr('2.5.4.10', 'O', 'RFC 4519 §2.19'),
  attr('2.5.4.11', 'OU', 'RFC 4519 §2.20'),
  attr('2.5.4.6', 'C', 'RFC 4519 §2.2'),
  attr('2.5.4.9', 'STREET', 'RFC 4519 §2.34'),
  attr('0.9.2342.19200300.100.1.25', 'DC', 'RFC 4519 §2.4'),
  attr('0.9.2342.19200300.100.1.1', 'UID', 'RFC 4519 §2.39'),
  attr('2.5.4.4', 'SN', 'RFC 4519 §2.32'),
  attr('2.5.4.5', 'serialNumber', 'RFC 4519 §2.31'),
  attr('2.5.4.12', 'title', 'RFC 4519 §2.38'),
  attr('2.5.4.42', 'GN', 'RFC 4519 §2.12'),
  attr('2.5.4.43', 'initials', 'RFC 4519 §2.14'),
  attr('2.5.4.44', 'generationQualifier', 'RFC 4519 §2.11'),
  attr('2.5.4.46', 'dnQualifier', 'RFC 4519 §2.8'),
  attr('2.5.4.17', 'postalCode', 'RFC 4519 §2.23'),
  attr('2.5.4.15', 'businessCategory', 'RFC 4519 §2.1'),
  attr('2.5.4.65', 'pseudonym', 'RFC 5280 §4.1.2.4'),
  attr('2.5.4.97', 'organizationIdentifier', 'X.520 §6.4.4'),
  attr('1.2.840.113549.1.9.1', 'emailAddress', 'RFC 2985 §5.2.1'),
  // Certificate extensions
  { oid: '2.5.29.19', name: 'basicConstraints', kind: 'extension', rfc: 'RFC 5280 §4.2.1.9' },
  { oid: '2.5.29.15', name: 'keyUsage', kind: 'extension', rfc: 'RFC 5280 §4.2.1.3' },
]);

/** The row for an OID, or `undefined` (own properties only). */
export function oidInfo(oid: string): OIDInfo | undefined {
  return Object.hasOwn(OIDS, oid) ? OIDS[oid] : undefined;
}

/** The row for an OID when it is of `kind`. */
export function oidOfKind<K extends OIDInfo['kind']>(
  oid: string,
  kind: K,
): Extract<OIDInfo, { kind: K }> | undefined {
  const info = oidInfo(oid);
  return info?.kind === kind ? (info as Extract<OIDInfo, { kind: K }>) : undefined;
}

/** The dotted OID of a named row, for writers; throws when the table lacks it (a bug). */
function dotted(name: string): string {
  const row = Object.values(OIDS).find((r) => r.name === name && r.kind !== 'signature');
  if (row === undefined) throw new Error(`no OID named ${name}`);
  return row.oid;
}

/** The OIDs jwkit's code names directly. */
export const OID = Object.freeze({
  rsaEncryption: dotted('rsaEncryption'),
  /** RFC 4055 §3.1: an RSA key restricted to RSASSA-PSS, and the RSASSA-PSS signature algorithm. */
  rsassaPss: dotted('RSASSA-PSS'),
  mgf1: dotted('MGF1'),
  ecPublicKey: dotted('id-ecPublicKey'),
  pbes2: dotted('PBES2'),
  pbkdf2: dotted('PBKDF2'),
  scrypt: dotted('scrypt'),
  basicConstraints: dotted('basicConstraints'),
  keyUsage: dotted('keyUsage'),
});

const CURVE_BY_OID: Readonly<Record<string, CurveInfo>> = Object.freeze(
  Object.assign(Object.create(null), Object.fromEntries(Object.values(CURVES).map((c) => [c.oid, c]))),
);

/** The EC named curve or OKP algorithm an OID stands for, or `undefined`. */
export function curveByOID(oid: string): CurveInfo | undefined {
  return Object.hasOwn(CURVE_BY_OID, oid) ? CURVE_BY_OID[oid] : undefined;
}

/** An OID for error messages: `DSA (1.2.840.10040.4.1)`, or the bare OID when unknown. */
export function describeOID(oid: string): string {
  const name = oidInfo(oid)?.name ?? curveByOID(oid)?.crv;
  return name === undefined ? oid : `${name} (${oid})`;
}
