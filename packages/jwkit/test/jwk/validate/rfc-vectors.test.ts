/** Every JWK printed in the RFCs (../shared/vectors/rfc) and RFC 7520 (jose-cookbook) validates. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJSON, VECTORS } from '../../../../../test/helpers/vectors.js';
import { parseJWK, validateJWK, validateJWKSet } from '../../../src/jwk/validate/index.js';
import { codes, type JSONObject } from './helpers.js';

/** Every object with a `kty` inside a vector file, with where it was found. */
function jwksIn(value: unknown, path = ''): [string, JSONObject][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => jwksIn(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  if (typeof (value as JSONObject).kty === 'string') return [[path, value as JSONObject]];
  return Object.entries(value).flatMap(([k, v]) => jwksIn(v, `${path}.${k}`));
}

/** Keys the vector files include on purpose as wrong (each file says so). */
const EXPECTED_INVALID: Record<string, string> = {
  // Authored for negative testing: Alice's ephemeral key with y altered off the curve.
  'rfc/rfc7518-appendix-c.json .derived_negative.epk': 'EC_POINT_NOT_ON_CURVE',
  // Not an RFC example: the cookbook pairs RFC 8037's ephemeral x with the d of its own random run
  // (that d derives the epk in its protected header, not this x).
  'jose-cookbook/curve25519/ecdh-es.json .encrypting_key.epk': 'OKP_PRIVATE_MISMATCH',
};

const files = [
  ...readdirSync(join(VECTORS, 'rfc')).map((f) => `rfc/${f}`),
  ...['jwk', 'jws', 'jwe', 'curve25519'].flatMap((dir) =>
    readdirSync(join(VECTORS, 'jose-cookbook', dir)).map((f) => `jose-cookbook/${dir}/${f}`),
  ),
].filter((f) => f.endsWith('.json'));

describe('RFC and RFC 7520 example keys', () => {
  for (const file of files) {
    const keys = jwksIn(readJSON(...['vectors', ...file.split('/')]));
    if (keys.length === 0) continue;
    it(`${file}: ${keys.length} key(s) validate as the RFC says`, () => {
      for (const [path, jwk] of keys) {
        const report = validateJWK(jwk, { strict: true });
        const expected = EXPECTED_INVALID[`${file} ${path}`];
        if (expected) {
          expect(codes(report.problems), path).toEqual([expected]);
        } else {
          expect(report.problems, `${file} ${path}`).toEqual([]);
          // The RFC examples are already canonical: the copy has the same members and values.
          expect(report.key, path).toEqual(jwk);
        }
      }
    });
  }

  it('reads the RFC 7517 Appendix A sets as sets', () => {
    const a = readJSON<Record<'A.1' | 'A.2' | 'A.3', { jwks: unknown }>>(
      'vectors',
      'rfc',
      'rfc7517-appendix-a.json',
    );
    for (const part of ['A.1', 'A.2', 'A.3'] as const) {
      const report = validateJWKSet(a[part].jwks as object, { strict: true });
      expect(report.valid, part).toBe(true);
      expect(report.keys).toHaveLength(2);
    }
  });

  it('checks the private parts of the RFC private keys against their public parts', () => {
    const a = readJSON<{ 'A.2': { jwks: { keys: JSONObject[] } } }>(
      'vectors',
      'rfc',
      'rfc7517-appendix-a.json',
    );
    const [ec, rsa] = a['A.2'].jwks.keys as [JSONObject, JSONObject];
    expect(parseJWK(ec).d).toBe(ec.d);
    const swapped = { ...rsa, p: rsa.q, q: rsa.p };
    // p and q swapped still multiply to n, but qi is then the inverse of the wrong prime.
    expect(codes(validateJWK(swapped).problems)).toEqual(['RSA_PRIVATE_MISMATCH']);
    expect(validateJWK(swapped).problems[0]?.path).toBe('dp');
  });
});
