/**
 * PKCS#8 `PrivateKeyInfo` / RFC 5958 `OneAsymmetricKey`: the `PRIVATE KEY` PEM, for RSA
 * (RFC 8017), RSA-PSS (RFC 4055), EC (RFC 5915 §2) and OKP (RFC 8410 §7) keys.
 */

import { encode } from '../encoding/base64url.js';
import { equalBytes } from '../encoding/bytes.js';
import { UnsupportedError } from '../errors/index.js';
import type { JWK, PrivateJWK, PublicJWK } from '../jwk/model.js';
import type { CurveInfo } from '../registry.js';
import {
  type AlgorithmIdentifier,
  paramsAbsentOrNull,
  pssKeyAlgorithm,
  readAlgorithm,
  writeAlgorithm,
} from './algorithm.js';
import {
  contextTag,
  type DERNode,
  decodeDER,
  Fields,
  octetString,
  oid,
  readOctetString,
  readSmallInt,
  sequence,
  smallInteger,
  structureError,
  TAG,
} from './asn1.js';
import { okpPublicFromPrivate } from './curves.js';
import { fixedMember, invalidKey } from './members.js';
import { mlDsaAlgForOid } from './ml-dsa.js';
import { readMlDsaPrivateKey, writeMlDsaPKCS8 } from './ml-dsa-keys.js';
import { curveByOID, describeOID, OID } from './oids.js';
import { readRSAPrivateKey, writeRSAPrivateKey } from './pkcs1.js';
import { jwkCurve, readECPrivateKey, readNamedCurve, writeECPrivateKey } from './sec1.js';
import { noPEMForm, publicKeyFor } from './spki.js';

/** `[1] IMPLICIT BIT STRING` publicKey of OneAsymmetricKey v2 (RFC 5958 §2). */
const PUBLIC_KEY_TAG = contextTag(1, false);

export function readPKCS8(der: Uint8Array, what = 'PrivateKeyInfo'): PrivateJWK {
  const f = new Fields(decodeDER(der, what), what);
  const version = readSmallInt(f.next(TAG.INTEGER, 'version'), `${what} version`);
  if (version > 1) throw invalidKey(`${what} has version ${version}; RFC 5958 defines 0 and 1`);
  const alg = readAlgorithm(f.next(TAG.SEQUENCE, 'privateKeyAlgorithm'), `${what} privateKeyAlgorithm`);
  const privateKey = readOctetString(f.next(TAG.OCTET_STRING, 'privateKey'), `${what} privateKey`);
  f.optional(contextTag(0)); // attributes: nothing in them matters to a JWK
  const publicKey = version === 1 ? f.optional(PUBLIC_KEY_TAG) : undefined;
  f.end();
  const jwk = privateKeyFor(alg, privateKey, what);
  if (publicKey !== undefined) checkPublic(jwk, alg, publicKey, what);
  return jwk;
}

function privateKeyFor(alg: AlgorithmIdentifier, privateKey: Uint8Array, what: string): PrivateJWK {
  if (alg.oid === OID.rsaEncryption) {
    paramsAbsentOrNull(alg, `${what} privateKeyAlgorithm`);
    return readRSAPrivateKey(privateKey, `${what} RSAPrivateKey`);
  }
  if (alg.oid === OID.rsassaPss) {
    // Same treatment as an RSA-PSS SPKI (see spki.ts): exact PS256/384/512 parameters or refused.
    const pss = pssKeyAlgorithm(alg.params, what);
    return { ...readRSAPrivateKey(privateKey, `${what} RSAPrivateKey`), alg: pss };
  }
  if (alg.oid === OID.ecPublicKey) {
    return readECPrivateKey(privateKey, `${what} ECPrivateKey`, readNamedCurve(alg.params, what));
  }
  const curve = curveByOID(alg.oid);
  if (curve?.kty === 'OKP') {
    if (alg.params !== undefined)
      throw invalidKey(`${what}: ${curve.crv} keys must not have algorithm parameters`);
    return readOKPPrivateKey(curve, privateKey, what);
  }
  const mlDsa = mlDsaAlgForOid(alg.oid);
  if (mlDsa !== undefined) return readMlDsaPrivateKey(mlDsa, alg.params, privateKey, what);
  throw new UnsupportedError(
    `${what} holds a ${describeOID(alg.oid)} key; jwkit converts RSA, EC (P-256, P-384, P-521, secp256k1) and OKP (Ed25519, Ed448, X25519, X448) keys`,
  );
}

/** RFC 8410 §7: the privateKey OCTET STRING holds `CurvePrivateKey ::= OCTET STRING`. */
function readOKPPrivateKey(curve: CurveInfo, privateKey: Uint8Array, what: string): PrivateJWK {
  const d = readOctetString(decodeDER(privateKey, `${what} CurvePrivateKey`), `${what} CurvePrivateKey`);
  if (d.length !== curve.privateSize) {
    throw invalidKey(`${what}: an ${curve.crv} private key is ${curve.privateSize} bytes, not ${d.length}`);
  }
  return { kty: 'OKP', crv: curve.crv, x: encode(okpPublicFromPrivate(curve, d)), d: encode(d) };
}

/** A v2 file's public key must be the one the private key implies. */
function checkPublic(jwk: PrivateJWK, alg: AlgorithmIdentifier, node: DERNode, what: string): void {
  const bits = node.value;
  if (bits[0] !== 0) throw structureError(what, 'publicKey must be whole octets');
  const given: PublicJWK = publicKeyFor(alg.oid, alg.params, bits.subarray(1), `${what} publicKey`);
  const members =
    jwk.kty === 'RSA' ? ['n', 'e'] : jwk.kty === 'EC' ? ['x', 'y'] : jwk.kty === 'AKP' ? ['pub'] : ['x'];
  for (const m of members) {
    if ((given as Record<string, unknown>)[m] !== (jwk as Record<string, unknown>)[m]) {
      throw invalidKey(`${what}: the publicKey does not belong to the private key`);
    }
  }
}

/** PKCS#8 v1 (version 0, no public key), the form openssl writes. */
export function writePKCS8(jwk: JWK): Uint8Array {
  switch (jwk.kty) {
    case 'RSA':
      return pkcs8(writeAlgorithm(OID.rsaEncryption), writeRSAPrivateKey(jwk));
    case 'EC': {
      const curve = jwkCurve(jwk, 'EC');
      return pkcs8(writeAlgorithm(OID.ecPublicKey, oid(curve.oid)), writeECPrivateKey(jwk, false));
    }
    case 'OKP': {
      const curve = jwkCurve(jwk, 'OKP');
      const d = fixedMember(jwk, 'd', curve.privateSize);
      if (!equalBytes(fixedMember(jwk, 'x', curve.size), okpPublicFromPrivate(curve, d))) {
        throw invalidKey(`the ${curve.crv} JWK's "d" does not match its "x"`);
      }
      return pkcs8(writeAlgorithm(curve.oid, null), octetString(d));
    }
    case 'AKP':
      return writeMlDsaPKCS8(jwk);
    default:
      throw noPEMForm(jwk.kty);
  }
}

function pkcs8(algorithm: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return sequence(smallInteger(0), algorithm, octetString(privateKey));
}
