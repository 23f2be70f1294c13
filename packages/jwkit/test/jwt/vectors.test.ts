/**
 * Known-answer tests through the public verify API: Wycheproof json_web_signature_test.json,
 * RFC 7515 Appendix A and E, and the RFC 7520 §4 JWS examples, on both crypto backends.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../../test/helpers/backends.js';
import { readJSON, readWycheproof } from '../../../../test/helpers/vectors.js';
import { JWKitError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { type VerifyJWSOptions, verifyJWS, verifyJWT } from '../../src/jwt/verify.js';
import { JWKSet } from '../../src/set/jwk-set.js';

interface WycheproofTest {
  tcId: number;
  comment: string;
  jws: unknown;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface WycheproofGroup {
  comment: string;
  public?: JWK;
  private?: JWK;
  tests: WycheproofTest[];
}
const wycheproof = readWycheproof<{ testGroups: WycheproofGroup[] }>('json_web_signature_test.json');

/**
 * Cases whose expected result in the file is wrong, or depends on a policy; see
 * ../shared/vectors/README.md "Known quirks". Each is asserted with the corrected verdict, never
 * skipped.
 */
const CORRECTED: Record<number, { result: 'valid' | 'invalid'; why: string }> = {
  367: {
    result: 'valid',
    why: 'same jws string as tc 357 (ValidMac): the padding it is named for is not in the data',
  },
  370: {
    result: 'valid',
    why: 'same jws string as tc 357 (ValidMac): the padding it is named for is not in the data',
  },
  372: {
    result: 'invalid',
    why: 'header contains "?", the MAC covers the text without it; RFC 7515 §5.2 MACs the received ASCII',
  },
  373: {
    result: 'invalid',
    why: 'payload contains "?", the MAC covers the text without it; RFC 7515 §5.2 MACs the received ASCII',
  },
  346: { result: 'invalid', why: 'key-alg policy: the JWK says alg PS256, the header PS384 (RFC 7517 §4.4)' },
  350: { result: 'invalid', why: 'key-alg policy: the JWK says alg PS256, the header PS384 (RFC 7517 §4.4)' },
  347: {
    result: 'invalid',
    why: 'key-alg policy: the JWK says alg "ES521", which is no registered algorithm',
  },
  351: {
    result: 'invalid',
    why: 'key-alg policy: the JWK says alg "ES521", which is no registered algorithm',
  },
};

async function verdict(
  token: unknown,
  key: JWK | JWKSet,
  options: VerifyJWSOptions,
): Promise<{ valid: boolean; code?: string }> {
  const compact = typeof token === 'string' ? token : JSON.stringify(token);
  try {
    await verifyJWS(compact, key as JWK, options);
    return { valid: true };
  } catch (error) {
    // Everything a verifier throws is a JWKitError with a code, never a stray TypeError.
    expect(error, String(compact).slice(0, 80)).toBeInstanceOf(JWKitError);
    return { valid: false, code: (error as JWKitError).code };
  }
}

describe.each(BACKENDS)('Wycheproof json_web_signature_test.json ($name backend)', ({ backend }) => {
  const cases = wycheproof.testGroups.flatMap((g) => g.tests.map((t) => ({ group: g, test: t })));

  it('has the expected number of cases', () => {
    expect(cases).toHaveLength(401);
  });

  it('gives the expected verdict for every case, with a single JWK and with a set', async () => {
    const wrong: string[] = [];
    let corrected = 0;
    for (const { group, test } of cases) {
      const key = (group.public ?? group.private)!;
      const fix = CORRECTED[test.tcId];
      if (fix) corrected++;
      const expected = (fix?.result ?? test.result) === 'valid';
      // Wycheproof keys carry their alg (or are unusable by use/key_ops): no algorithms option,
      // so the key's alg is the policy. The set path adds kid matching.
      for (const source of [key, new JWKSet([key])]) {
        const got = await verdict(test.jws, source, { backend });
        if (got.valid !== expected)
          wrong.push(`tc ${test.tcId} ${test.comment}: got ${got.valid ? 'valid' : got.code}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(corrected).toBe(Object.keys(CORRECTED).length);
  });

  it('rejects the attacks with the codes that name them', async () => {
    const find = (id: number) => cases.find((c) => c.test.tcId === id)!;
    const code = async (id: number) =>
      (await verdict(find(id).test.jws, (find(id).group.public ?? find(id).group.private)!, { backend }))
        .code;
    expect(await code(16)).toBe('ERR_JWT_ALG_NONE');
    expect(await code(342)).toBe('ERR_JWT_ALG_NONE');
    expect(await code(17)).toBe('ERR_JWS_JSON_SERIALIZATION');
    expect(await code(31)).toBe('ERR_JWT_HMAC_WITH_ASYMMETRIC_KEY');
    expect(await code(32)).toBe('ERR_JWT_SIGNATURE_INVALID'); // embedded jwk ignored
    expect(await code(353)).toBe('ERR_JWT_KEY_UNUSABLE'); // use: enc
    expect(await code(355)).toBe('ERR_JWT_KEY_UNUSABLE'); // key_ops: encrypt
  });
});

interface RfcCase {
  id: string;
  alg?: string;
  jwk?: JWK;
  public_jwk?: JWK;
  compact?: string;
  json?: object;
  keys?: Record<string, JWK>;
}
const rfc7515 = readJSON<{ cases: RfcCase[] }>('vectors', 'rfc', 'rfc7515-appendix-a.json').cases;

describe.each(BACKENDS)('RFC 7515 Appendix A and E ($name backend)', ({ backend }) => {
  // The examples' keys carry no alg, so the verifier states it (RFC 8725 §3.1).
  const A1_EXP = 1300819380;
  const clock = () => (A1_EXP - 60) * 1000;

  it.each(['A.1', 'A.2', 'A.3'])('%s verifies (as a JWT, claims included)', async (id) => {
    const c = rfc7515.find((x) => x.id === id)!;
    const key = c.public_jwk ?? c.jwk!;
    const result = await verifyJWT(c.compact!, key, { backend, algorithms: [c.alg!], clock, issuer: 'joe' });
    expect(result.payload).toMatchObject({ iss: 'joe', exp: A1_EXP, 'http://example.com/is_root': true });
    // And it is expired by now.
    await expect(verifyJWT(c.compact!, key, { backend, algorithms: [c.alg!] })).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
  });

  it('A.4 (ES512, payload "Payload") verifies as a JWS', async () => {
    const c = rfc7515.find((x) => x.id === 'A.4')!;
    const result = await verifyJWS(c.compact!, c.public_jwk!, { backend, algorithms: ['ES512'] });
    expect(new TextDecoder().decode(result.payload)).toBe('Payload');
    expect((await verdict(c.compact, c.public_jwk!, { backend, algorithms: ['ES256'] })).code).toBe(
      'ERR_JWT_ALG_NOT_ALLOWED',
    );
  });

  it('A.5 (alg none) is rejected whatever the options say', async () => {
    const c = rfc7515.find((x) => x.id === 'A.5')!;
    for (const options of [{}, { algorithms: ['none'] }]) {
      for (const key of [rfc7515[0]!.jwk!, new JWKSet()]) {
        expect((await verdict(c.compact, key, { backend, ...options })).code).toBe('ERR_JWT_ALG_NONE');
      }
    }
  });

  it('A.6 and A.7 (JSON serializations) are rejected with a clear code', async () => {
    for (const id of ['A.6', 'A.7']) {
      const c = rfc7515.find((x) => x.id === id)!;
      const key = Object.values(c.keys!)[0]!;
      expect((await verdict(c.json, key, { backend, algorithms: ['RS256', 'ES256'] })).code).toBe(
        'ERR_JWS_JSON_SERIALIZATION',
      );
    }
  });

  it('E (unknown critical extension) is rejected', async () => {
    const c = rfc7515.find((x) => x.id === 'E')!;
    expect((await verdict(c.compact, rfc7515[0]!.jwk!, { backend })).valid).toBe(false);
  });
});

interface CookbookJWS {
  input: { payload: string; key?: JWK; alg: string };
  output: { compact?: string; json?: object; json_flat?: object };
}
const cookbook = (file: string) => readJSON<CookbookJWS>('vectors', 'jose-cookbook', 'jws', file);

describe.each(BACKENDS)('RFC 7520 §4 JWS examples ($name backend)', ({ backend }) => {
  it.each([
    '4_1.rsa_v15_signature.json',
    '4_2.rsa-pss_signature.json',
    '4_3.ecdsa_signature.json',
    '4_4.hmac-sha2_integrity_protection.json',
  ])('%s verifies and yields the payload', async (file) => {
    const { input, output } = cookbook(file);
    const set = new JWKSet([input.key!]);
    const result = await verifyJWS(output.compact!, set, { backend, algorithms: [input.alg] });
    expect(new TextDecoder().decode(result.payload)).toBe(input.payload);
    expect(result.key).not.toHaveProperty('d');
  });

  it('4.5 (detached content) verifies only with the content supplied', async () => {
    const { input, output } = cookbook('4_5.signature_with_detached_content.json');
    const options = { backend, algorithms: [input.alg] };
    expect((await verdict(output.compact, input.key!, options)).code).toBe('ERR_JWT_SIGNATURE_INVALID');
    const result = await verifyJWS(output.compact!, input.key!, {
      ...options,
      detachedPayload: input.payload,
    });
    expect(new TextDecoder().decode(result.payload)).toBe(input.payload);
  });

  it.each(['4_6.protecting_specific_header_fields.json', '4_7.protecting_content_only.json'])(
    '%s exists only as JSON serialization and is rejected with a clear code',
    async (file) => {
      const { input, output } = cookbook(file);
      for (const json of [output.json, output.json_flat]) {
        expect((await verdict(json, input.key!, { backend, algorithms: [input.alg] })).code).toBe(
          'ERR_JWS_JSON_SERIALIZATION',
        );
      }
    },
  );

  it('4.8 (multiple signatures) is rejected with a clear code', async () => {
    const doc = readJSON<{ output: { json: object } }>(
      'vectors',
      'jose-cookbook',
      'jws',
      '4_8.multiple_signatures.json',
    );
    expect((await verdict(doc.output.json, new JWKSet(), { backend })).code).toBe(
      'ERR_JWS_JSON_SERIALIZATION',
    );
  });
});
