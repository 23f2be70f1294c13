import { checkPrimeSync, generatePrimeSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readWycheproof, VECTORS } from '../../../../../test/helpers/vectors.js';
import { validateJWK } from '../../../src/jwk/validate/index.js';
import { fermatFactors, hasRocaFingerprint } from '../../../src/jwk/validate/rules/rsa-weak.js';
import {
  b64u,
  b64uToBigint,
  baseKeys,
  bigintToB64u,
  codes,
  fromB64u,
  type JSONObject,
  without,
} from './helpers.js';

const k = baseKeys();

/** Every RSA modulus in the shared vectors and fixtures (except the ROCA test key). */
function allModuli(): { where: string; n: bigint }[] {
  const out: { where: string; n: bigint }[] = [];
  const walk = (v: unknown, where: string) => {
    if (Array.isArray(v)) for (const x of v) walk(x, where);
    else if (v && typeof v === 'object') {
      const o = v as JSONObject;
      if (o.kty === 'RSA' && typeof o.n === 'string' && !String(o.kid).includes('roca')) {
        out.push({
          where,
          n: b64uToBigint((o.n as string).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')),
        });
      }
      for (const x of Object.values(o)) walk(x, where);
    }
  };
  const files = [
    ...readdirSync(join(FIXTURES, 'real-world')).map((f) => join(FIXTURES, 'real-world', f)),
    ...readdirSync(join(VECTORS, 'rfc')).map((f) => join(VECTORS, 'rfc', f)),
    ...readdirSync(join(VECTORS, 'wycheproof', 'testvectors_v1'))
      .filter((f) => f.startsWith('json_web') || f.startsWith('rsa_'))
      .map((f) => join(VECTORS, 'wycheproof', 'testvectors_v1', f)),
  ].filter((f) => f.endsWith('.json'));
  for (const f of files) walk(JSON.parse(readFileSync(f, 'utf8').replace(/^\uFEFF/, '')), f);
  return out;
}

describe('weak RSA moduli', () => {
  it('detects the ROCA key of Wycheproof json_web_key_test tc 7', () => {
    const group = readWycheproof<{ testGroups: { comment: string; public?: { keys: JSONObject[] } }[] }>(
      'json_web_key_test.json',
    ).testGroups.find((g) => g.comment === 'jws_rsa_roca_key')!;
    const roca = group.public!.keys[0]!;
    expect(hasRocaFingerprint(b64uToBigint(roca.n as string))).toBe(true);
    expect(codes(validateJWK(roca).problems)).toEqual(['RSA_WEAK_ROCA']);
  });

  it('finds no ROCA fingerprint and no Fermat factors in any other published modulus', () => {
    const moduli = allModuli();
    expect(moduli.length).toBeGreaterThan(100);
    for (const { where, n } of moduli) {
      expect(hasRocaFingerprint(n), where).toBe(false);
      expect(fermatFactors(n), where).toBeUndefined();
    }
  });

  it('factors a modulus whose primes are neighbours, and only then', () => {
    const p = generatePrimeSync(1024, { bigint: true });
    let q = p + 2n;
    while (!checkPrimeSync(q)) q += 2n;
    expect(fermatFactors(p * q)).toEqual([p, q]);
    expect(codes(validateJWK({ kty: 'RSA', n: bigintToB64u(p * q), e: 'AQAB' }).problems)).toEqual([
      'RSA_WEAK_FERMAT',
    ]);
  });

  it('reports an even modulus as having the small factor 2', () => {
    const n = b64uToBigint(k.rsaPublic.n as string) * 2n;
    const problem = validateJWK({ ...k.rsaPublic, n: bigintToB64u(n) }).problems[0]!;
    expect(problem.code).toBe('RSA_MODULUS_SMALL_FACTOR');
    expect(problem.message).toContain('divisible by 2');
  });

  it('refuses a modulus over 16384 bits before doing any arithmetic on it', () => {
    const huge = b64u(new Uint8Array(64 * 1024).fill(0xfb));
    const report = validateJWK({
      kty: 'RSA',
      n: huge,
      e: 'AQAB',
      d: huge,
      p: 'Aw',
      q: 'Aw',
      dp: 'AQ',
      dq: 'AQ',
      qi: 'AQ',
    });
    expect(codes(report.problems)).toContain('RSA_MODULUS_TOO_LONG');
  });
});

describe('RSA private keys', () => {
  it('accepts the RFC 7517 A.2 private key', () => {
    expect(validateJWK(k.rsa).problems).toEqual([]);
  });

  it('names the relation that fails for each tampered member', () => {
    const n = b64uToBigint(k.rsa.n as string);
    const cases: [Record<string, unknown>, string][] = [
      [{ p: bigintToB64u(b64uToBigint(k.rsa.p as string) + 2n) }, 'p'],
      [{ d: bigintToB64u(b64uToBigint(k.rsa.d as string) + 2n) }, 'd'],
      [{ d: bigintToB64u(n + 1n) }, 'd'],
      [{ dp: bigintToB64u(b64uToBigint(k.rsa.dp as string) + 1n) }, 'dp'],
      [{ dq: bigintToB64u(b64uToBigint(k.rsa.dq as string) + 1n) }, 'dq'],
      [{ qi: bigintToB64u(b64uToBigint(k.rsa.qi as string) + 1n) }, 'qi'],
      [{ qi: bigintToB64u(b64uToBigint(k.rsa.qi as string) + b64uToBigint(k.rsa.p as string)) }, 'qi'],
      [{ dq: b64u(new Uint8Array(300).fill(1)) }, 'dq'],
    ];
    for (const [change, path] of cases) {
      const problems = validateJWK({ ...k.rsa, ...change }).problems;
      expect(codes(problems), JSON.stringify(change).slice(0, 40)).toEqual(['RSA_PRIVATE_MISMATCH']);
      expect(problems[0]!.path).toBe(path);
    }
  });

  it('checks a d-only key with one exponentiation', () => {
    const dOnly = without(k.rsa, 'p', 'q', 'dp', 'dq', 'qi');
    expect(codes(validateJWK(dOnly).problems)).toEqual(['RSA_PRIVATE_WITHOUT_CRT']);
    const wrong = { ...dOnly, d: bigintToB64u(b64uToBigint(k.rsa.d as string) + 2n) };
    expect(codes(validateJWK(wrong).problems)).toEqual(['RSA_PRIVATE_WITHOUT_CRT', 'RSA_PRIVATE_MISMATCH']);
  });

  it('requires the CRT members together and d with them', () => {
    expect(codes(validateJWK(without(k.rsa, 'd')).problems)).toEqual(['RSA_PRIVATE_INCOMPLETE']);
    const partial = validateJWK(without(k.rsa, 'dp', 'dq'));
    expect(partial.problems.map((p) => [p.code, p.path])).toEqual([['RSA_PRIVATE_INCOMPLETE', 'dp']]);
  });

  it('strips leading zero octets from every integer, private ones included', () => {
    const padded = { ...k.rsa, e: b64u([0, 1, 0, 1]), qi: b64u([0, 0, ...fromB64u(k.rsa.qi as string)]) };
    const report = validateJWK(padded);
    expect(report.problems.map((p) => [p.code, p.path])).toEqual([
      ['RSA_INT_LEADING_ZERO', 'e'],
      ['RSA_INT_LEADING_ZERO', 'qi'],
    ]);
    expect(report.key).toEqual(k.rsa);
  });

  it('rejects e = 1, even e, and e >= n', () => {
    for (const e of ['AQ', 'Ag', 'AAAB', k.rsaPublic.n as string]) {
      expect(codes(validateJWK({ ...k.rsaPublic, e }).problems), e.slice(0, 8)).toContain(
        'RSA_EXPONENT_INVALID',
      );
    }
  });
});

describe('RSA public exponent bound (issue 13 point 5)', () => {
  it('refuses e above 2^32 with RSA_EXPONENT_TOO_LARGE, and keeps 2^32 - 1 and 65537', () => {
    const huge = validateJWK({ ...k.rsaPublic, e: b64u([1, 0, 0, 0, 1]) }); // 2^32 + 1
    expect(huge.valid).toBe(false);
    expect(codes(huge.problems)).toContain('RSA_EXPONENT_TOO_LARGE');
    const big = bigintToB64u((1n << 1023n) + 1n);
    expect(codes(validateJWK({ ...k.rsaPublic, e: big }).problems)).toContain('RSA_EXPONENT_TOO_LARGE');
    expect(validateJWK({ ...k.rsaPublic, e: b64u([0xff, 0xff, 0xff, 0xff]) }).valid).toBe(true);
    expect(validateJWK(k.rsaPublic).valid).toBe(true);
  });
});
