import { describe, expect, it } from 'vitest';
import { JWKError } from '../../../src/errors/index.js';
import { parseJWK, validateJWK } from '../../../src/jwk/validate/index.js';
import { baseKeys, codes, without } from './helpers.js';

const k = baseKeys();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('validateJWK', () => {
  it('returns a fresh canonical copy and leaves the input alone', () => {
    const input = deepFreeze({
      ext: true,
      x: k.p256.x,
      issuer: 'https://example.com',
      y: k.p256.y,
      key_ops: ['deriveBits'],
      crv: 'P-256',
      kty: 'EC',
      kid: 'one',
      d: k.p256.d,
    });
    const before = JSON.stringify(input);
    const report = validateJWK(input);
    expect(report.problems).toEqual([]);
    expect(JSON.stringify(input)).toBe(before);
    const key = report.key!;
    expect(key).not.toBe(input);
    expect(Object.keys(key)).toEqual(['kty', 'kid', 'crv', 'x', 'y', 'd', 'key_ops', 'issuer']);
    expect(key.key_ops).not.toBe(input.key_ops);
    expect(Object.isFrozen(key)).toBe(false);
  });

  it('reads JSON text and objects alike', () => {
    expect(validateJWK(JSON.stringify(k.rsaPublic))).toEqual(validateJWK(k.rsaPublic));
  });

  it('turns every warning into an error with strict: true', () => {
    const padded = { ...k.oct, k: `${k.oct.k}=` };
    const lenient = validateJWK(padded);
    expect(lenient.valid).toBe(true);
    expect(lenient.problems.map((p) => [p.code, p.severity])).toEqual([['B64URL_PADDING', 'warning']]);
    expect(lenient.key?.k).toBe(k.oct.k);
    const strict = validateJWK(padded, { strict: true });
    expect(strict.valid).toBe(false);
    expect(strict.key).toBeUndefined();
    expect(strict.problems.map((p) => [p.code, p.severity])).toEqual([['B64URL_PADDING', 'error']]);
  });

  it('reports every problem, not only the first', () => {
    const report = validateJWK({ kty: 'RSA', n: 'AQA=', e: 1, alg: 'none', use: 'both', kid: [] });
    expect(codes(report.problems).sort()).toEqual(
      [
        'ALG_NONE',
        'B64URL_PADDING',
        'JWK_MEMBER_TYPE',
        'JWK_MEMBER_TYPE',
        'RSA_MODULUS_TOO_SHORT',
        'USE_UNREGISTERED',
      ].sort(),
    );
  });

  it('never throws, whatever it is given', () => {
    const cyclic: Record<string, unknown> = { kty: 'oct' };
    cyclic.self = cyclic;
    const inputs: unknown[] = [
      null,
      undefined,
      42,
      'null',
      '',
      Symbol('x'),
      () => 1,
      [],
      cyclic,
      new Map(),
      { kty: {} },
    ];
    for (const input of inputs) {
      const report = validateJWK(input as object);
      expect(report.valid).toBe(false);
      expect(report.problems.length).toBeGreaterThan(0);
    }
  });

  it('drops a "__proto__" member instead of copying it into the prototype', () => {
    const text = `{"__proto__":{"kty":"RSA","admin":true},${JSON.stringify(k.oct).slice(1)}`;
    const report = validateJWK(text);
    expect(codes(report.problems)).toEqual(['JWK_MEMBER_DROPPED']);
    expect(Object.getPrototypeOf(report.key)).toBe(Object.prototype);
    expect((report.key as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.hasOwn(report.key!, '__proto__')).toBe(false);
  });

  it('suggests the registered spelling of a mistyped alg or kty', () => {
    expect(validateJWK({ ...k.oct, alg: 'hs256' }).problems[0]?.message).toContain('"HS256"');
    expect(validateJWK({ ...k.oct, kty: 'OCT' }).problems[0]?.message).toContain('"oct"');
    expect(validateJWK({ keys: [] }).problems[0]?.message).toContain('validateJWKSet');
  });

  it('uses the registry minimum (2048 bits) for RSA unless minRSABits says otherwise', () => {
    expect(validateJWK(k.rsaPublic).valid).toBe(true);
    expect(codes(validateJWK(k.rsaPublic, { minRSABits: 4096 }).problems)).toEqual(['RSA_MODULUS_TOO_SHORT']);
  });

  it('accepts private keys by default and can require or forbid them', () => {
    expect(validateJWK(k.rsa).valid).toBe(true);
    expect(validateJWK(k.rsa, { requirePrivate: true }).valid).toBe(true);
    expect(validateJWK(k.oct, { allowPrivate: false }).problems[0]?.path).toBe('k');
  });

  it('keeps the key it validated usable for every registered purpose', () => {
    const keyOps = validateJWK({ ...without(k.rsaPublic, 'alg'), key_ops: ['verify', 'encrypt'] });
    expect(codes(keyOps.problems)).toEqual(['KEY_OPS_UNRELATED']);
    expect(validateJWK({ ...without(k.x25519, 'd'), alg: 'ECDH-ES+A128KW', use: 'enc' }).problems).toEqual(
      [],
    );
    expect(validateJWK({ ...without(k.ed25519, 'd'), alg: 'Ed25519', key_ops: ['verify'] }).problems).toEqual(
      [],
    );
    expect(codes(validateJWK({ ...without(k.ed25519, 'd'), alg: 'EdDSA' }).problems)).toEqual([
      'ALG_DEPRECATED',
    ]);
    expect(validateJWK({ ...k.aesKW, use: 'enc', key_ops: undefined }).problems).toEqual([]);
  });
});

describe('parseJWK', () => {
  it('returns the canonical copy of a valid key', () => {
    expect(parseJWK(k.rsaPublic)).toEqual(k.rsaPublic);
  });

  it('throws one JWKError carrying every problem', () => {
    try {
      parseJWK({ kty: 'EC', crv: 'P-256', x: 'AA', y: '!!' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JWKError);
      const err = e as JWKError;
      expect(err.code).toBe('ERR_JWK_INVALID');
      expect(codes(err.problems)).toEqual(['EC_COORD_LENGTH', 'B64URL_INVALID']);
      expect(err.message).toContain('y:');
    }
  });
});
