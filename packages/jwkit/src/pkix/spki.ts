/**
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): the `PUBLIC KEY` PEM and the key inside every
 * certificate. RSA (RFC 3279 §2.3.1), RSA-PSS (RFC 4055 §1.2), EC (RFC 5480), OKP (RFC 8410).
 */

import { encode } from '../encoding/base64url.js';
import { ConversionError, UnsupportedError } from '../errors/index.js';
import type { JWK, PublicJWK } from '../jwk/model.js';
import { paramsAbsentOrNull, pssKeyAlgorithm, readAlgorithm, writeAlgorithm } from './algorithm.js';
import {
  bitString,
  type DERNode,
  decodeDER,
  Fields,
  oid as oidBytes,
  readBitString,
  sequence,
  TAG,
} from './asn1.js';
import { fixedMember, invalidKey } from './members.js';
import { mlDsaAlgForOid } from './ml-dsa.js';
import { readMlDsaPublicKey, writeMlDsaSPKI } from './ml-dsa-keys.js';
import { curveByOID, describeOID, OID } from './oids.js';
import { readRSAPublicKey, writeRSAPublicKey } from './pkcs1.js';
import { ecPoint, ecPublicJWK, jwkCurve, readNamedCurve } from './sec1.js';

export function readSPKI(input: Uint8Array | DERNode, what = 'SubjectPublicKeyInfo'): PublicJWK {
  const node = input instanceof Uint8Array ? decodeDER(input, what) : input;
  const f = new Fields(node, what);
  const alg = readAlgorithm(f.next(TAG.SEQUENCE, 'algorithm'), `${what} algorithm`);
  const key = readBitString(f.next(TAG.BIT_STRING, 'subjectPublicKey'), `${what} subjectPublicKey`);
  f.end();
  return publicKeyFor(alg.oid, alg.params, key, what);
}

/** The public JWK for a key algorithm and its encoded key (shared with PKCS#8 v2 public keys). */
export function publicKeyFor(
  algOID: string,
  params: DERNode | undefined,
  key: Uint8Array,
  what: string,
): PublicJWK {
  if (algOID === OID.rsaEncryption) {
    if (params !== undefined) paramsAbsentOrNull({ oid: algOID, params }, `${what} algorithm`);
    return readRSAPublicKey(key, `${what} RSAPublicKey`);
  }
  if (algOID === OID.rsassaPss) {
    // An RSA-PSS key is an ordinary RSA key restricted to PSS. JWK has no such restriction
    // except `alg`: the key becomes an RSA JWK with the `alg` its parameters name exactly, or
    // is refused (docs/api/convert.md, "RSA-PSS keys"; issue 13 point 6).
    const alg = pssKeyAlgorithm(params, what);
    return { ...readRSAPublicKey(key, `${what} RSAPublicKey`), alg };
  }
  if (algOID === OID.ecPublicKey) {
    return ecPublicJWK(readNamedCurve(params, what), key);
  }
  const curve = curveByOID(algOID);
  if (curve?.kty === 'OKP') {
    // RFC 8410 §3: the parameters MUST be absent.
    if (params !== undefined)
      throw invalidKey(`${what}: ${curve.crv} keys must not have algorithm parameters`);
    if (key.length !== curve.size)
      throw invalidKey(`${what}: an ${curve.crv} public key is ${curve.size} bytes, not ${key.length}`);
    return { kty: 'OKP', crv: curve.crv, x: encode(key) };
  }
  const mlDsa = mlDsaAlgForOid(algOID);
  if (mlDsa !== undefined) return readMlDsaPublicKey(mlDsa, params, key, what);
  throw new UnsupportedError(
    `${what} holds a ${describeOID(algOID)} key; jwkit converts RSA, EC (P-256, P-384, P-521, secp256k1) and OKP (Ed25519, Ed448, X25519, X448) keys`,
  );
}

/** The SPKI of a JWK's public part (private members, if any, are ignored). */
export function writeSPKI(jwk: JWK): Uint8Array {
  switch (jwk.kty) {
    case 'RSA':
      return sequence(writeAlgorithm(OID.rsaEncryption), bitString(writeRSAPublicKey(jwk)));
    case 'EC': {
      const curve = jwkCurve(jwk, 'EC');
      return sequence(writeAlgorithm(OID.ecPublicKey, oidBytes(curve.oid)), bitString(ecPoint(jwk, curve)));
    }
    case 'OKP': {
      const curve = jwkCurve(jwk, 'OKP');
      return sequence(writeAlgorithm(curve.oid, null), bitString(fixedMember(jwk, 'x', curve.size)));
    }
    case 'AKP':
      return writeMlDsaSPKI(jwk);
    default:
      throw noPEMForm(jwk.kty);
  }
}

export function noPEMForm(kty: unknown): Error {
  if (kty === 'oct') {
    return new ConversionError(
      'ERR_OCT_NO_PEM',
      'an oct (symmetric) key has no PEM or DER form (SPKI and PKCS#8 hold asymmetric keys); keep it as a JWK',
    );
  }
  return new UnsupportedError(
    `kty ${JSON.stringify(kty)} has no PEM or DER form; jwkit converts RSA, EC, OKP and AKP (ML-DSA) keys`,
  );
}
