/**
 * Property tests: every signature algorithm round-trips sign -> verify on both backends, and
 * random mutations of valid tokens never verify and never throw anything but a JWKitError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS, nodeBackend } from '../../../../test/helpers/backends.js';
import { generateJWK } from '../../src/crypto/generate.js';
import { JWKitError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { decodeJWT } from '../../src/jwt/decode.js';
import { signJWS, signJWT } from '../../src/jwt/sign.js';
import { verifyJWS, verifyJWT } from '../../src/jwt/verify.js';
import { signatureAlgorithms } from '../../src/registry.js';
import { JWKSet } from '../../src/set/jwk-set.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 0) || 0;
const runs = (base: number) => Math.max(base, RUNS);

const ALGS = signatureAlgorithms().map((a) => a.alg);
// One key per algorithm (generation is the slow part; the key works on both backends).
const KEYS: Record<string, JWK> = {};
for (const alg of ALGS) {
  KEYS[alg] = (await generateJWK({
    alg,
    kid: `k-${alg}`,
    allowDeprecated: true,
    backend: nodeBackend,
  })) as JWK;
}
const verifyKey = (jwk: JWK): JWK => (jwk.kty === 'oct' ? jwk : (toPublic(jwk) as JWK));
const SET = new JWKSet(Object.values(KEYS).map(verifyKey));

const claims = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !['exp', 'nbf', 'iat'].includes(k)),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 6 },
);

describe.each(BACKENDS)('sign -> verify round trip ($name backend)', ({ backend }) => {
  it('covers every registered signature algorithm', () => {
    expect(ALGS).toEqual(
      expect.arrayContaining(['HS256', 'RS256', 'PS512', 'ES256K', 'EdDSA', 'Ed25519', 'Ed448']),
    );
  });

  it.each(ALGS)('%s: any claims set survives signJWT -> verifyJWT (single key and set)', async (alg) => {
    await fc.assert(
      fc.asyncProperty(claims, async (payload) => {
        const token = await signJWT(payload, KEYS[alg]!, { backend });
        const viaKey = await verifyJWT(token, verifyKey(KEYS[alg]!), { backend });
        const viaSet = await verifyJWT(token, SET, { backend });
        const expected = JSON.parse(JSON.stringify(payload));
        expect(viaKey.payload).toMatchObject(expected);
        expect(viaSet.payload).toEqual(viaKey.payload);
        expect(viaSet.header).toMatchObject({ alg, kid: `k-${alg}` });
      }),
      { numRuns: runs(4) },
    );
  });

  it('arbitrary payload octets survive signJWS -> verifyJWS', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ALGS), fc.uint8Array({ maxLength: 300 }), async (alg, bytes) => {
        const token = await signJWS(bytes, KEYS[alg]!, { backend });
        expect((await verifyJWS(token, SET, { backend })).payload).toEqual(bytes);
      }),
      { numRuns: runs(30) },
    );
  });
});

/** A mutation of a token: replace, insert or delete characters, or rearrange its parts. */
const CHARS = 'AZaz09-_.=+/ ?\u00e9\u0000';
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.constantFrom(...CHARS) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: fc.constantFrom(...CHARS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('bitflip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 5 }) }),
  fc.record({
    kind: fc.constant('swap' as const),
    a: fc.integer({ min: 0, max: 2 }),
    b: fc.integer({ min: 0, max: 2 }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function mutate(token: string, m: Mutation): string {
  if (m.kind === 'swap') {
    const parts = token.split('.');
    [parts[m.a], parts[m.b]] = [parts[m.b]!, parts[m.a]!];
    return parts.join('.');
  }
  const at = m.at % (token.length + (m.kind === 'insert' ? 1 : 0));
  if (m.kind === 'replace') return token.slice(0, at) + m.char + token.slice(at + 1);
  if (m.kind === 'insert') return token.slice(0, at) + m.char + token.slice(at);
  if (m.kind === 'delete') return token.slice(0, at) + token.slice(at + m.length);
  const i = B64.indexOf(token[at]!);
  if (i < 0) return token;
  return token.slice(0, at) + B64[i ^ (1 << m.bit)] + token.slice(at + 1);
}

describe.each(BACKENDS)('mutated tokens ($name backend)', ({ backend }) => {
  it('never verify, and only ever fail with a JWKitError', async () => {
    const tokens: string[] = [];
    for (const alg of ['HS256', 'RS256', 'PS256', 'ES256', 'ES256K', 'Ed25519', 'Ed448']) {
      tokens.push(await signJWT({ sub: 'victim', admin: false }, KEYS[alg]!, { backend }));
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...tokens),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (token, ms) => {
          const mutated = ms.reduce(mutate, token);
          fc.pre(mutated !== token);
          for (const source of [SET, verifyKey(KEYS[decodeJWT(token).header.alg]!)]) {
            let error: unknown;
            try {
              await verifyJWT(mutated, source, { backend });
            } catch (e) {
              error = e;
            }
            expect(error, mutated).toBeInstanceOf(JWKitError);
          }
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
