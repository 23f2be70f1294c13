/**
 * signJWT's common call appends `iat` to the payload's own JSON instead of copying the payload
 * (jwt/sign.ts, issue 15). The claims text must be exactly JSON.stringify({ ...payload, iat }),
 * member order included, for any payload; the header of a repeated call is the same text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateJWK } from '../../src/crypto/generate.js';
import type { JWK } from '../../src/jwk/model.js';
import type { JWTPayload } from '../../src/jwt/claims.js';
import { signJWT } from '../../src/jwt/sign.js';

const key = (await generateJWK({ alg: 'HS256', kid: 'k' })) as JWK;
const NOW = 1_800_000_000_000;
const clock = () => NOW;
const claimsText = (token: string) => Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8');

describe('signJWT claims text', () => {
  it('is JSON.stringify({ ...payload, iat }) for arbitrary payloads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
        async (payload) => {
          const expected = JSON.stringify({ ...payload, iat: NOW / 1000 });
          expect(claimsText(await signJWT(payload as JWTPayload, key, { clock }))).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the payload member order when it has integer-like names, and an explicit issuedAt', async () => {
    const payload = { b: 1, 10: 'x', a: 2, 2: 'y' } as unknown as JWTPayload;
    expect(claimsText(await signJWT(payload, key, { clock, issuedAt: 5 }))).toBe(
      JSON.stringify({ ...payload, iat: 5 }),
    );
    expect(claimsText(await signJWT({}, key, { clock }))).toBe('{"iat":1800000000}');
  });

  it('takes the copying path for an own iat, a toJSON or other claim options, with the same result', async () => {
    const own = { sub: 'x', iat: 1, z: 0 };
    expect(claimsText(await signJWT(own, key, { clock }))).toBe('{"sub":"x","iat":1800000000,"z":0}');
    const withToJSON = { sub: 'x', toJSON: () => ({ replaced: true }) } as unknown as JWTPayload;
    expect(claimsText(await signJWT(withToJSON, key, { clock }))).toBe(
      JSON.stringify({ ...withToJSON, iat: NOW / 1000 }),
    );
    expect(claimsText(await signJWT({ sub: 'x' }, key, { clock, expiresIn: 60 }))).toBe(
      '{"sub":"x","iat":1800000000,"exp":1800000060}',
    );
  });

  it('gives the same header text for repeated and alternating calls', async () => {
    const header = (t: string) => t.split('.')[0];
    const a1 = await signJWT({}, key);
    const b = await signJWT({}, key, { kid: 'other', typ: 'at+jwt' });
    const a2 = await signJWT({}, key);
    expect(header(a1)).toBe(header(a2));
    expect(JSON.parse(Buffer.from(header(b)!, 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'at+jwt',
      kid: 'other',
    });
    expect(JSON.parse(Buffer.from(header(a1)!, 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
      kid: 'k',
    });
  });
});
