/**
 * Property fuzzing of every parser that reads untrusted input, through the public API:
 * strict JSON (with duplicates), JWK, JWK Set, PEM/DER/X.509, and the JWS compact
 * serialization. The properties: the only exception is a JWKitError with a code; the strict
 * JSON parser agrees with JSON.parse on every document both accept and never touches
 * prototypes; a mutated token never verifies.
 *
 * CI runs a bounded number of cases (seconds); `npm run fuzz` sets FUZZ_RUNS=1000000 and runs
 * that many per property (each class's count is saved in test-artifacts/adversarial/). A hang
 * fails the test through its timeout.
 */

import { generateKeyPairSync } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  certificateToJWK,
  decodeJWT,
  derToJWK,
  type JWK,
  JWKitError,
  JWKSet,
  jwkToDER,
  jwkToPEM,
  parseJSON,
  parseJWK,
  parseJWKSet,
  pemToJWKs,
  signJWS,
  toPublic,
  validateJWK,
  validateJWKSet,
  verifyJWS,
  verifyJWTSync,
} from '../../packages/jwkit/src/index.node.js';
import { JWK_MEMBER_NAMES } from '../helpers/jwk-members.js';
import { openssl } from '../helpers/openssl.js';
import { b64u, keyPairs } from './support.js';
import { fuzzRuns, LONG_TIMEOUT, tally } from './tally.js';

const pairs = await keyPairs();
const ecdh = [generateKeyPairSync('x25519'), generateKeyPairSync('x448')].map(
  (pair) => pair.privateKey.export({ format: 'jwk' }) as JWK,
);
const oct = { kty: 'oct', k: b64u(new Uint8Array(32).fill(7)), alg: 'HS256', kid: 'oct' } as JWK;
const PRIVATE: JWK[] = [...pairs.map((p) => p.private as JWK), ...ecdh, oct];
const PUBLIC: JWK[] = [...pairs.map((p) => p.public), ...ecdh.map((k) => toPublic(k) as JWK), oct];
const SET = new JWKSet(PUBLIC.filter((k) => k.kty === 'oct' || k.alg !== undefined));

/** Runs `fn`; anything thrown must be a JWKitError with a string code. */
function onlyJWKitErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof JWKitError) || typeof error.code !== 'string') throw error;
  }
}
async function onlyJWKitErrorsAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof JWKitError) || typeof error.code !== 'string') throw error;
  }
}

/** Up to `max` edits of a string: replace, insert or delete a character, drawn from `chars`. */
function mutate(base: fc.Arbitrary<string>, chars: fc.Arbitrary<string>, max = 4): fc.Arbitrary<string> {
  const edit = fc.tuple(
    fc.constantFrom('replace', 'insert', 'delete'),
    fc.double({ min: 0, max: 1, noNaN: true }),
    chars,
  );
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: max })).map(([s, edits]) => {
    let out = s;
    for (const [kind, where, ch] of edits) {
      const at = Math.floor(where * (out.length + (kind === 'insert' ? 1 : 0)));
      if (kind === 'insert') out = out.slice(0, at) + ch + out.slice(at);
      else if (kind === 'delete') out = out.slice(0, at) + out.slice(at + 1);
      else out = out.slice(0, at) + ch + out.slice(at + 1);
    }
    return out;
  });
}

const JSON_CHARS = fc.constantFrom(
  ...'{}[]:,"\\ \n\t0123456789-+.eEtrufalsn'.split(''),
  '\u0000',
  '\ud800',
  '"kty"',
  '"keys"',
  '"__proto__"',
);

/** A JSON text whose objects draw member names from a tiny pool, so duplicates are common. */
const dupJSON: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object')),
  leaf: fc.oneof(
    fc.constant('null'),
    fc.constant('true'),
    fc.integer().map(String),
    fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
  object: fc
    .array(
      fc.tuple(
        fc.constantFrom('kty', 'alg', 'kid', 'x', 'keys', '__proto__', 'constructor', 'a\u0000'),
        tie('value'),
      ),
      { maxLength: 5 },
    )
    .map((es) => `{${es.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
})).value as fc.Arbitrary<string>;

describe('strict JSON (parseJSON)', () => {
  const T = tally('fuzz-json');

  it(
    'agrees with JSON.parse on valid documents, reports exactly their duplicates, and never pollutes prototypes',
    () => {
      fc.assert(
        fc.property(fc.oneof(dupJSON, fc.json({ maxDepth: 5 })), (text) => {
          T.tried();
          const { value, problems } = parseJSON(text);
          // node's deep-strict equality: same prototypes and own members (vitest's compares
          // `constructor`, which a document may define).
          expect(isDeepStrictEqual(value, JSON.parse(text)), text).toBe(true);
          const dupes = problems.filter((p) => p.code === 'JSON_DUPLICATE_MEMBER').length;
          expect(dupes > 0).toBe(hasDuplicate(JSON.parse(text, dupeReviver(text))));
          expect(({} as Record<string, unknown>).kty).toBeUndefined();
        }),
        { numRuns: fuzzRuns(2000) },
      );
    },
    LONG_TIMEOUT,
  );

  it(
    'on mutated text: a JWKError exactly when JSON.parse refuses (within the depth limit)',
    () => {
      fc.assert(
        fc.property(mutate(fc.oneof(dupJSON, fc.json({ maxDepth: 4 })), JSON_CHARS), (text) => {
          T.tried();
          let native: unknown;
          let nativeOk = true;
          try {
            native = JSON.parse(text);
          } catch {
            nativeOk = false;
          }
          try {
            const { value } = parseJSON(text);
            expect(nativeOk, `parseJSON accepted what JSON.parse refuses: ${JSON.stringify(text)}`).toBe(
              true,
            );
            expect(isDeepStrictEqual(value, native), text).toBe(true);
          } catch (error) {
            if (!(error instanceof JWKitError)) throw error;
            expect(nativeOk, `parseJSON refused what JSON.parse accepts: ${JSON.stringify(text)}`).toBe(
              false,
            );
          }
        }),
        { numRuns: fuzzRuns(2000) },
      );
    },
    LONG_TIMEOUT,
  );
});

/** Whether a parsed document had a duplicate member name (recorded by the reviver below). */
function hasDuplicate(marker: unknown): boolean {
  return marker === DUP;
}
const DUP = Symbol('duplicate');
/** A reviver cannot see duplicates; a scan of the text can: any object with a repeated name. */
function dupeReviver(text: string): (this: unknown, key: string, value: unknown) => unknown {
  const found = scanDuplicates(text);
  return (key, value) => (key === '' && found ? DUP : value);
}
/** A tiny tokenizer that tracks member names per object (test oracle for duplicates). */
function scanDuplicates(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '{') {
      stack.push(new Set());
      expectName = true;
    } else if (c === '[') {
      stack.push(null);
      expectName = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectName = false;
    } else if (c === ',') expectName = stack.at(-1) instanceof Set;
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (expectName) {
        const name = JSON.parse(text.slice(i, j + 1)) as string;
        const names = stack.at(-1) as Set<string>;
        if (names.has(name)) return true;
        names.add(name);
        expectName = false;
      }
      i = j;
    }
  }
  return false;
}

describe('JWK and JWK Set', () => {
  const TK = tally('fuzz-jwk');
  const TS = tally('fuzz-jwks');
  const member = fc.oneof(
    fc.base64String({ maxLength: 120 }).map((s) => s.replace(/\+/g, '-').replace(/\//g, '_')),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('', 'AQAB', 'AA', 'P-256', 'Ed25519', 'sig', 'enc', 'none'),
    fc.integer(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  );
  /** A real key with members replaced, removed or added at random. */
  const jwkLike = fc
    .tuple(
      fc.constantFrom(...PRIVATE, ...PUBLIC),
      fc.array(fc.tuple(fc.constantFrom(...JWK_MEMBER_NAMES), fc.option(member, { nil: undefined })), {
        maxLength: 4,
      }),
    )
    .map(([key, edits]) => {
      const out: Record<string, unknown> = { ...key };
      for (const [name, value] of edits) {
        if (value === undefined) delete out[name];
        else
          Object.defineProperty(out, name, { value, enumerable: true, configurable: true, writable: true });
      }
      return out;
    });
  const jwkText = fc.oneof(
    jwkLike.map((k) => JSON.stringify(k)),
    mutate(
      jwkLike.map((k) => JSON.stringify(k)),
      JSON_CHARS,
      3,
    ),
  );

  it(
    'parseJWK / validateJWK on objects and text: a report or a JWKitError, nothing else',
    () => {
      fc.assert(
        fc.property(fc.oneof(jwkLike, jwkText, fc.anything()), (input) => {
          TK.tried();
          const report = validateJWK(input as object);
          expect(typeof report.valid).toBe('boolean');
          for (const p of report.problems) expect(typeof p.code).toBe('string');
          onlyJWKitErrors(() => parseJWK(input as object));
        }),
        { numRuns: fuzzRuns(1500) },
      );
    },
    LONG_TIMEOUT,
  );

  it(
    'parseJWKSet / validateJWKSet / JWKSet.from: a report or a JWKitError; kept keys are valid',
    () => {
      const setLike = fc.array(fc.oneof(jwkLike, fc.anything()), { maxLength: 6 }).map((keys) => ({ keys }));
      const setText = mutate(
        setLike.map((s) => JSON.stringify(s)),
        JSON_CHARS,
        3,
      );
      fc.assert(
        fc.property(fc.oneof(setLike, setText, fc.anything()), (input) => {
          TS.tried();
          const report = validateJWKSet(input as object);
          for (const k of report.keys) expect(validateJWK(k).valid).toBe(true);
          onlyJWKitErrors(() => parseJWKSet(input as object));
          onlyJWKitErrors(() => {
            const set = JWKSet.from(input as object);
            JSON.stringify(set.toJSON());
          });
        }),
        { numRuns: fuzzRuns(800) },
      );
    },
    LONG_TIMEOUT,
  );
});

/** A self-signed certificate and every key type as PEM and DER, private and public. */
async function pemSamples(): Promise<{ pem: string; der: Uint8Array }[]> {
  const ssl = openssl();
  try {
    ssl.run([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=fuzz',
      '-days',
      '2',
      '-keyout',
      'k.pem',
      '-out',
      'c.pem',
    ]);
    const samples = [
      { pem: ssl.read('c.pem'), der: ssl.runBytes(['x509', '-in', 'c.pem', '-outform', 'DER']) },
    ];
    for (const key of PRIVATE.filter((k) => k.kty !== 'oct')) {
      samples.push({ pem: await jwkToPEM(key), der: await jwkToDER(key) });
      samples.push({ pem: await jwkToPEM(toPublic(key)), der: await jwkToDER(toPublic(key)) });
    }
    return samples;
  } finally {
    ssl.cleanup();
  }
}
const samples = await pemSamples();
const tokens = await Promise.all(
  PRIVATE.filter((k) => k.kty === 'oct' || k.alg !== undefined).map((key) => signJWS('{"sub":"fuzz"}', key)),
);

describe('PEM, DER and X.509', () => {
  const T = tally('fuzz-pem');
  const derMutant = fc
    .tuple(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat(), { nil: undefined }),
    )
    .map(([s, edits, cut]) => {
      const out = new Uint8Array(s.der);
      for (const [at, byte] of edits) out[at % out.length] = byte;
      return cut === undefined ? out : out.subarray(0, cut % (out.length + 1));
    });
  const pemMutant = mutate(
    fc.constantFrom(...samples.map((s) => s.pem)),
    fc.constantFrom(
      '-',
      '=',
      'A',
      '/',
      '+',
      '\n',
      '\r',
      ' ',
      'BEGIN',
      '-----END CERTIFICATE-----\n',
      '-----BEGIN PRIVATE KEY-----\n',
    ),
    4,
  );

  it(
    'derToJWK, pemToJWKs and certificateToJWK on mutants and noise: a key or a JWKitError',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(derMutant, fc.uint8Array({ maxLength: 300 })),
          pemMutant,
          async (der, pem) => {
            T.tried(3);
            await onlyJWKitErrorsAsync(() => derToJWK(der));
            await onlyJWKitErrorsAsync(() => pemToJWKs(pem));
            await onlyJWKitErrorsAsync(() => certificateToJWK(der));
          },
        ),
        { numRuns: fuzzRuns(600) },
      );
    },
    LONG_TIMEOUT,
  );
});

describe('JWS compact serialization', () => {
  const T = tally('fuzz-jws');
  const tokenChars = fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'.split(''),
    '=',
    ' ',
    '+',
    '/',
    '\u0000',
  );

  it(
    'a mutated token never verifies, and every refusal is a JWKitError (sync and async paths, decode too)',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...tokens)
            .chain((t) => mutate(fc.constant(t), tokenChars, 3).map((m) => [t, m] as const)),
          async ([original, token]) => {
            if (token === original) return;
            T.tried();
            let accepted = false;
            try {
              await verifyJWS(token, SET);
              accepted = true;
            } catch (error) {
              if (!(error instanceof JWKitError)) throw error;
            }
            expect(accepted, `mutant verified: ${token}`).toBe(false);
            onlyJWKitErrors(() => verifyJWTSync(token, SET));
            onlyJWKitErrors(() => decodeJWT(token));
          },
        ),
        { numRuns: fuzzRuns(1500) },
      );
    },
    LONG_TIMEOUT,
  );

  it(
    'random strings and random JSON headers: a JWKitError, never anything else',
    async () => {
      const header = fc.oneof(
        fc.json({ maxDepth: 3 }),
        fc
          .record(
            {
              alg: fc.oneof(fc.constantFrom('ES256', 'HS256', 'none', 'RS256', 'EdDSA'), fc.string()),
              kid: fc.oneof(fc.string(), fc.integer()),
              crit: fc.anything(),
            },
            { requiredKeys: ['alg'] },
          )
          .map((h) => JSON.stringify(h)),
      );
      const shaped = fc
        .tuple(header, fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 80 }))
        .map(([h, p, s]) => `${b64u(h)}.${b64u(p)}.${b64u(s)}`);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(shaped, fc.string({ maxLength: 200 }), fc.stringMatching(/^[A-Za-z0-9_\-.=]{0,120}$/)),
          async (token) => {
            T.tried();
            await onlyJWKitErrorsAsync(() => verifyJWS(token, SET));
            onlyJWKitErrors(() => decodeJWT(token));
          },
        ),
        { numRuns: fuzzRuns(1500) },
      );
    },
    LONG_TIMEOUT,
  );
});
