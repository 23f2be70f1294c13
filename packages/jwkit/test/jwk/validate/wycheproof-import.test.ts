/**
 * Wycheproof JWK-import files: ECDH WebCrypto (P-256, P-384, P-521, secp256k1) and XDH JWK
 * (X25519, X448). A test is `valid` when its public and private JWKs both validate and share
 * kty and crv; `acceptable` cases are accepted in lenient mode, with a warning where jwkit can
 * tell (points giving an all-zero shared secret, non-canonical u) so that strict mode rejects those
 * (docs/api/validate.md, "Wycheproof verdicts").
 */
import { describe, expect, it } from 'vitest';
import { readWycheproof } from '../../../../../test/helpers/vectors.js';
import type { Problem } from '../../../src/errors/index.js';
import { validateJWK } from '../../../src/jwk/validate/index.js';
import type { JSONObject } from './helpers.js';

interface Test {
  tcId: number;
  comment: string;
  flags: string[];
  public: JSONObject;
  private: JSONObject;
  result: 'valid' | 'invalid' | 'acceptable';
}

/** The secp256k1 file uses "P-256K", the curve's name in drafts of RFC 8812, which registered "secp256k1". */
const renameDraftCurve = (jwk: JSONObject) => (jwk.crv === 'P-256K' ? { ...jwk, crv: 'secp256k1' } : jwk);

/** Many tests share a private key; its (costly) consistency check runs once. */
const cache = new Map<string, Problem[]>();
function problemsOf(jwk: JSONObject): Problem[] {
  const text = JSON.stringify(jwk);
  let problems = cache.get(text);
  if (problems === undefined) {
    problems = validateJWK(text).problems;
    cache.set(text, problems);
  }
  return problems;
}
const hasError = (ps: Problem[]) => ps.some((p) => p.severity === 'error');

const FILES = [
  'ecdh_secp256r1_webcrypto_test.json',
  'ecdh_secp384r1_webcrypto_test.json',
  'ecdh_secp521r1_webcrypto_test.json',
  'ecdh_secp256k1_webcrypto_test.json',
  'x25519_jwk_test.json',
  'x448_jwk_test.json',
];

describe('Wycheproof JWK import verdicts', () => {
  for (const file of FILES) {
    it(file, () => {
      const tests = readWycheproof<{ testGroups: { tests: Test[] }[] }>(file).testGroups.flatMap(
        (g) => g.tests,
      );
      const wrong: string[] = [];
      for (const t of tests) {
        const pub = renameDraftCurve(t.public);
        const priv = renameDraftCurve(t.private);
        const pubProblems = problemsOf(pub);
        const privProblems = problemsOf(priv);
        const samePair = pub.kty === priv.kty && pub.crv === priv.crv;
        const lenient = !hasError(pubProblems) && !hasError(privProblems) && samePair;
        // strict: true turns every warning into an error, so it accepts exactly the problem-free keys.
        const strict = pubProblems.length === 0 && privProblems.length === 0 && samePair;
        const ok =
          t.result === 'valid'
            ? lenient && strict
            : t.result === 'invalid'
              ? !lenient && !strict
              : lenient &&
                // Points that make every shared secret zero (RFC 7748 §6.1) are flagged, so strict rejects them.
                (!t.flags.includes('ZeroSharedSecret') ||
                  pubProblems.some((p) => p.code === 'OKP_LOW_ORDER_POINT'));
        if (!ok)
          wrong.push(`tc ${t.tcId} ${t.comment} [${t.flags}] ${t.result}: ${pubProblems.map((p) => p.code)}`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('strict mode agrees with "no problems at all" on a sample', () => {
    const tests = readWycheproof<{ testGroups: { tests: Test[] }[] }>(
      'x25519_jwk_test.json',
    ).testGroups.flatMap((g) => g.tests);
    for (const t of tests.filter((_, i) => i % 10 === 0)) {
      expect(validateJWK(t.public, { strict: true }).valid).toBe(validateJWK(t.public).problems.length === 0);
    }
  });

  it('names the draft curve name in its message', () => {
    const [t] = readWycheproof<{ testGroups: { tests: Test[] }[] }>('ecdh_secp256k1_webcrypto_test.json')
      .testGroups[0]!.tests;
    const problem = validateJWK(t!.public).problems[0]!;
    expect(problem.code).toBe('CRV_UNKNOWN');
    expect(problem.message).toContain('secp256k1');
  });
});
