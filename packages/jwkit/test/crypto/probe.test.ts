/**
 * The probe keys (crypto/probe.ts) are the curves' base points, as @noble/curves computes them,
 * and valid keys by jwkit's own validation: a probe never fails because its key is wrong.
 */
import { ed448 } from '@noble/curves/ed448.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { probePublicKey } from '../../src/crypto/probe.js';
import { keyKinds } from '../../src/crypto/routed.js';
import { decode } from '../../src/encoding/base64url.js';
import { validateJWK } from '../../src/jwk/validate/index.js';

const WEIERSTRASS = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 };

describe('probe keys', () => {
  it.each(Object.entries(WEIERSTRASS))('%s is the base point G', (crv, curve) => {
    const jwk = probePublicKey('EC', crv)!;
    const g = curve.Point.BASE.toAffine();
    expect([
      BigInt(`0x${Buffer.from(decode(jwk.x as string)).toString('hex')}`),
      BigInt(`0x${Buffer.from(decode(jwk.y as string)).toString('hex')}`),
    ]).toEqual([g.x, g.y]);
  });

  it('Ed25519 and Ed448 are the base point B; X25519 and X448 are u = 9 and u = 5', () => {
    expect(decode(probePublicKey('OKP', 'Ed25519')!.x as string)).toEqual(ed25519.Point.BASE.toBytes());
    expect(decode(probePublicKey('OKP', 'Ed448')!.x as string)).toEqual(ed448.Point.BASE.toBytes());
    expect(decode(probePublicKey('OKP', 'X25519')!.x as string)[0]).toBe(9);
    expect(decode(probePublicKey('OKP', 'X448')!.x as string)[0]).toBe(5);
  });

  it('exist for every curve kind and pass validateJWK', () => {
    for (const kind of keyKinds().filter((k) => k.startsWith('EC:') || k.startsWith('OKP:'))) {
      const [kty, crv] = kind.split(':') as [string, string];
      const jwk = probePublicKey(kty, crv);
      expect(jwk, kind).toBeDefined();
      expect(
        validateJWK(jwk!).problems.filter((p) => p.severity === 'error'),
        kind,
      ).toEqual([]);
    }
    expect(probePublicKey('RSA', 'x')).toBeUndefined();
  });
});
