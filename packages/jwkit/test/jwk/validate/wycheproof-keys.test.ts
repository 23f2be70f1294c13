/**
 * Wycheproof json_web_key_test.json: the key-policy verdicts. A test's key set is `valid` exactly
 * when strict validation accepts it (docs/api/validate.md, "Wycheproof verdicts").
 */
import { describe, expect, it } from 'vitest';
import { readWycheproof } from '../../../../../test/helpers/vectors.js';
import { validateJWKSet } from '../../../src/jwk/validate/index.js';
import { getAlgorithm } from '../../../src/registry.js';
import type { JSONObject } from './helpers.js';

interface Group {
  comment: string;
  private?: { keys: JSONObject[] };
  public?: { keys: JSONObject[] };
  tests: { tcId: number; comment: string; result: 'valid' | 'invalid' }[];
}

const file = readWycheproof<{ testGroups: Group[] }>('json_web_key_test.json');

/** Not about the key: a modified signature (3) and a valid encryption key used to sign (6). */
const NOT_ABOUT_THE_KEY = new Set([3, 6]);

/** The code that decides each invalid case, and whether lenient mode already rejects it. */
const WHY: Record<number, { code: string; lenient: boolean }> = {
  1: { code: 'SET_MIXED_PRIVATE_PUBLIC', lenient: false },
  4: { code: 'SET_DUPLICATE_KID', lenient: true },
  7: { code: 'RSA_WEAK_ROCA', lenient: true },
  8: { code: 'RSA_MODULUS_TOO_SHORT', lenient: true },
  9: { code: 'RSA_EXPONENT_INVALID', lenient: true },
  10: { code: 'ALG_KEY_SIZE', lenient: true },
  11: { code: 'ALG_KEY_SIZE', lenient: true },
  12: { code: 'ALG_KEY_SIZE', lenient: true },
  16: { code: 'OCT_KEY_EMPTY', lenient: true },
  17: { code: 'OCT_KEY_EMPTY', lenient: true },
  18: { code: 'OCT_KEY_EMPTY', lenient: true },
  19: { code: 'ALG_UNKNOWN', lenient: false },
  20: { code: 'ALG_UNKNOWN', lenient: false },
  21: { code: 'ALG_USE_MISMATCH', lenient: true },
  22: { code: 'EC_POINT_NOT_ON_CURVE', lenient: true },
  23: { code: 'ALG_KEY_MISMATCH', lenient: true },
  24: { code: 'JWK_MEMBER_MISSING', lenient: true },
  25: { code: 'ALG_USE_MISMATCH', lenient: true },
  26: { code: 'ALG_USE_MISMATCH', lenient: true },
};

function allCodes(report: ReturnType<typeof validateJWKSet>): string[] {
  return [...report.problems, ...report.skipped.flatMap((s) => s.problems)].map((p) => p.code);
}

describe('Wycheproof json_web_key_test.json', () => {
  for (const group of file.testGroups) {
    for (const t of group.tests) {
      for (const which of ['private', 'public'] as const) {
        const set = group[which];
        if (set === undefined) continue;
        it(`tc ${t.tcId} ${t.comment} (${which} keys): ${t.result}`, () => {
          const strict = validateJWKSet(set, { strict: true });
          const lenient = validateJWKSet(set);
          if (t.tcId === 6) {
            // An RSA1_5 encryption key offered for RS256: valid as a key, never a signing key.
            expect(lenient.keys).toHaveLength(1);
            expect(getAlgorithm(lenient.keys[0]!.alg)?.use).toBe('enc');
            expect(lenient.keys[0]!.use).toBe('enc');
            return;
          }
          if (NOT_ABOUT_THE_KEY.has(t.tcId) || t.result === 'valid') {
            expect(strict.problems).toEqual([]);
            expect(strict.valid).toBe(true);
            return;
          }
          const why = WHY[t.tcId]!;
          expect(strict.valid).toBe(false);
          expect(allCodes(strict)).toContain(why.code);
          if (!why.lenient) {
            // A warning by default: the set stays usable, only strict mode rejects it.
            expect(lenient.valid).toBe(true);
            expect(lenient.skipped).toEqual([]);
          } else if (why.code === 'SET_DUPLICATE_KID') {
            expect(lenient.valid).toBe(false);
          } else {
            // The key itself is wrong: even lenient mode never hands it out.
            expect(lenient.keys).toEqual([]);
            expect(lenient.skipped.flatMap((sk) => sk.problems.map((p) => p.code))).toContain(why.code);
          }
        });
      }
    }
  }

  it('knows why each invalid case about the key is invalid', () => {
    const invalid = file.testGroups.flatMap((g) => g.tests).filter((t) => t.result === 'invalid');
    expect(invalid.filter((t) => !NOT_ABOUT_THE_KEY.has(t.tcId) && !(t.tcId in WHY))).toEqual([]);
  });
});
