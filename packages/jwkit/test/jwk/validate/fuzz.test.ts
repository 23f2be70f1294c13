/**
 * Property tests: random keys of every type validate; random mutations of them never make
 * validate* throw, and parse* throw nothing but JWKError. FUZZ_RUNS scales the run counts.
 */

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { JWK_MEMBER_NAMES } from '../../../../../test/helpers/jwk-members.js';
import { arbitraryKey, KEY_TYPES, rsaPool, runs } from '../../../../../test/helpers/keys.js';
import { JWKError, type Problem } from '../../../src/errors/index.js';
import type { RSAPrivateJWK } from '../../../src/jwk/model.js';
import { toPublic } from '../../../src/jwk/model.js';
import { PROBLEM_CODES } from '../../../src/jwk/validate/codes.js';
import { parseJWK, parseJWKSet, validateJWK, validateJWKSet } from '../../../src/jwk/validate/index.js';
import { ALGORITHMS, CURVES, KEY_OPS } from '../../../src/registry.js';
import type { JSONObject } from './helpers.js';

let pool: RSAPrivateJWK[];
beforeAll(async () => {
  pool = await rsaPool(2);
});

const anyKey = () => fc.constantFrom(...KEY_TYPES).chain((type) => arbitraryKey(type, pool));

/** Values that look like what belongs in a JWK, and values that do not. */
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    ...Object.keys(ALGORITHMS),
    ...Object.keys(CURVES),
    'RSA',
    'EC',
    'OKP',
    'oct',
    'sig',
    'enc',
    'none',
    'P-256K',
  ),
  fc.array(fc.constantFrom(...Object.keys(KEY_OPS), 'sign', 'other'), { maxLength: 4 }),
  fc.base64String({ maxLength: 120 }),
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString('base64url')),
);

type Mutation = (jwk: JSONObject) => JSONObject;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...JWK_MEMBER_NAMES).map(
    (m): Mutation =>
      (jwk) => {
        const out = { ...jwk };
        delete out[m];
        return out;
      },
  ),
  fc.tuple(fc.oneof(fc.constantFrom(...JWK_MEMBER_NAMES), fc.string({ maxLength: 6 })), value).map(
    ([m, v]): Mutation =>
      (jwk) =>
        Object.defineProperty({ ...jwk }, m, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        }),
  ),
  // Edit one character of a string member: breaks encodings, points, lengths.
  fc
    .tuple(fc.nat(), fc.nat(), fc.constantFrom('', '=', '==', '+', '/', '-', 'A', 'AA', '_', '!', '\u00e9'))
    .map(
      ([which, at, insert]): Mutation =>
        (jwk) => {
          const names = Object.keys(jwk).filter((m) => typeof jwk[m] === 'string');
          if (names.length === 0) return jwk;
          const m = names[which % names.length]!;
          const s = jwk[m] as string;
          const i = at % (s.length + 1);
          return { ...jwk, [m]: s.slice(0, i) + insert + s.slice(i + (insert.length % 2)) };
        },
    ),
);

const mutated = fc
  .tuple(anyKey(), fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([key, publicForm, ms]) =>
    ms.reduce<JSONObject>(
      (jwk, m) => m(jwk),
      publicForm && key.kty !== 'oct' ? (toPublic(key) as JSONObject) : key,
    ),
  );

function checkProblems(problems: readonly Problem[]): void {
  for (const p of problems) {
    expect(p.code in PROBLEM_CODES, p.code).toBe(true);
    expect(p.code).not.toBe('JWK_CHECK_FAILED');
    expect(['error', 'warning']).toContain(p.severity);
    expect(typeof p.path).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
  }
}

describe('validation under random input', () => {
  it('accepts random keys of every type, private and public, with no problem at all', () => {
    fc.assert(
      fc.property(anyKey(), (key) => {
        for (const jwk of key.kty === 'oct' ? [key] : [key, toPublic(key)]) {
          const report = validateJWK(jwk, { strict: true });
          expect(report.problems).toEqual([]);
          expect(report.key).toEqual(jwk);
        }
      }),
      { numRuns: runs(60) },
    );
  });

  it('never throws from validateJWK, and parseJWK throws only JWKError, for mutated keys', () => {
    fc.assert(
      fc.property(mutated, fc.boolean(), fc.boolean(), (jwk, asText, strict) => {
        const input = asText ? JSON.stringify(jwk) : jwk;
        const report = validateJWK(input, { strict });
        checkProblems(report.problems);
        expect(report.valid).toBe(report.key !== undefined);
        expect(report.valid).toBe(!report.problems.some((p) => p.severity === 'error'));
        try {
          expect(parseJWK(input, { strict })).toEqual(report.key);
        } catch (e) {
          expect(e).toBeInstanceOf(JWKError);
          expect(report.valid).toBe(false);
        }
        if (report.key !== undefined) {
          // The canonical copy is a fixed point.
          const again = validateJWK(report.key, { strict });
          expect(again.valid).toBe(true);
          expect(again.key).toEqual(report.key);
        }
      }),
      { numRuns: runs(400) },
    );
  });

  it('never throws from validateJWKSet, keeps exactly the keys that validate alone, and parseJWKSet throws only JWKError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(mutated, anyKey(), fc.jsonValue({ maxDepth: 1 })), { maxLength: 6 }),
        (keys) => {
          const report = validateJWKSet({ keys });
          checkProblems([...report.problems, ...report.skipped.flatMap((s) => s.problems)]);
          expect(report.keys.length + report.skipped.length).toBe(keys.length);
          for (const key of report.keys) expect(validateJWK(key).valid).toBe(true);
          try {
            parseJWKSet(JSON.stringify({ keys }), { strict: true });
          } catch (e) {
            expect(e).toBeInstanceOf(JWKError);
          }
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it('never throws for arbitrary text or values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (input) => {
        checkProblems(validateJWK(input as object).problems);
        checkProblems(validateJWKSet(input as object).problems);
        for (const parse of [parseJWK, parseJWKSet]) {
          try {
            parse(input as object);
          } catch (e) {
            expect(e).toBeInstanceOf(JWKError);
          }
        }
      }),
      { numRuns: runs(500) },
    );
  });
});
