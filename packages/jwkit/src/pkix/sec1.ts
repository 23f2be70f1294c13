/**
 * EC keys: the SPKI point (RFC 5480 §2.2) and SEC1 `ECPrivateKey` (RFC 5915 §3), to and from
 * JWK members (RFC 7518 §6.2).
 */

import { encode } from '../encoding/base64url.js';
import { equalBytes } from '../encoding/bytes.js';
import { UnsupportedError } from '../errors/index.js';
import type { ECPrivateJWK, ECPublicJWK } from '../jwk/model.js';
import type { CurveInfo } from '../registry.js';
import { getCurve } from '../registry.js';
import {
  bitString,
  contextTag,
  type DERNode,
  decodeDER,
  explicit,
  Fields,
  octetString,
  oid,
  readBitString,
  readOctetString,
  readOID,
  readSmallInt,
  sequence,
  smallInteger,
  structureError,
  TAG,
} from './asn1.js';
import { decodePoint, ecPublicFromPrivate, encodePoint } from './curves.js';
import { fixedMember, invalidKey, toFixed } from './members.js';
import { curveByOID, describeOID } from './oids.js';

/** The curve of EC domain parameters, which must be a named curve (RFC 5480 §2.1.1). */
export function readNamedCurve(params: DERNode | undefined, what: string): CurveInfo {
  if (params === undefined)
    throw structureError(what, 'EC parameters are missing (a named curve OID is required)');
  if (params.tag !== TAG.OID) {
    // RFC 5480 §2.1.1: implicitCurve and specifiedCurve MUST NOT be used in PKIX.
    throw new UnsupportedError(
      `${what} uses explicit or implicit EC parameters; re-export the key with a named curve (openssl ec -param_enc named_curve)`,
    );
  }
  const id = readOID(params, `${what} namedCurve`);
  const curve = curveByOID(id);
  if (curve === undefined || curve.kty !== 'EC') {
    throw new UnsupportedError(
      `${what} uses curve ${describeOID(id)}; JOSE defines P-256, P-384, P-521 and secp256k1 (RFC 7518 §6.2.1.1, RFC 8812)`,
    );
  }
  return curve;
}

export function ecPublicJWK(curve: CurveInfo, point: Uint8Array): ECPublicJWK {
  const { x, y } = decodePoint(curve, point);
  return { kty: 'EC', crv: curve.crv, x: encode(x), y: encode(y) };
}

/**
 * SEC1 ECPrivateKey. `outer` is the curve named by an enclosing PKCS#8 AlgorithmIdentifier; a
 * curve inside the structure must then agree with it. A missing public key is computed from d.
 */
export function readECPrivateKey(der: Uint8Array, what: string, outer?: CurveInfo): ECPrivateJWK {
  const f = new Fields(decodeDER(der, what), what);
  const version = readSmallInt(f.next(TAG.INTEGER, 'version'), `${what} version`);
  if (version !== 1) throw invalidKey(`${what} has version ${version}; RFC 5915 §3 requires 1`);
  const rawD = readOctetString(f.next(TAG.OCTET_STRING, 'privateKey'), `${what} privateKey`);
  const params = f.optional(contextTag(0));
  const pub = f.optional(contextTag(1));
  f.end();
  let curve = outer;
  if (params) {
    if (params.children.length !== 1) throw structureError(what, '[0] parameters must wrap one element');
    const inner = readNamedCurve(params.children[0], what);
    if (outer && inner !== outer) {
      throw invalidKey(`${what} names curve ${inner.crv} but its algorithm identifier names ${outer.crv}`);
    }
    curve = inner;
  }
  if (curve === undefined) {
    throw structureError(what, 'the curve is not named (an EC PRIVATE KEY needs its [0] parameters)');
  }
  // RFC 5915 §3: privateKey is ceiling(log2(n)/8) octets; some encoders drop leading zeros.
  const d = toFixed(rawD, curve.privateSize, `${what} privateKey`);
  const derived = ecPublicFromPrivate(curve, d);
  if (pub) {
    if (pub.children.length !== 1) throw structureError(what, '[1] publicKey must wrap one BIT STRING');
    const point = readBitString(pub.children[0]!, `${what} publicKey`);
    const given = decodePoint(curve, point);
    if (
      !equalBytes(given.x, derived.subarray(1, 1 + curve.size)) ||
      !equalBytes(given.y, derived.subarray(1 + curve.size))
    ) {
      throw invalidKey(`${what}: the public key does not belong to the private key`);
    }
  }
  return { ...ecPublicJWK(curve, derived), d: encode(d) };
}

export function jwkCurve(jwk: Readonly<Record<string, unknown>>, kty: 'EC' | 'OKP'): CurveInfo {
  const curve = getCurve(jwk.crv);
  if (curve === undefined || curve.kty !== kty) {
    throw new UnsupportedError(`${kty} JWK has curve ${JSON.stringify(jwk.crv)}, which jwkit cannot encode`);
  }
  return curve;
}

/** The uncompressed public point of an EC JWK, checked to be on its curve. */
export function ecPoint(jwk: Readonly<Record<string, unknown>>, curve: CurveInfo): Uint8Array {
  return encodePoint(curve, fixedMember(jwk, 'x', curve.size), fixedMember(jwk, 'y', curve.size));
}

/**
 * SEC1 ECPrivateKey with the public key included (openssl expects it, RFC 5915 §3). The named
 * curve is included for `EC PRIVATE KEY` and omitted inside PKCS#8, where the
 * AlgorithmIdentifier carries it, as openssl writes it.
 */
export function writeECPrivateKey(jwk: Readonly<Record<string, unknown>>, withCurve: boolean): Uint8Array {
  const curve = jwkCurve(jwk, 'EC');
  const d = fixedMember(jwk, 'd', curve.privateSize);
  const point = ecPoint(jwk, curve);
  if (!equalBytes(point, ecPublicFromPrivate(curve, d))) {
    throw invalidKey('the EC JWK\'s "d" does not match its "x" and "y"');
  }
  return sequence(
    smallInteger(1),
    octetString(d),
    ...(withCurve ? [explicit(0, oid(curve.oid))] : []),
    explicit(1, bitString(point)),
  );
}
