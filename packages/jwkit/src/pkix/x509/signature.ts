/**
 * Certificate signature algorithms: reading the AlgorithmIdentifier (RFC 5280 §4.1.1.2), the JWS
 * algorithm that checks such a signature with a given key, and the ECDSA signature form JWS
 * backends take. Which OIDs mean what comes from the one OID table (oids.ts).
 */

import { ConversionError } from '../../errors/index.js';
import type { PublicJWK } from '../../jwk/model.js';
import { getCurve } from '../../registry.js';
import { type PSSParams, pssJWSAlgorithm, readAlgorithm, readPSSParams } from '../algorithm.js';
import { type DERNode, decodeDER, Fields, readUnsigned, TAG } from '../asn1.js';
import { toFixed } from '../members.js';
import { type CertificateSignatureFamily, OID, oidOfKind } from '../oids.js';

export interface SignatureAlgorithm {
  /** The signature algorithm OID, e.g. `1.2.840.113549.1.1.11`. */
  readonly oid: string;
  /** Its conventional name, e.g. `sha256WithRSAEncryption`, or the OID when unknown. */
  readonly name: string;
  /** The hash it signs with, when known (`SHA-1`, `SHA-256`, ...). */
  readonly hash?: string;
  readonly family?: CertificateSignatureFamily;
  /** RSASSA-PSS parameters (RFC 4055 §3.1), for `family: 'RSA-PSS'`. */
  readonly pss?: PSSParams;
}

export function readSignatureAlgorithm(node: DERNode, what: string): SignatureAlgorithm {
  const alg = readAlgorithm(node, what);
  if (alg.oid === OID.rsassaPss) {
    if (alg.params === undefined)
      throw new ConversionError(
        'ERR_X509_INVALID',
        'certificate: RSASSA-PSS signature without parameters (RFC 4055 §3.1)',
      );
    const pss = readPSSParams(alg.params, `${what} RSASSA-PSS-params`);
    return { oid: alg.oid, name: 'RSASSA-PSS', hash: pss.hash, family: 'RSA-PSS', pss };
  }
  const known = oidOfKind(alg.oid, 'signature');
  if (known === undefined) return { oid: alg.oid, name: alg.oid };
  return known.hash === undefined
    ? { oid: alg.oid, name: known.name, family: known.family }
    : { oid: alg.oid, name: known.name, hash: known.hash, family: known.family };
}

/** JWS ties each ECDSA hash to one curve (RFC 7518 §3.4, RFC 8812 §3.2). */
const ECDSA_PAIRS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null), {
    'P-256 SHA-256': 'ES256',
    'P-384 SHA-384': 'ES384',
    'P-521 SHA-512': 'ES512',
    'secp256k1 SHA-256': 'ES256K',
  }),
);

/** The JWS algorithm that verifies this signature with this key, or `undefined` when none does. */
export function jwsAlgorithm(sig: SignatureAlgorithm, key: PublicJWK): string | undefined {
  switch (sig.family) {
    case 'RSASSA-PKCS1-v1_5':
      return key.kty === 'RSA' && ['SHA-256', 'SHA-384', 'SHA-512'].includes(sig.hash ?? '')
        ? `RS${sig.hash!.slice(4)}`
        : undefined;
    case 'RSA-PSS':
      return key.kty === 'RSA' && sig.pss ? pssJWSAlgorithm(sig.pss) : undefined;
    case 'ECDSA':
      return key.kty === 'EC' ? ECDSA_PAIRS[`${key.crv} ${sig.hash}`] : undefined;
    case 'EdDSA':
      return key.kty === 'OKP' && key.crv === sig.name ? sig.name : undefined;
    case 'ML-DSA':
      // RFC 9881 §3: the raw FIPS 204 signature, the same octets as the JWS (RFC 9964 §5).
      return key.kty === 'AKP' && key.alg === sig.name ? sig.name : undefined;
    default:
      return undefined;
  }
}

/** Ecdsa-Sig-Value (RFC 5480 §2.2.3) to the r||s form JWS backends take; `undefined` if malformed. */
export function ecdsaSignatureToP1363(signature: Uint8Array, crv: string): Uint8Array | undefined {
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
