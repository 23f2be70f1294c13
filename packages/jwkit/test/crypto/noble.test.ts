/**
 * The @noble/curves backend's shared checks (crypto/noble.ts): the ECDSA r/s range check, which
 * compares octets instead of making BigInts per token, agrees with 1 <= r, s < n (RFC 7518 §3.4)
 * at every edge and on random values; the backend itself signs and verifies its curves only.
 */
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateJWK } from '../../src/crypto/generate.js';
import { importKey } from '../../src/crypto/import.js';
import { ecdsaSignatureInRange, nobleBackend } from '../../src/crypto/noble.js';
import type { PrivateJWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { weierstrassCurve } from '../../src/math/curves.js';
import { getCurve } from '../../src/registry.js';

const CURVES = ['P-256', 'P-384', 'P-521', 'secp256k1'] as const;

describe('ecdsaSignatureInRange', () => {
  it.each(CURVES)('%s: agrees with 1 <= r, s < n at the edges and on random values', (crv) => {
    const curve = getCurve(crv)!;
    const n = weierstrassCurve(crv)!.Point.Fn.ORDER;
    const max = (1n << BigInt(8 * curve.size)) - 1n;
    const edges = [0n, 1n, 2n, n - 2n, n - 1n, n, n + 1n, max];
    const sig = (r: bigint, s: bigint) => {
      const out = new Uint8Array(2 * curve.size);
      out.set(numberToBytesBE(r, curve.size), 0);
      out.set(numberToBytesBE(s, curve.size), curve.size);
      return out;
    };
    const expected = (r: bigint, s: bigint) => r >= 1n && r < n && s >= 1n && s < n;
    for (const r of edges)
      for (const s of edges) expect(ecdsaSignatureInRange(curve, sig(r, s))).toBe(expected(r, s));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2 * curve.size, maxLength: 2 * curve.size }), (bytes) => {
        const r = bytesToNumberBE(bytes.subarray(0, curve.size));
        const s = bytesToNumberBE(bytes.subarray(curve.size));
        return ecdsaSignatureInRange(curve, bytes) === expected(r, s);
      }),
    );
    expect(ecdsaSignatureInRange(curve, new Uint8Array(2 * curve.size + 1))).toBe(false);
  });
});

describe('nobleBackend', () => {
  it.each(['ES256K', 'Ed25519', 'Ed448'] as const)('signs and verifies %s synchronously', async (alg) => {
    const key = (await generateJWK({ alg, backend: nobleBackend })) as PrivateJWK;
    const signer = nobleBackend.importKeySync!(key, alg, 'sign');
    const verifier = nobleBackend.importKeySync!(toPublic(key), alg, 'verify');
    const sig = nobleBackend.signSync!(signer, new TextEncoder().encode('x'));
    expect(nobleBackend.verifyAsciiSync!(verifier, 'x', sig)).toBe(true);
    expect(nobleBackend.verifyAsciiSync!(verifier, 'y', sig)).toBe(false);
  });

  it('refuses kinds it does not serve with ERR_UNSUPPORTED', async () => {
    const rsa = await generateJWK({ alg: 'RS256' });
    await expect(importKey(rsa, 'RS256', 'verify', { backend: nobleBackend })).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED',
    });
    await expect(nobleBackend.generate({ kty: 'RSA', bits: 2048 })).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED',
    });
  });
});
