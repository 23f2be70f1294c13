/**
 * Fault injection for crypto/node-hmac.ts: where node:crypto has no one-shot `hash`, or one that
 * disagrees with `createHmac` (a runtime emulating node:crypto), `textMac` gives nothing and the
 * node backend keeps verifying HMAC with `createHmac`: the same verdicts either way.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

const secret = Buffer.alloc(32, 5);
const jwk = { kty: 'oct', k: secret.toString('base64url'), alg: 'HS256' } as const;
const input = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`;
const good = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
const bad = `${input}.${createHmac('sha256', Buffer.alloc(32, 6)).update(input).digest('base64url')}`;

async function withCrypto(hash: unknown) {
  vi.resetModules();
  vi.doMock('node:crypto', async (original) => ({
    ...(await original<typeof import('node:crypto')>()),
    hash,
  }));
  const { textMac } = await import('../../src/crypto/node-hmac.js');
  const { nodeBackend } = await import('../../src/crypto/node.js');
  const { verifyJWS } = await import('../../src/jwt/verify.js');
  return { textMac, nodeBackend, verifyJWS };
}

afterEach(() => {
  vi.doUnmock('node:crypto');
  vi.resetModules();
});

describe('textMac fallback', () => {
  for (const [name, hash] of [
    ['no crypto.hash', undefined],
    ['a crypto.hash that disagrees with createHmac', () => 'AAAA'],
  ] as const) {
    it(`${name}: no text MAC, and HS256 still verifies through createHmac`, async () => {
      const { textMac, nodeBackend, verifyJWS } = await withCrypto(hash);
      expect(textMac('sha256', secret)).toBeUndefined();
      const verified = await verifyJWS(good, jwk, { backend: nodeBackend });
      expect(Buffer.from(verified.payload).toString()).toBe('{"sub":"x"}');
      await expect(verifyJWS(bad, jwk, { backend: nodeBackend })).rejects.toMatchObject({
        code: 'ERR_JWT_SIGNATURE_INVALID',
      });
    });
  }
});
