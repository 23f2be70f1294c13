/** Keys and small assertions shared by the validation tests. */
import { generateKeyPairSync } from 'node:crypto';
import { readJSON } from '../../../../../test/helpers/vectors.js';
import type { Problem } from '../../../src/errors/index.js';

export type JSONObject = Record<string, unknown>;

interface RFC7517A {
  'A.1': { jwks: { keys: JSONObject[] } };
  'A.2': { jwks: { keys: JSONObject[] } };
  'A.3': { jwks: { keys: JSONObject[] } };
}

const a = readJSON<RFC7517A>('vectors', 'rfc', 'rfc7517-appendix-a.json');
const okp = readJSON<{ 'A.1_ed25519_private_jwk': JSONObject }>('vectors', 'rfc', 'rfc8037-okp.json');

function nodeKey(type: 'ec' | 'ed448' | 'x25519' | 'x448', namedCurve?: string): JSONObject {
  const { privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: namedCurve! })
      : generateKeyPairSync(type as 'ed448');
  return privateKey.export({ format: 'jwk' }) as JSONObject;
}

/** Fresh private keys of every type (RFC examples where the RFCs have one). */
export function baseKeys() {
  return {
    rsa: structuredClone(a['A.2'].jwks.keys[1]!), // RFC 7517 A.2, 2048 bits, all CRT members, alg RS256
    rsaPublic: structuredClone(a['A.1'].jwks.keys[1]!),
    p256: structuredClone(a['A.2'].jwks.keys[0]!), // RFC 7517 A.2, use enc
    p384: nodeKey('ec', 'P-384'),
    p521: readJSON<JSONObject>('vectors', 'jose-cookbook', 'jwk', '3_2.ec_private_key.json'),
    secp256k1: nodeKey('ec', 'secp256k1'),
    ed25519: structuredClone(okp['A.1_ed25519_private_jwk']),
    ed448: nodeKey('ed448'),
    x25519: nodeKey('x25519'),
    x448: nodeKey('x448'),
    oct: readJSON<JSONObject>('vectors', 'jose-cookbook', 'jwk', '3_5.symmetric_key_mac_computation.json'), // HS256
    aesKW: structuredClone(a['A.3'].jwks.keys[0]!), // A128KW
  };
}

/** A copy without the listed members. */
export function without(jwk: JSONObject, ...members: string[]): JSONObject {
  const out = { ...jwk };
  for (const m of members) delete out[m];
  return out;
}

export function codes(problems: readonly Problem[]): string[] {
  return problems.map((p) => p.code);
}

export function only(problems: readonly Problem[], code: string): Problem[] {
  return problems.filter((p) => p.code === code);
}

/** base64url of big-endian octets. */
export function b64u(bytes: Uint8Array | number[]): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes)).toString('base64url');
}

export function fromB64u(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

export function bigintToB64u(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

export function b64uToBigint(s: string): bigint {
  return BigInt(`0x${Buffer.from(s, 'base64url').toString('hex') || '0'}`);
}
