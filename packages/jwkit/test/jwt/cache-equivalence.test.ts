/**
 * Issue 15: the verification caches (decoded headers by their segment text, reused selection
 * options, the ASCII HMAC path) must never change a verdict. Every Wycheproof JWS case and a set
 * of adversarial tokens are verified with the header cache on (twice, so the second pass answers
 * from the cache) and off; verdict, error code and payload must be identical.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readWycheproof } from '../../../../test/helpers/vectors.js';
import { JWKitError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { setHeaderCache } from '../../src/jwt/compact.js';
import { verifyJWS, verifyJWT, verifyJWTSync } from '../../src/jwt/verify.js';
import { JWKSet } from '../../src/set/jwk-set.js';

interface Group {
  public?: JWK;
  private?: JWK;
  tests: { tcId: number; jws: unknown }[];
}
const wycheproof = readWycheproof<{ testGroups: Group[] }>('json_web_signature_test.json');

type Outcome = { valid: true; payload: string } | { valid: false; code: string };

async function outcome(run: () => Promise<{ payload: unknown }> | { payload: unknown }): Promise<Outcome> {
  try {
    const r = await run();
    const p = r.payload;
    return {
      valid: true,
      payload: p instanceof Uint8Array ? Buffer.from(p).toString('hex') : JSON.stringify(p),
    };
  } catch (error) {
    expect(error).toBeInstanceOf(JWKitError);
    return { valid: false, code: (error as JWKitError).code };
  }
}

afterEach(() => setHeaderCache(true));

/** The outcomes of `cases` cache on (two passes) and cache off. */
async function compare(cases: (() => Promise<{ payload: unknown }> | { payload: unknown })[]) {
  setHeaderCache(true);
  const cold = [];
  for (const c of cases) cold.push(await outcome(c));
  const warm = [];
  for (const c of cases) warm.push(await outcome(c));
  setHeaderCache(false);
  const off = [];
  for (const c of cases) off.push(await outcome(c));
  return { cold, warm, off };
}

describe('cached and uncached verification agree (issue 15)', () => {
  it('on every Wycheproof json_web_signature_test.json case, with a JWK and with a set', async () => {
    const cases = wycheproof.testGroups.flatMap((g) =>
      g.tests.flatMap((t) => {
        const key = (g.public ?? g.private)!;
        const token = typeof t.jws === 'string' ? t.jws : JSON.stringify(t.jws);
        const set = new JWKSet([key]);
        return [() => verifyJWS(token, key), () => verifyJWS(token, set), () => verifyJWT(token, set)];
      }),
    );
    expect(cases.length).toBe(401 * 3);
    const { cold, warm, off } = await compare(cases);
    expect(warm).toEqual(off);
    expect(cold).toEqual(off);
    expect(off.some((o) => o.valid)).toBe(true);
  });

  it('on adversarial tokens: headers sharing a prefix, one header under several keys, tampering', async () => {
    const secret = (n: number) => Buffer.alloc(32, n).toString('base64url');
    const k1: JWK = { kty: 'oct', k: secret(1), kid: 'a', alg: 'HS256' };
    const k2: JWK = { kty: 'oct', k: secret(2), kid: 'a', alg: 'HS256' };
    const k3: JWK = { kty: 'oct', k: secret(3), kid: 'ab', alg: 'HS256' };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const mac = (input: string, k: JWK) =>
      createHmac('sha256', Buffer.from(k.k as string, 'base64url'))
        .update(input)
        .digest('base64url');
    const exp = Math.floor(Date.now() / 1000) + 600;
    const payload = b64({ sub: 'x', exp });
    const token = (header: unknown, k: JWK, pl = payload) => {
      const input = `${typeof header === 'string' ? header : b64(header)}.${pl}`;
      return `${input}.${mac(input, k)}`;
    };
    const h = b64({ alg: 'HS256', kid: 'a' });
    const tokens = [
      token({ alg: 'HS256', kid: 'a' }, k1),
      // The cached header plus more characters: a longer segment that starts with the cached one.
      token(`${h}e30`, k1),
      token({ alg: 'HS256', kid: 'ab' }, k3),
      token({ alg: 'HS256', kid: 'ab' }, k1), // right prefix, wrong key
      token({ alg: 'HS256', kid: 'a', crit: ['x'], x: 1 }, k1),
      token({ alg: 'none', kid: 'a' }, k1),
      token({ alg: 'HS256', kid: 'a', b64: false }, k1),
      token({ alg: 'RS256', kid: 'a' }, k1),
      `${h.slice(0, -1)}.${payload}.${mac(`${h.slice(0, -1)}.${payload}`, k1)}`, // truncated header
      `${h}.${payload}.${mac(`${h}.${payload}`, k1).slice(0, -2)}`, // short tag
      `${h}.${payload}x.${mac(`${h}.${payload}x`, k1)}`, // non-canonical payload base64url
      token({ alg: 'HS256', kid: 'a' }, k1, b64({ sub: 'x', exp: 1 })), // expired
      token({ alg: 'HS256', kid: 'a' }, k1, b64([1])), // not a claims set
    ];
    const sets = [new JWKSet([k1, k3]), new JWKSet([k2, k3])]; // same header, different key per set
    const cases = tokens.flatMap((t) => [
      ...sets.flatMap((s) => [() => verifyJWT(t, s), () => verifyJWTSync(t, s), () => verifyJWS(t, s)]),
      () => verifyJWT(t, k1),
      () => verifyJWT(t, k2),
      () => verifyJWT(t, k1, { crit: ['x'] }),
      () => verifyJWT(t, k1, { algorithms: ['HS384'] }),
      () => verifyJWT(t, sets[0]!, { multipleMatches: 'try-all' }),
    ]);
    const { cold, warm, off } = await compare(cases);
    expect(warm).toEqual(off);
    expect(cold).toEqual(off);
    // The same token passes with k1's set and fails with k2's: the cache keeps keys apart.
    expect(off[0]).toMatchObject({ valid: true });
    expect(off[3]).toMatchObject({ valid: false, code: 'ERR_JWT_SIGNATURE_INVALID' });
  });
});
