/**
 * Issue 13.13: a JOSE header is strict JSON. The JSON parser may skip a leading byte order mark
 * (RFC 8259 §8.1, reported as JSON_BOM), but a header that starts with one must be refused by
 * decodeJWT and verifyJWT alike, even when the signature over those exact bytes is valid.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJWT, verifyJWT } from '../../src/jwt/index.js';

const secret = Buffer.alloc(32, 7);
const key = { kty: 'oct', k: secret.toString('base64url'), alg: 'HS256' } as const;

function token(headerBytes: Buffer): string {
  const h = headerBytes.toString('base64url');
  const p = Buffer.from('{"sub":"alice"}').toString('base64url');
  const s = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}

const json = Buffer.from('{"alg":"HS256"}');
const withBOM = token(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]));

describe('a header with a UTF-8 byte order mark', () => {
  it('verifies without it (control)', async () => {
    expect((await verifyJWT(token(json), key)).payload.sub).toBe('alice');
  });
  it('is refused by verifyJWT', async () => {
    await expect(verifyJWT(withBOM, key)).rejects.toMatchObject({ code: 'ERR_JWT_HEADER_INVALID' });
  });
  it('is refused by decodeJWT', () => {
    expect(() => decodeJWT(withBOM)).toThrow(expect.objectContaining({ code: 'ERR_JWT_HEADER_INVALID' }));
  });
});
