import { describe, expect, it } from 'vitest';
import {
  ALGORITHMS,
  algorithmAllowsKey,
  algorithmsForKey,
  CURVES,
  getAlgorithm,
  getCurve,
  isKeyOp,
  signatureAlgorithms,
} from '../src/registry.js';

describe('registry', () => {
  it('resolves nothing for prototype names taken from untrusted input', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(getAlgorithm(name)).toBeUndefined();
      expect(getCurve(name)).toBeUndefined();
      expect(isKeyOp(name)).toBe(false);
    }
  });

  it('has a default algorithm for every curve that accepts that curve', () => {
    for (const curve of Object.values(CURVES)) {
      const info = getAlgorithm(curve.defaultAlg)!;
      expect(info).toBeDefined();
      expect(algorithmAllowsKey(info, curve.kty, curve.crv)).toBeUndefined();
    }
  });

  it('never lets `none` or an unknown alg through', () => {
    expect(getAlgorithm('none')).toBeUndefined();
    expect(getAlgorithm('NONE')).toBeUndefined();
    expect(getAlgorithm('ES521')).toBeUndefined();
  });

  it('explains why a key does not fit an algorithm', () => {
    expect(algorithmAllowsKey(ALGORITHMS.HS256!, 'RSA')).toMatch(/needs a oct key/);
    expect(algorithmAllowsKey(ALGORITHMS.ES256!, 'EC', 'P-384')).toMatch(/curve P-256/);
    expect(algorithmAllowsKey(ALGORITHMS.RS256!, 'RSA', undefined, 1024)).toMatch(/at least 2048/);
    expect(algorithmAllowsKey(ALGORITHMS.A128KW!, 'oct', undefined, 256)).toMatch(/exactly 128/);
    expect(algorithmAllowsKey(ALGORITHMS['ECDH-ES']!, 'OKP', 'X25519')).toBeUndefined();
  });

  it('lists signature algorithms per key (what drop-downs show)', () => {
    expect(algorithmsForKey('OKP', 'Ed25519').map((a) => a.alg)).toEqual(['EdDSA', 'Ed25519']);
    expect(algorithmsForKey('EC', 'secp256k1').map((a) => a.alg)).toEqual(['ES256K']);
    expect(signatureAlgorithms().every((a) => a.use === 'sig')).toBe(true);
  });
});
