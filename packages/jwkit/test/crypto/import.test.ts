import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../../test/helpers/backends.js';
import { arbitraryKey } from '../../../../test/helpers/keys.js';
import { importKey } from '../../src/crypto/import.js';
import { encode } from '../../src/encoding/base64url.js';
import type { JWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';

const ec = fc.sample(arbitraryKey('P-256'), { numRuns: 1, seed: 7 })[0]!;
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: { code?: string }) => e.code,
  );

describe.each(BACKENDS)('importKey, $name backend', ({ backend }) => {
  const imp = (jwk: JWK, alg: string, usage: 'sign' | 'verify' = 'verify') =>
    importKey(jwk, alg, usage, { backend });

  it('imports a key whose alg, use and key_ops allow the operation', async () => {
    const handle = await imp(
      { ...ec, alg: 'ES256', use: 'sig', key_ops: ['sign', 'verify'] },
      'ES256',
      'sign',
    );
    expect(handle).toMatchObject({ alg: 'ES256', usage: 'sign', backend: backend.name });
  });

  it('refuses a key restricted to another algorithm by its own "alg" (RFC 7517 §4.4)', async () => {
    expect(await code(imp({ ...toPublic(ec), alg: 'ES384' }, 'ES256'))).toBe('ERR_KEY_ALG_MISMATCH');
  });

  it('refuses a key published for encryption (RFC 7517 §4.2)', async () => {
    expect(await code(imp({ ...toPublic(ec), use: 'enc' }, 'ES256'))).toBe('ERR_KEY_USE');
  });

  it('refuses a key whose key_ops lacks the operation (RFC 7517 §4.3)', async () => {
    expect(await code(imp({ ...ec, key_ops: ['verify'] }, 'ES256', 'sign'))).toBe('ERR_KEY_OPS');
    expect(await code(imp({ ...toPublic(ec), key_ops: 'verify' } as unknown as JWK, 'ES256'))).toBe(
      'ERR_KEY_OPS',
    );
  });

  it('refuses RSA moduli under 2048 bits and HMAC secrets shorter than the hash (RFC 7518 §3.2, §3.3)', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'jwk',
    }) as JWK;
    expect(await code(imp(small, 'RS256'))).toBe('ERR_KEY_ALG_MISMATCH');
    const secret = { kty: 'oct' as const, k: encode(new Uint8Array(48)) };
    expect(await code(imp(secret, 'HS256'))).toBe('no error');
    expect(await code(imp(secret, 'HS512'))).toBe('ERR_KEY_ALG_MISMATCH');
  });

  it('never uses a symmetric key for an asymmetric algorithm or the reverse', async () => {
    expect(await code(imp({ kty: 'oct', k: encode(new Uint8Array(64)) }, 'RS256'))).toBe(
      'ERR_KEY_ALG_MISMATCH',
    );
    expect(await code(imp(toPublic(ec), 'HS256'))).toBe('ERR_KEY_ALG_MISMATCH');
  });

  it('refuses signing with a public key, and encryption algorithms', async () => {
    expect(await code(imp(toPublic(ec), 'ES256', 'sign'))).toBe('ERR_KEY_NOT_PRIVATE');
    expect(await code(imp(toPublic(ec), 'ECDH-ES'))).toBe('ERR_UNSUPPORTED');
    expect(await code(imp({ kty: 'EC', x: 'AA', y: 'AA' } as unknown as JWK, 'ES256'))).toBe(
      'ERR_KEY_ALG_MISMATCH',
    );
  });
});
