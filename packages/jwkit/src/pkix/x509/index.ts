/**
 * X.509 certificates (RFC 5280) as far as JWKs need them: the fields of one certificate
 * (`parseCertificate`, synchronous), a chain to a JWK with `x5c`, `x5t` and `x5t#S256`
 * (RFC 7517 §4.7-4.9), and an optional check that each certificate of a chain is signed by the
 * next, through the crypto backend (no hand-written cryptography).
 */

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { getBackend } from '../crypto/active.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { ConversionError, JWKitError, UnsupportedError } from '../errors.js';
import { getCurve } from '../registry.js';
import {
  checkInteger,
  contextTag,
  type DERNode,
  decodeDER,
  Fields,
  readBitString,
  readBoolean,
  readOctetString,
  readOID,
  readSmallInt,
  readString,
  readTime,
  readUnsigned,
  structureError,
  TAG,
} from './asn1.js';
import { decodeStd, encode, encodeStd } from './base64url.js';
import type { PublicJWK } from './model.js';
import { type PSSParams, pssJWSAlgorithm, readAlgorithm, readPSSParams } from './pem/algorithm.js';
import { equalBytes, toFixed } from './pem/members.js';
import { readSPKI } from './pem/spki.js';
import { decodePEM } from './pem.js';

export interface SignatureAlgorithm {
  /** The signature algorithm OID, e.g. `1.2.840.113549.1.1.11`. */
  readonly oid: string;
  /** Its conventional name, e.g. `sha256WithRSAEncryption`, or the OID when unknown. */
  readonly name: string;
  /** The hash it signs with, when known (`SHA-1`, `SHA-256`, ...). */
  readonly hash?: string;
  readonly family?: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'ECDSA' | 'EdDSA';
  /** RSASSA-PSS parameters (RFC 4055 §3.1), for `family: 'RSA-PSS'`. */
  readonly pss?: PSSParams;
}

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The DER of the extension value (the contents of `extnValue`). */
  readonly value: Uint8Array;
}

export interface CertificateInfo {
  /** The whole certificate's DER (what `x5c` carries and `x5t` hashes). */
  readonly der: Uint8Array;
  /** 1, 2 or 3. */
  readonly version: number;
  /** Upper-case hex without separators, as `openssl x509 -serial` prints it. */
  readonly serialNumber: string;
  /** RFC 4514 string, e.g. `CN=Brian Campbell,O=Ping Identity Corp.,L=Denver,ST=CO,C=US`. */
  readonly subject: string;
  readonly issuer: string;
  /** The DER of the subject and issuer Names, for exact chain linking (RFC 5280 §7.1). */
  readonly subjectDER: Uint8Array;
  readonly issuerDER: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The subject public key as a public JWK (no `kid`, `use` or `alg`, except RSA-PSS keys). */
  readonly publicKey: PublicJWK;
  /** The DER of the SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The DER of the TBSCertificate: the signed bytes. */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** The signature bits (for ECDSA the DER `Ecdsa-Sig-Value`, as in the certificate). */
  readonly signature: Uint8Array;
  readonly extensions: readonly CertificateExtension[];
  /** The basicConstraints cA flag; `undefined` when the extension is absent. */
  readonly isCA?: boolean;
}

const WHAT = 'certificate';

function invalidCert(message: string): ConversionError {
  return new ConversionError('ERR_X509_INVALID', `${WHAT}: ${message}`);
}

/**
 * Parses one DER certificate (RFC 5280 §4.1). Synchronous. Throws `ConversionError`
 * (`ERR_DER_*`, `ERR_X509_INVALID`, `ERR_KEY_INVALID`) for input that is not a well-formed
 * certificate, and `UnsupportedError` when its key is of a type JWK cannot hold (DSA, brainpool).
 */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  // A private copy: the result must not change when the caller reuses its buffer.
  const root = decodeDER(der instanceof Uint8Array ? der.slice() : der, WHAT);
  const f = new Fields(root, WHAT);
  const tbsNode = f.next(TAG.SEQUENCE, 'tbsCertificate');
  const outerAlg = f.next(TAG.SEQUENCE, 'signatureAlgorithm');
  const signature = readBitString(f.next(TAG.BIT_STRING, 'signatureValue'), `${WHAT} signatureValue`);
  f.end();

  const t = new Fields(tbsNode, `${WHAT} tbsCertificate`);
  const versionNode = t.optional(contextTag(0));
  const version =
    versionNode === undefined ? 1 : readSmallInt(only(versionNode, 'version'), `${WHAT} version`, 2) + 1;
  const serial = checkInteger(t.next(TAG.INTEGER, 'serialNumber'), `${WHAT} serialNumber`);
  const innerAlg = t.next(TAG.SEQUENCE, 'signature');
  const issuer = t.next(TAG.SEQUENCE, 'issuer');
  const validity = new Fields(t.next(TAG.SEQUENCE, 'validity'), `${WHAT} validity`);
  const notBefore = readTime(validity.any('notBefore'), `${WHAT} notBefore`);
  const notAfter = readTime(validity.any('notAfter'), `${WHAT} notAfter`);
  validity.end();
  const subject = t.next(TAG.SEQUENCE, 'subject');
  const spki = t.next(TAG.SEQUENCE, 'subjectPublicKeyInfo');
  // issuerUniqueID [1] and subjectUniqueID [2] are IMPLICIT BIT STRINGs (v2 and v3 only).
  if (t.optional(contextTag(1, false)) && version < 2)
    throw invalidCert('issuerUniqueID in a version 1 certificate');
  if (t.optional(contextTag(2, false)) && version < 2)
    throw invalidCert('subjectUniqueID in a version 1 certificate');
  const extNode = t.optional(contextTag(3));
  t.end();
  if (extNode && version !== 3) throw invalidCert('extensions in a certificate that is not version 3');

  // RFC 5280 §4.1.1.2: the signature field inside TBS MUST equal signatureAlgorithm; otherwise
  // a verifier and a reader could disagree on what the signature means.
  if (!equalBytes(innerAlg.bytes, outerAlg.bytes)) {
    throw invalidCert(
      'the signature algorithm inside tbsCertificate differs from the outer one (RFC 5280 §4.1.1.2)',
    );
  }
  const extensions = extNode ? readExtensions(only(extNode, 'extensions')) : [];
  const basic = extensions.find((e) => e.oid === '2.5.29.19');
  const info: CertificateInfo = {
    der: root.bytes,
    version,
    serialNumber: hex(serial[0] === 0 && serial.length > 1 ? serial.subarray(1) : serial),
    subject: formatName(subject),
    issuer: formatName(issuer),
    subjectDER: subject.bytes,
    issuerDER: issuer.bytes,
    notBefore,
    notAfter,
    publicKey: readSPKI(spki, `${WHAT} subjectPublicKeyInfo`),
    spki: spki.bytes,
    tbs: tbsNode.bytes,
    signatureAlgorithm: readSignatureAlgorithm(outerAlg),
    signature,
    extensions,
  };
  return basic ? { ...info, isCA: readBasicConstraintsCA(basic.value) } : info;
}

function only(node: DERNode, field: string): DERNode {
  if (node.children.length !== 1)
    throw structureError(`${WHAT} ${field}`, 'an explicit tag must wrap exactly one element');
  return node.children[0]!;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s.toUpperCase();
}

function readExtensions(node: DERNode): CertificateExtension[] {
  const what = `${WHAT} extensions`;
  if (node.tag !== TAG.SEQUENCE || node.children.length === 0)
    throw invalidCert('extensions must be a non-empty SEQUENCE');
  const seen = new Set<string>();
  return node.children.map((ext) => {
    const f = new Fields(ext, what);
    const id = readOID(f.next(TAG.OID, 'extnID'), `${what} extnID`);
    const criticalNode = f.optional(TAG.BOOLEAN);
    const critical = criticalNode ? readBoolean(criticalNode, `${what} critical`) : false;
    const value = readOctetString(f.next(TAG.OCTET_STRING, 'extnValue'), `${what} extnValue`);
    f.end();
    // RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a particular extension."
    if (seen.has(id)) throw invalidCert(`extension ${id} appears twice (RFC 5280 §4.2)`);
    seen.add(id);
    return { oid: id, critical, value };
  });
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
function readBasicConstraintsCA(value: Uint8Array): boolean {
  const what = `${WHAT} basicConstraints`;
  const f = new Fields(decodeDER(value, what), what);
  const ca = f.optional(TAG.BOOLEAN);
  const pathLen = f.optional(TAG.INTEGER);
  f.end();
  if (pathLen) readUnsigned(pathLen, `${what} pathLenConstraint`);
  return ca ? readBoolean(ca, `${what} cA`) : false;
}

// ---------------------------------------------------------------------------------------------
// Names (RFC 4514)

/** RFC 4514 §3 short names, plus common RFC 4519 / PKCS#9 ones ("MAY recognize other names"). */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null), {
    '2.5.4.3': 'CN',
    '2.5.4.7': 'L',
    '2.5.4.8': 'ST',
    '2.5.4.10': 'O',
    '2.5.4.11': 'OU',
    '2.5.4.6': 'C',
    '2.5.4.9': 'STREET',
    '0.9.2342.19200300.100.1.25': 'DC',
    '0.9.2342.19200300.100.1.1': 'UID',
    '2.5.4.4': 'SN',
    '2.5.4.5': 'serialNumber',
    '2.5.4.12': 'title',
    '2.5.4.42': 'GN',
    '2.5.4.43': 'initials',
    '2.5.4.44': 'generationQualifier',
    '2.5.4.46': 'dnQualifier',
    '2.5.4.17': 'postalCode',
    '2.5.4.15': 'businessCategory',
    '2.5.4.65': 'pseudonym',
    '2.5.4.97': 'organizationIdentifier',
    '1.2.840.113549.1.9.1': 'emailAddress',
  }),
);

/**
 * A Name as an RFC 4514 string: RDNs last-to-first, joined by `,`; multi-valued RDNs joined by
 * `+`, also last-to-first (RFC 4514 §2.2 allows any order; this one matches
 * `openssl -nameopt RFC2253`); values escaped per RFC 4514 §2.4; unknown types as dotted OIDs
 * with `#`-hex values.
 */
function formatName(name: DERNode): string {
  const what = `${WHAT} Name`;
  if (name.tag !== TAG.SEQUENCE) throw structureError(what, 'a Name must be a SEQUENCE');
  const rdns = name.children.map((rdn) => {
    if (rdn.tag !== TAG.SET || rdn.children.length === 0) {
      throw structureError(what, 'each RelativeDistinguishedName must be a non-empty SET');
    }
    return rdn.children
      .map((atv) => {
        const f = new Fields(atv, `${what} attribute`);
        const type = readOID(f.next(TAG.OID, 'type'), `${what} attribute type`);
        const valueNode = f.any('value');
        f.end();
        const short = Object.hasOwn(ATTRIBUTE_NAMES, type) ? ATTRIBUTE_NAMES[type] : undefined;
        const text = short === undefined ? undefined : readString(valueNode, `${what} ${short}`);
        // RFC 4514 §2.4: a dotted type, or a value that is not a string, is written as #hex BER.
        return text === undefined
          ? `${short ?? type}=#${hex(valueNode.bytes).toLowerCase()}`
          : `${short}=${escapeValue(text)}`;
      })
      .reverse()
      .join('+');
  });
  return rdns.reverse().join(',');
}

function escapeValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\0') out += '\\00';
    else if ('",+;<>\\'.includes(c)) out += `\\${c}`;
    else if ((i === 0 && (c === ' ' || c === '#')) || (i === v.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Signature algorithms

const SIGNATURE_ALGORITHMS: Readonly<
  Record<string, { name: string; hash?: string; family: NonNullable<SignatureAlgorithm['family']> }>
> = Object.freeze(
  Object.assign(Object.create(null), {
    '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'SHA-1', family: 'RSASSA-PKCS1-v1_5' },
    '1.2.840.113549.1.1.14': {
      name: 'sha224WithRSAEncryption',
      hash: 'SHA-224',
      family: 'RSASSA-PKCS1-v1_5',
    },
    '1.2.840.113549.1.1.11': {
      name: 'sha256WithRSAEncryption',
      hash: 'SHA-256',
      family: 'RSASSA-PKCS1-v1_5',
    },
    '1.2.840.113549.1.1.12': {
      name: 'sha384WithRSAEncryption',
      hash: 'SHA-384',
      family: 'RSASSA-PKCS1-v1_5',
    },
    '1.2.840.113549.1.1.13': {
      name: 'sha512WithRSAEncryption',
      hash: 'SHA-512',
      family: 'RSASSA-PKCS1-v1_5',
    },
    '1.2.840.113549.1.1.10': { name: 'RSASSA-PSS', family: 'RSA-PSS' },
    '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'SHA-1', family: 'ECDSA' },
    '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'SHA-224', family: 'ECDSA' },
    '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'SHA-256', family: 'ECDSA' },
    '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'SHA-384', family: 'ECDSA' },
    '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'SHA-512', family: 'ECDSA' },
    '1.3.101.112': { name: 'Ed25519', family: 'EdDSA' },
    '1.3.101.113': { name: 'Ed448', family: 'EdDSA' },
  }),
);

function readSignatureAlgorithm(node: DERNode): SignatureAlgorithm {
  const what = `${WHAT} signatureAlgorithm`;
  const alg = readAlgorithm(node, what);
  const known = Object.hasOwn(SIGNATURE_ALGORITHMS, alg.oid) ? SIGNATURE_ALGORITHMS[alg.oid] : undefined;
  if (known === undefined) return { oid: alg.oid, name: alg.oid };
  if (known.family === 'RSA-PSS') {
    if (alg.params === undefined)
      throw invalidCert('RSASSA-PSS signature without parameters (RFC 4055 §3.1)');
    const pss = readPSSParams(alg.params, `${what} RSASSA-PSS-params`);
    return { oid: alg.oid, name: known.name, hash: pss.hash, family: known.family, pss };
  }
  return { oid: alg.oid, ...known };
}

/** The JWS algorithm that verifies this signature with this key, or `undefined` when none does. */
function jwsAlgorithm(sig: SignatureAlgorithm, key: PublicJWK): string | undefined {
  switch (sig.family) {
    case 'RSASSA-PKCS1-v1_5':
      return key.kty === 'RSA' && ['SHA-256', 'SHA-384', 'SHA-512'].includes(sig.hash ?? '')
        ? `RS${sig.hash!.slice(4)}`
        : undefined;
    case 'RSA-PSS':
      return key.kty === 'RSA' && sig.pss ? pssJWSAlgorithm(sig.pss) : undefined;
    case 'ECDSA': {
      if (key.kty !== 'EC') return undefined;
      // JWS ties each ECDSA hash to one curve (RFC 7518 §3.4, RFC 8812 §3.2).
      const pairs: Record<string, string> = {
        'P-256 SHA-256': 'ES256',
        'P-384 SHA-384': 'ES384',
        'P-521 SHA-512': 'ES512',
        'secp256k1 SHA-256': 'ES256K',
      };
      return pairs[`${key.crv} ${sig.hash}`];
    }
    case 'EdDSA':
      return key.kty === 'OKP' && key.crv === sig.name ? sig.name : undefined;
    default:
      return undefined;
  }
}

/** Ecdsa-Sig-Value (RFC 5480 §2.2.3) to the r||s form JWS backends take; `undefined` if malformed. */
function ecdsaSignatureToP1363(signature: Uint8Array, crv: string): Uint8Array | undefined {
  const size = getCurve(crv)?.size;
  if (size === undefined) return undefined;
  try {
    const f = new Fields(decodeDER(signature, 'ECDSA signature'), 'ECDSA signature');
    const r = toFixed(readUnsigned(f.next(TAG.INTEGER, 'r'), 'ECDSA r'), size, 'ECDSA r');
    const s = toFixed(readUnsigned(f.next(TAG.INTEGER, 's'), 'ECDSA s'), size, 'ECDSA s');
    f.end();
    const out = new Uint8Array(2 * size);
    out.set(r, 0);
    out.set(s, size);
    return out;
  } catch {
    return undefined;
  }
}

export interface CertificateVerifyOptions {
  /** The crypto backend to verify with. Default: the active backend (`getBackend()`). */
  backend?: CryptoBackend;
}

/**
 * Whether `issuer`'s key signed `cert`. Returns false for a wrong or malformed signature; throws
 * `UnsupportedError` when no JWS algorithm matches the signature algorithm and key (SHA-1 and
 * SHA-224 signatures, ECDSA with a hash other than its curve's JWS pairing, DSA).
 */
export async function verifyCertificateSignature(
  cert: CertificateInfo,
  issuer: CertificateInfo,
  options: CertificateVerifyOptions = {},
): Promise<boolean> {
  const alg = jwsAlgorithm(cert.signatureAlgorithm, issuer.publicKey);
  if (alg === undefined) {
    throw new UnsupportedError(
      `cannot verify "${cert.subject}": signature algorithm ${cert.signatureAlgorithm.name} with a ${describeKey(issuer.publicKey)} issuer key has no JWS equivalent`,
    );
  }
  let signature: Uint8Array | undefined = cert.signature;
  if (cert.signatureAlgorithm.family === 'ECDSA' && issuer.publicKey.kty === 'EC') {
    signature = ecdsaSignatureToP1363(cert.signature, issuer.publicKey.crv);
    if (signature === undefined) return false;
  }
  const backend = options.backend ?? getBackend();
  const handle = await backend.importKey(issuer.publicKey, alg, 'verify');
  return backend.verify(handle, cert.tbs, signature);
}

function describeKey(key: PublicJWK): string {
  return key.kty === 'RSA' ? 'RSA' : `${key.kty} ${key.crv}`;
}

function sameName(
  a: CertificateInfo['subjectDER'],
  b: CertificateInfo['issuerDER'],
  sa: string,
  sb: string,
): boolean {
  // RFC 5280 §7.1 compares names after normalisation; byte equality is the common case and an
  // ASCII-case-insensitive comparison of the RFC 4514 forms covers the usual differences.
  return equalBytes(a, b) || sa.toLowerCase() === sb.toLowerCase();
}

/**
 * Checks a chain leaf first: each certificate's issuer is the next one's subject (RFC 7517 §4.7:
 * "each following certificate MUST directly certify the one preceding it") and, with
 * `signatures`, each signature verifies with the next certificate's key. The last certificate
 * is not checked against a trust anchor: trust decisions belong to the caller.
 * Throws `ConversionError` `ERR_X509_CHAIN` or `ERR_X509_SIGNATURE`, or `UnsupportedError`.
 */
export async function verifyCertificateChain(
  chain: readonly CertificateInfo[],
  options: CertificateVerifyOptions & { signatures?: boolean } = {},
): Promise<void> {
  for (let i = 0; i + 1 < chain.length; i++) {
    const cert = chain[i]!;
    const next = chain[i + 1]!;
    if (!sameName(cert.issuerDER, next.subjectDER, cert.issuer, next.subject)) {
      throw new ConversionError(
        'ERR_X509_CHAIN',
        `certificate ${i} is issued by "${cert.issuer}" but certificate ${i + 1} is "${next.subject}"; order the chain leaf first, each followed by its issuer (RFC 7517 §4.7)`,
      );
    }
    if (options.signatures !== false && !(await verifyCertificateSignature(cert, next, options))) {
      throw new ConversionError(
        'ERR_X509_SIGNATURE',
        `the signature of certificate ${i} ("${cert.subject}") does not verify with the key of certificate ${i + 1}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates to JWK

/** `x5t` (SHA-1) and `x5t#S256` (SHA-256) of a DER certificate, base64url (RFC 7517 §4.8-4.9). */
export function certificateThumbprints(der: Uint8Array): { x5t: string; 'x5t#S256': string } {
  return { x5t: encode(sha1(der)), 'x5t#S256': encode(sha256(der)) };
}

/** One certificate, or a chain: PEM text (one or more CERTIFICATE blocks), DER, or x5c strings. */
export type CertificateInput = string | Uint8Array | readonly (string | Uint8Array)[];

export interface CertificateToJWKOptions extends CertificateVerifyOptions {
  /** Also verify each certificate's signature with the next one's key. Default `false`. */
  verifyChain?: boolean;
}

export type CertificateJWK = PublicJWK & { x5c: string[]; x5t: string; 'x5t#S256': string };

/**
 * The leaf certificate's public key as a JWK with `x5c` (standard base64 DER, leaf first),
 * `x5t` and `x5t#S256`. The chain's order is always checked (RFC 7517 §4.7); its signatures with
 * `verifyChain: true`.
 */
export async function certificateToJWK(
  input: CertificateInput,
  options: CertificateToJWKOptions = {},
): Promise<CertificateJWK> {
  const ders = certificateDERs(input);
  if (ders.length === 0) throw new ConversionError('ERR_X509_INVALID', 'no certificate given');
  const chain = ders.map((der, i) => withIndex(i, () => parseCertificate(der)));
  await verifyCertificateChain(chain, { ...options, signatures: options.verifyChain === true });
  const leaf = chain[0]!;
  return {
    ...leaf.publicKey,
    x5c: chain.map((c) => encodeStd(c.der)),
    ...certificateThumbprints(leaf.der),
  };
}

function withIndex<T>(i: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (i === 0 || !(e instanceof JWKitError)) throw e;
    const message = `certificate ${i} of the chain: ${e.message}`;
    throw e instanceof UnsupportedError
      ? new UnsupportedError(message, { cause: e })
      : new ConversionError(e.code, message, { cause: e });
  }
}

function certificateDERs(input: CertificateInput): Uint8Array[] {
  if (input instanceof Uint8Array) return [input];
  if (typeof input === 'string') return stringDERs(input);
  if (Array.isArray(input))
    return input.flatMap((item) => (item instanceof Uint8Array ? [item] : stringDERs(item)));
  throw new ConversionError(
    'ERR_X509_INVALID',
    'certificate input must be PEM text, DER bytes or an array of them',
  );
}

/** PEM text, or one standard-base64 DER certificate as found in `x5c`. */
function stringDERs(text: unknown): Uint8Array[] {
  if (typeof text !== 'string')
    throw new ConversionError(
      'ERR_X509_INVALID',
      'certificate input must be PEM text, DER bytes or an array of them',
    );
  if (text.includes('-----BEGIN')) {
    return decodePEM(text).map((block) => {
      if (block.label !== 'CERTIFICATE') {
        throw new ConversionError(
          'ERR_PEM_UNEXPECTED_LABEL',
          `PEM block "${block.label}" at line ${block.line} is not a CERTIFICATE; pass certificates only (or use pemToJWKs for mixed files)`,
        );
      }
      return block.der;
    });
  }
  try {
    return [decodeStd(text.trim())];
  } catch {
    throw new ConversionError(
      'ERR_X509_INVALID',
      'a certificate string must be PEM or standard base64 DER (as in x5c, RFC 7517 §4.7), not base64url',
    );
  }
}
