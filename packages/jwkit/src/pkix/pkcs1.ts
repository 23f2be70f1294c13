/**
 * PKCS#1 RSA keys (RFC 8017 Appendix A.1): `RSAPublicKey` (also the contents of an RSA SPKI) and
 * `RSAPrivateKey` (also the contents of an RSA PKCS#8), to and from JWK members (RFC 7518 §6.3).
 */

import { encode } from '../encoding/base64url.js';
import { UnsupportedError } from '../errors/index.js';
import type { RSAPrivateJWK, RSAPublicJWK } from '../jwk/model.js';
import {
  decodeDER,
  Fields,
  readSmallInt,
  readUnsigned,
  sequence,
  smallInteger,
  TAG,
  unsignedInteger,
} from './asn1.js';
import { invalidKey, memberBytes } from './members.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

function positive(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length === 1 && bytes[0] === 0) throw invalidKey(`the RSA ${what} is zero`);
  return bytes;
}

export function readRSAPublicKey(der: Uint8Array, what = 'RSAPublicKey'): RSAPublicJWK {
  const f = new Fields(decodeDER(der, what), what);
  const n = positive(readUnsigned(f.next(TAG.INTEGER, 'modulus'), `${what} modulus`), 'modulus');
  const e = positive(
    readUnsigned(f.next(TAG.INTEGER, 'publicExponent'), `${what} publicExponent`),
    'exponent',
  );
  f.end();
  return { kty: 'RSA', n: encode(n), e: encode(e) };
}

export function readRSAPrivateKey(der: Uint8Array, what = 'RSAPrivateKey'): RSAPrivateJWK {
  const f = new Fields(decodeDER(der, what), what);
  const version = readSmallInt(f.next(TAG.INTEGER, 'version'), `${what} version`);
  if (version === 1) {
    throw new UnsupportedError(
      `${what} is a multi-prime RSA key (version 1, RFC 8017 §A.1.2); JOSE implementations, and jwkit, support two-prime keys only`,
    );
  }
  if (version !== 0) throw invalidKey(`${what} has version ${version}; PKCS#1 defines 0 (two-prime) only`);
  const jwk: Record<string, string> = { kty: 'RSA' };
  for (const [m, field] of [
    ['n', 'modulus'],
    ['e', 'publicExponent'],
    ['d', 'privateExponent'],
    ['p', 'prime1'],
    ['q', 'prime2'],
    ['dp', 'exponent1'],
    ['dq', 'exponent2'],
    ['qi', 'coefficient'],
  ] as const) {
    jwk[m] = encode(positive(readUnsigned(f.next(TAG.INTEGER, field), `${what} ${field}`), field));
  }
  f.end();
  return jwk as unknown as RSAPrivateJWK;
}

export function writeRSAPublicKey(jwk: Readonly<Record<string, unknown>>): Uint8Array {
  return sequence(unsignedInteger(memberBytes(jwk, 'n')), unsignedInteger(memberBytes(jwk, 'e')));
}

export function writeRSAPrivateKey(jwk: Readonly<Record<string, unknown>>): Uint8Array {
  if (jwk.oth !== undefined) {
    throw new UnsupportedError('multi-prime RSA keys ("oth", RFC 7518 §6.3.2.7) cannot be written by jwkit');
  }
  // RFC 7518 §6.3.2 lets a private JWK carry only `d`; PKCS#1 needs the CRT members too.
  const missing = PRIVATE_MEMBERS.filter((m) => jwk[m] === undefined);
  if (missing.length > 0) {
    throw invalidKey(
      `the RSA private JWK lacks ${missing.join(', ')}; PKCS#1 and PKCS#8 need all of d, p, q, dp, dq, qi`,
    );
  }
  return sequence(
    smallInteger(0),
    ...['n', 'e', ...PRIVATE_MEMBERS].map((m) => unsignedInteger(memberBytes(jwk, m))),
  );
}
