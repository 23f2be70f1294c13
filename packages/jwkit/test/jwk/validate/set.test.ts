import { describe, expect, it } from 'vitest';
import { JWKError } from '../../../src/errors/index.js';
import { parseJWKSet, validateJWK, validateJWKSet } from '../../../src/jwk/validate/index.js';
import { b64u, baseKeys, codes, without } from './helpers.js';

const k = baseKeys();
const pub = (jwk: Record<string, unknown>) => without(jwk, 'd', 'p', 'q', 'dp', 'dq', 'qi');

describe('validateJWKSet', () => {
  it('keeps the good keys and lists each skipped key with every reason (RFC 7517 §5)', () => {
    const input = {
      keys: [
        k.rsaPublic,
        { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'broken' },
        { kty: 'kyber', kid: 'future' },
        pub(k.ed25519),
        'not a key',
      ],
    };
    const report = validateJWKSet(input);
    expect(report.keys.map((key) => key.kty)).toEqual(['RSA', 'OKP']);
    expect(report.skipped.map((s) => [s.index, s.kid])).toEqual([
      [1, 'broken'],
      [2, 'future'],
      [4, undefined],
    ]);
    expect(codes(report.skipped[0]!.problems)).toEqual([
      'EC_COORD_LENGTH',
      'EC_COORD_LENGTH',
      'EC_POINT_NOT_ON_CURVE',
    ]);
    expect(report.skipped[0]!.problems[0]!.path).toBe('keys[1].x');
    expect(codes(report.skipped[1]!.problems)).toEqual(['JWK_KTY_UNKNOWN']);
    expect(codes(report.skipped[2]!.problems)).toEqual(['JWK_NOT_OBJECT']);
    expect(report.problems.filter((p) => p.code === 'SET_KEY_SKIPPED').map((p) => p.path)).toEqual([
      'keys[1]',
      'keys[2]',
      'keys[4]',
    ]);
    expect(report.valid).toBe(true);
    const strict = validateJWKSet(input, { strict: true });
    expect(strict.valid).toBe(false);
    expect(strict.keys).toHaveLength(2);
  });

  it('attributes JSON problems inside one key to that key only', () => {
    const text = `{"keys":[${JSON.stringify(k.rsaPublic)},${JSON.stringify(pub(k.p256)).replace('{', '{"crv":"P-384",')}]}`;
    const report = validateJWKSet(text);
    expect(report.keys).toHaveLength(1);
    expect(report.skipped[0]!.index).toBe(1);
    expect(codes(report.skipped[0]!.problems)).toContain('JSON_DUPLICATE_MEMBER');
    expect(report.skipped[0]!.problems.find((p) => p.code === 'JSON_DUPLICATE_MEMBER')?.path).toBe(
      'keys[1].crv',
    );
  });

  it('reports a duplicate kid as an error only when the keys cannot be told apart', () => {
    const hs = (fill: number, alg?: string) => ({
      kty: 'oct',
      kid: 'k1',
      k: b64u(new Uint8Array(32).fill(fill)),
      ...(alg ? { alg } : {}),
    });
    const same = validateJWKSet({ keys: [hs(1, 'HS256'), hs(2, 'HS256')] });
    expect(codes(same.problems)).toEqual(['SET_DUPLICATE_KID']);
    expect(same.valid).toBe(false);
    expect(same.keys).toHaveLength(2);
    // No alg on one of them: a verifier could pick either.
    expect(codes(validateJWKSet({ keys: [hs(1, 'HS256'), hs(2)] }).problems)).toEqual(['SET_DUPLICATE_KID']);
    const hs384 = { ...hs(2, 'HS384'), k: b64u(new Uint8Array(48).fill(2)) };
    const alternatives = validateJWKSet({ keys: [hs(1, 'HS256'), hs384] });
    expect(codes(alternatives.problems)).toEqual(['SET_SHARED_KID']);
    expect(alternatives.valid).toBe(true);
    const types = validateJWKSet({
      keys: [
        { ...k.rsaPublic, kid: 'x' },
        { ...pub(k.p256), kid: 'x', use: 'sig' },
      ],
    });
    expect(codes(types.problems)).toEqual(['SET_SHARED_KID']);
  });

  it('counts skipped keys when looking for duplicate kids', () => {
    const report = validateJWKSet({ keys: [k.oct, { ...k.oct, k: 'AAB' }] });
    expect(report.keys).toHaveLength(1);
    expect(codes(report.problems)).toEqual(['SET_KEY_SKIPPED', 'SET_DUPLICATE_KID']);
  });

  it('warns about one key published twice and about private keys among public ones', () => {
    expect(
      codes(
        validateJWKSet({
          keys: [
            { ...k.rsaPublic, kid: 'a' },
            { ...k.rsaPublic, kid: 'b' },
          ],
        }).problems,
      ),
    ).toEqual(['SET_DUPLICATE_KEY']);
    const mixed = validateJWKSet({ keys: [k.rsa, pub(k.p256)] });
    expect(codes(mixed.problems)).toEqual(['SET_MIXED_PRIVATE_PUBLIC']);
    expect(mixed.valid).toBe(true);
    expect(validateJWKSet({ keys: [k.rsa, k.p256] }).problems).toEqual([]);
  });

  it('rejects a public set that carries private material when allowPrivate is false', () => {
    const report = validateJWKSet({ keys: [k.rsaPublic, k.p256, k.oct] }, { allowPrivate: false });
    expect(report.keys).toEqual([k.rsaPublic]);
    expect(report.skipped.map((s) => [s.index, codes(s.problems)])).toEqual([
      [1, ['PRIVATE_NOT_ALLOWED']],
      [2, ['PRIVATE_NOT_ALLOWED']],
    ]);
  });

  it('reads at most maxKeys keys', () => {
    const keys = Array.from({ length: 5 }, (_, i) => ({
      kty: 'oct',
      kid: String(i),
      k: b64u(new Uint8Array(32).fill(i)),
    }));
    const report = validateJWKSet({ keys }, { maxKeys: 3 });
    expect(report.keys.map((key) => key.kid)).toEqual(['0', '1', '2']);
    expect(report.valid).toBe(false);
    expect(codes(report.problems)).toEqual(['SET_TOO_MANY_KEYS']);
  });

  it('accepts an empty set', () => {
    expect(validateJWKSet('{"keys":[]}')).toEqual({ valid: true, problems: [], keys: [], skipped: [] });
  });

  it('gives each kept key the same canonical copy validateJWK gives', () => {
    const n = k.rsaPublic.n as string;
    const padded = { ...k.rsaPublic, n: n + '='.repeat((4 - (n.length % 4)) % 4) };
    const report = validateJWKSet({ keys: [padded] });
    expect(report.keys[0]).toEqual(validateJWK(padded).key);
    expect(report.keys[0]!.n).toBe(k.rsaPublic.n);
  });
});

describe('parseJWKSet', () => {
  it('throws only when nothing can be read, in lenient mode', () => {
    for (const input of ['nope', '[]', '{"kty":"oct"}', '{"keys":{}}', '{"keys":[],"keys":[]}']) {
      expect(() => parseJWKSet(input), input).toThrow(JWKError);
    }
    const report = parseJWKSet({ keys: [k.rsaPublic, { kty: 'oct', k: '' }] });
    expect(report.keys).toHaveLength(1);
    expect(report.skipped).toHaveLength(1);
  });

  it('throws on any error with strict: true, carrying every problem', () => {
    try {
      parseJWKSet({ keys: [k.rsaPublic, { kty: 'oct', k: '' }] }, { strict: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(JWKError);
      expect((e as JWKError).code).toBe('ERR_JWK_INVALID');
      expect(codes((e as JWKError).problems)).toEqual(['SET_KEY_SKIPPED']);
    }
  });
});
