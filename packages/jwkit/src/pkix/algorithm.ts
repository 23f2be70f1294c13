/**
 * AlgorithmIdentifier (RFC 5280 §4.1.1.2) and the RSASSA-PSS parameters (RFC 4055 §3.1), shared
 * by key formats (the SPKI / PKCS#8 key algorithm) and certificates (the signature algorithm).
 */

import { ConversionError } from '../errors/index.js';
import {
  contextTag,
  type DERNode,
  derNull,
  Fields,
  oid,
  readNull,
  readOID,
  readSmallInt,
  sequence,
  structureError,
  TAG,
} from './asn1.js';
import { OID, oidOfKind } from './oids.js';

export interface AlgorithmIdentifier {
  readonly oid: string;
  /** The parameters element, when present (absent and NULL are different in DER). */
  readonly params?: DERNode;
}

export function readAlgorithm(node: DERNode, what: string): AlgorithmIdentifier {
  const f = new Fields(node, what);
  const id = readOID(f.next(TAG.OID, 'algorithm'), `${what} algorithm`);
  const params = f.remaining > 0 ? f.any('parameters') : undefined;
  f.end();
  return params === undefined ? { oid: id } : { oid: id, params };
}

/** `SEQUENCE { oid, params }`; `params` defaults to NULL (rsaEncryption, hmacWithSHA256). */
export function writeAlgorithm(dotted: string, params: Uint8Array | null = derNull()): Uint8Array {
  return params === null ? sequence(oid(dotted)) : sequence(oid(dotted), params);
}

/** Asserts that parameters are absent or NULL (both appear in the wild, RFC 4055 §2.1). */
export function paramsAbsentOrNull(alg: AlgorithmIdentifier, what: string): void {
  if (alg.params !== undefined) readNull(alg.params, `${what} parameters`);
}

export interface PSSParams {
  readonly hash: string;
  readonly mgfHash: string;
  readonly saltLength: number;
}

/** The hash named by a hash AlgorithmIdentifier, e.g. `SHA-256`. */
function readHash(node: DERNode, what: string): string {
  const alg = readAlgorithm(node, what);
  paramsAbsentOrNull(alg, what);
  const name = oidOfKind(alg.oid, 'hash')?.hash;
  if (name === undefined) throw structureError(what, `unknown hash algorithm ${alg.oid}`);
  return name;
}

/**
 * RSASSA-PSS-params; every field has a default (SHA-1, MGF1 with SHA-1, salt 20, trailer 1:
 * RFC 4055 §3.1), so an empty SEQUENCE is valid.
 */
export function readPSSParams(node: DERNode, what: string): PSSParams {
  const f = new Fields(node, what);
  let hash = 'SHA-1';
  let mgfHash = 'SHA-1';
  let saltLength = 20;
  const h = f.optional(contextTag(0));
  if (h) hash = readHash(single(h, `${what} hashAlgorithm`), `${what} hashAlgorithm`);
  const m = f.optional(contextTag(1));
  if (m) {
    const mgf = readAlgorithm(single(m, `${what} maskGenAlgorithm`), `${what} maskGenAlgorithm`);
    if (mgf.oid !== OID.mgf1 || mgf.params === undefined) {
      throw structureError(what, `mask generation function ${mgf.oid} is not MGF1 (RFC 8017 §B.2.1)`);
    }
    mgfHash = readHash(mgf.params, `${what} MGF1 hash`);
  }
  const s = f.optional(contextTag(2));
  if (s) saltLength = readSmallInt(single(s, `${what} saltLength`), `${what} saltLength`, 1024);
  const t = f.optional(contextTag(3));
  if (t && readSmallInt(single(t, `${what} trailerField`), `${what} trailerField`) !== 1) {
    throw structureError(what, 'trailerField must be 1 (RFC 4055 §3.1)');
  }
  f.end();
  return { hash, mgfHash, saltLength };
}

/**
 * The JWS algorithm that signs exactly as these parameters say: PS256/384/512 use the same hash
 * for the message and MGF1 and a salt as long as the hash (RFC 7518 §3.5). Anything else has no
 * JWS name.
 */
export function pssJWSAlgorithm(p: PSSParams): string | undefined {
  const bits = { 'SHA-256': 256, 'SHA-384': 384, 'SHA-512': 512 }[p.hash];
  if (bits === undefined || p.mgfHash !== p.hash || p.saltLength !== bits / 8) return undefined;
  return `PS${bits}`;
}

/**
 * The JWS algorithm an RSA-PSS key (id-RSASSA-PSS SPKI or PKCS#8, RFC 4055 §1.2) is restricted
 * to. JWK can carry that restriction only as `alg`, so only the exact PS256/384/512 parameters
 * are mapped (issue 13 point 6); a key whose parameters match no JWS algorithm (SHA-1, salt 20,
 * MGF1 with another hash) or that has none (usable with any PSS parameters) is refused with
 * `ERR_RSA_PSS_PARAMS`: read as a plain RSA JWK it would also verify RS256 (PKCS#1 v1.5), which
 * the key's restriction forbids.
 */
export function pssKeyAlgorithm(params: DERNode | undefined, what: string): string {
  const p = params === undefined ? undefined : readPSSParams(params, `${what} RSASSA-PSS-params`);
  const alg = p === undefined ? undefined : pssJWSAlgorithm(p);
  if (alg !== undefined) return alg;
  throw new ConversionError(
    'ERR_RSA_PSS_PARAMS',
    `${what} is an RSA-PSS key ${
      p === undefined
        ? 'without parameters (usable with any PSS parameters)'
        : `restricted to ${p.hash}, MGF1 with ${p.mgfHash}, salt ${p.saltLength}`
    }, which no JWS algorithm matches; JWK can express only PS256, PS384 and PS512 (hash = MGF1 hash, salt = hash length, RFC 7518 §3.5). Generate the key with e.g. openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_pss_keygen_md:sha256 -pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32, or as a plain RSA key`,
  );
}

/** The only child of an EXPLICIT wrapper. */
function single(node: DERNode, what: string): DERNode {
  if (node.children.length !== 1) throw structureError(what, 'an explicit tag must wrap exactly one element');
  return node.children[0]!;
}
