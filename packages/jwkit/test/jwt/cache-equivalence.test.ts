/**
 * Issue 15: the verification caches (decoded headers by their segment text, reused selection
 * options, the HMAC text path with its prepared pads, the snapshot of a caller's JWK object) must
 * never change a verdict. Every Wycheproof JWS case and a set of adversarial tokens are verified
 * with the header cache on (twice, so the second pass answers from the cache) and off; tokens are
 * also verified right after a different token with the same header filled the cache, against
 * fresh copies of the key object with the cache off; and a property test checks that header
 * segments one character apart never share a cached header. Verdict, error code and payload must
 * be identical.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { readWycheproof } from '../../../../test/helpers/vectors.js';
import { JWKitError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { parseHeader, setHeaderCache } from '../../src/jwt/compact.js';
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

  it('with the cache warmed by a different token that shares the header, and with fresh key objects', async () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');
    const key: JWK = { kty: 'oct', k: secret, kid: 'w', alg: 'HS256' };
    const other: JWK = { kty: 'oct', k: Buffer.alloc(32, 8).toString('base64url'), kid: 'w', alg: 'HS256' };
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const sign = (h: string, p: string, k: JWK) =>
      `${h}.${p}.${createHmac('sha256', Buffer.from(k.k as string, 'base64url'))
        .update(`${h}.${p}`)
        .digest('base64url')}`;
    const exp = Math.floor(Date.now() / 1000) + 600;
    const headers = [
      b64({ alg: 'HS256', kid: 'w' }),
      b64({ alg: 'HS256', kid: 'w', typ: 'JWT' }),
      b64({ alg: 'HS256', kid: 'w', crit: ['x'], x: 1 }),
      b64({ alg: 'HS384', kid: 'w' }),
    ];
    const payloads = [b64({ sub: 'a', exp }), b64({ sub: 'b', exp: 1 }), b64('not an object')];
    const targets = headers.flatMap((h) => payloads.flatMap((p) => [sign(h, p, key), sign(h, p, other)]));
    const set = new JWKSet([key]);
    const run = (t: string, fresh: boolean) => [
      () => verifyJWT(t, set),
      () => verifyJWTSync(t, set),
      () => verifyJWT(t, fresh ? structuredClone(key) : key),
      () => verifyJWS(t, fresh ? structuredClone(key) : key),
    ];
    // Cache on: before each target, a different valid token with the same header fills the cache.
    setHeaderCache(true);
    const warmed: Outcome[] = [];
    for (const t of targets) {
      const header = t.slice(0, t.indexOf('.'));
      await outcome(() => verifyJWT(sign(header, b64({ sub: 'warm', exp }), key), set));
      for (const c of run(t, false)) warmed.push(await outcome(c));
    }
    setHeaderCache(false);
    const off: Outcome[] = [];
    for (const t of targets) for (const c of run(t, true)) off.push(await outcome(c));
    expect(warmed).toEqual(off);
    expect(off.filter((o) => o.valid).length).toBeGreaterThan(4);
  });

  it('never answers a header segment from another one that differs by one character (property)', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const secret = Buffer.alloc(32, 9).toString('base64url');
    const key: JWK = { kty: 'oct', k: secret, alg: 'HS256' };
    const mac = (input: string) =>
      createHmac('sha256', Buffer.from(secret, 'base64url')).update(input).digest('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'p' })).toString('base64url');
    setHeaderCache(true);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ kid: fc.string({ maxLength: 12 }), typ: fc.constantFrom(undefined, 'JWT', 'at+jwt') }),
        fc.nat(),
        fc.nat(63),
        async ({ kid, typ }, at, to) => {
          const h = Buffer.from(JSON.stringify({ alg: 'HS256', kid, typ })).toString('base64url');
          const i = at % h.length;
          const mutated = h.slice(0, i) + alphabet[to] + h.slice(i + 1);
          fc.pre(mutated !== h);
          const first = parseHeader(h);
          const tokenA = `${h}.${payload}.${mac(`${h}.${payload}`)}`;
          const tokenB = `${mutated}.${payload}.${mac(`${mutated}.${payload}`)}`;
          await outcome(() => verifyJWT(tokenA, key)); // A's header is now the cached one
          const warm = await outcome(() => verifyJWT(tokenB, key));
          let second: unknown;
          try {
            second = parseHeader(mutated);
          } catch {
            second = undefined;
          }
          expect(second).not.toBe(first);
          setHeaderCache(false);
          const cold = await outcome(() => verifyJWT(tokenB, key));
          setHeaderCache(true);
          expect(warm).toEqual(cold);
        },
      ),
      { numRuns: 300 },
    );
  });
});
