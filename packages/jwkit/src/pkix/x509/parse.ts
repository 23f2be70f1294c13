/**
 * One X.509 certificate (RFC 5280 §4.1), parsed synchronously by jwkit's own DER reader: the
 * fields a JWK needs (`x5c`, RFC 7517 §4.7) and those a chain check needs (names, basic
 * constraints, key usage).
 */

import { equalBytes, toHex } from '../../encoding/bytes.js';
import { ConversionError } from '../../errors/index.js';
import type { PublicJWK } from '../../jwk/model.js';
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
  readTime,
  readUnsigned,
  structureError,
  TAG,
} from '../asn1.js';
import { OID } from '../oids.js';
import { readSPKI } from '../spki.js';
import { formatName } from './names.js';
import { readSignatureAlgorithm, type SignatureAlgorithm } from './signature.js';

export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The DER of the extension value (the contents of `extnValue`). */
  readonly value: Uint8Array;
}

/** KeyUsage bits (RFC 5280 §4.2.1.3), in bit order. */
export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGES)[number];

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
  /** The DER of the subject and issuer Names: chains link by these bytes (names.ts `sameName`). */
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
  /** The basicConstraints pathLenConstraint, when present. */
  readonly pathLength?: number;
  /** The keyUsage bits that are set; `undefined` when the extension is absent (any use). */
  readonly keyUsage?: readonly KeyUsageName[];
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
  let info: CertificateInfo = {
    der: root.bytes,
    version,
    serialNumber: toHex(serial[0] === 0 && serial.length > 1 ? serial.subarray(1) : serial).toUpperCase(),
    subject: formatName(subject, `${WHAT} Name`),
    issuer: formatName(issuer, `${WHAT} Name`),
    subjectDER: subject.bytes,
    issuerDER: issuer.bytes,
    notBefore,
    notAfter,
    publicKey: readSPKI(spki, `${WHAT} subjectPublicKeyInfo`),
    spki: spki.bytes,
    tbs: tbsNode.bytes,
    signatureAlgorithm: readSignatureAlgorithm(outerAlg, `${WHAT} signatureAlgorithm`),
    signature,
    extensions,
  };
  const basic = extensions.find((e) => e.oid === OID.basicConstraints);
  if (basic) info = { ...info, ...readBasicConstraints(basic.value) };
  const usage = extensions.find((e) => e.oid === OID.keyUsage);
  if (usage) info = { ...info, keyUsage: readKeyUsage(usage.value) };
  return info;
}

function only(node: DERNode, field: string): DERNode {
  if (node.children.length !== 1)
    throw structureError(`${WHAT} ${field}`, 'an explicit tag must wrap exactly one element');
  return node.children[0]!;
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
function readBasicConstraints(value: Uint8Array): { isCA: boolean; pathLength?: number } {
  const what = `${WHAT} basicConstraints`;
  const f = new Fields(decodeDER(value, what), what);
  const ca = f.optional(TAG.BOOLEAN);
  const pathLen = f.optional(TAG.INTEGER);
  f.end();
  const isCA = ca ? readBoolean(ca, `${what} cA`) : false;
  if (pathLen === undefined) return { isCA };
  readUnsigned(pathLen, `${what} pathLenConstraint`);
  return { isCA, pathLength: readSmallInt(pathLen, `${what} pathLenConstraint`) };
}

/** KeyUsage ::= BIT STRING (RFC 5280 §4.2.1.3); bit 0 is the most significant bit of the first octet. */
function readKeyUsage(value: Uint8Array): KeyUsageName[] {
  const what = `${WHAT} keyUsage`;
  const node = decodeDER(value, what);
  if (node.tag !== TAG.BIT_STRING || node.value.length < 1)
    throw structureError(what, 'keyUsage must be a BIT STRING');
  const unused = node.value[0]!;
  if (unused > 7) throw structureError(what, 'a BIT STRING has at most 7 unused bits');
  const bits = node.value.subarray(1);
  const set: KeyUsageName[] = [];
  KEY_USAGES.forEach((name, i) => {
    const byte = bits[i >> 3];
    if (byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0) set.push(name);
  });
  return set;
}
