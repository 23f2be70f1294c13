/**
 * Parsing attacks: duplicate JSON members (two readers, two meanings), non-canonical and padded
 * base64url (two strings, one signature), characters that lenient decoders skip, huge counts of
 * parts, keys and members, deep nesting, and very large inputs. Every one is refused with a
 * JWKitError (or, for a lenient set, reported), in bounded time, through the library and the CLI.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { STACK_TRACE, tempDir } from '../../packages/cli/test/helpers.js';
import {
  decodeJWT,
  type JWK,
  JWKSet,
  parseJSON,
  parseJWK,
  parseJWKSet,
  pemToJWK,
  pemToJWKs,
  signJWS,
  validateJWK,
  validateJWKSet,
  verifyJWS,
  verifyJWT,
} from '../../packages/jwkit/src/index.node.js';
import { b64u, jwkit, keyPairs, refusal } from './support.js';
import { deepRuns, LONG_TIMEOUT, tally } from './tally.js';

const T = tally('parsing');
const pairs = await keyPairs();
const es = pairs.find((p) => p.name === 'P-256')!;
const oct = { kty: 'oct', k: b64u(new Uint8Array(32).fill(5)), alg: 'HS256', kid: 'h' } as JWK;
const set = new JWKSet([es.public, oct]);
const good = await signJWS('{"sub":"victim"}', es.private);
const [H, P, S] = good.split('.') as [string, string, string];

/** Asserts `text` is refused by every JSON-reading entry point with a JWKitError. */
async function refusedEverywhere(text: string, label: string): Promise<string[]> {
  const codes = [
    await refusal(() => parseJWK(text), `parseJWK ${label}`),
    await refusal(() => parseJWKSet(text), `parseJWKSet ${label}`),
    await refusal(() => JWKSet.from(text), `JWKSet.from ${label}`),
  ];
  expect(validateJWK(text).valid).toBe(false);
  expect(validateJWKSet(text).valid).toBe(false);
  T.tried(5);
  return codes;
}

describe('duplicate JSON members', () => {
  it('a JWK or set that two JSON readers would read differently is refused', async () => {
    const pub = es.public as Record<string, string>;
    const dupes = [
      `{"kty":"EC","crv":"P-256","x":"${pub.x}","y":"${pub.y}","kty":"RSA"}`,
      `{"kty":"EC","crv":"P-256","x":"${pub.x}","x":"${pub.y}","y":"${pub.y}"}`,
      `{"kty":"EC","crv":"P-256","x":"${pub.x}","y":"${pub.y}","alg":"ES256","alg":"HS256"}`,
      `{"kty":"EC","crv":"P-256","x":"${pub.x}","y":"${pub.y}","kid":"a","kid":"b"}`,
      `{"kty":"EC","crv":"P-256","x":"${pub.x}","y":"${pub.y}","use":"enc","use":"sig"}`,
      // Escaped names are the same name (RFC 8259 §8.3).
      `{"kty":"EC","crv":"P-256","x":"${pub.x}","y":"${pub.y}","\\u006b\\u0069\\u0064":"a","kid":"b"}`,
    ];
    for (const text of dupes) {
      expect(await refusal(() => parseJWK(text), text)).toBe('ERR_JWK_INVALID');
      const report = validateJWK(text);
      expect(report.problems.map((p) => p.code)).toContain('JSON_DUPLICATE_MEMBER');
      T.tried(2);
    }
    const setText = `{"keys":[${JSON.stringify(es.public)}],"keys":[]}`;
    expect(validateJWKSet(setText).problems.map((p) => p.code)).toContain('JSON_DUPLICATE_MEMBER');
    expect(await refusal(() => parseJWKSet(setText, { strict: true }))).toBe('ERR_JWK_INVALID');
    const keyDup = `{"keys":[${dupes[2]}, ${JSON.stringify({ ...oct, kid: 'h2' })}]}`;
    const lenient = JWKSet.from(keyDup);
    expect(lenient.size).toBe(1);
    expect(lenient.list()[0]!.kty).toBe('oct');
    T.tried(3);
  });

  it('a token header with duplicate members is refused by verify and decode alike', async () => {
    // RFC 7515 §5.2 step 4 allows "reject" or "lexically last"; jwkit rejects, so no component
    // can read a different `alg` or `kid` than another one.
    for (const header of [
      `{"alg":"none","alg":"ES256"}`,
      `{"alg":"ES256","alg":"none"}`,
      `{"alg":"HS256","alg":"ES256","kid":"h"}`,
      `{"alg":"ES256","kid":"h","kid":"${es.public.kid}"}`,
    ]) {
      const token = `${b64u(header)}.${P}.${S}`;
      expect(await refusal(() => verifyJWS(token, set), header)).toBe('ERR_JWT_HEADER_INVALID');
      expect(await refusal(() => decodeJWT(token), header)).toBe('ERR_JWT_HEADER_INVALID');
      T.tried(2);
    }
  });

  it('strict JSON reports every duplicate with its path', () => {
    const { problems } = parseJSON('{"a":1,"b":{"c":1,"c":2},"a":3,"d":[{"e":1,"e":1}]}');
    expect(problems.filter((p) => p.code === 'JSON_DUPLICATE_MEMBER').map((p) => p.path)).toEqual([
      'b.c',
      'a',
      'd[0].e',
    ]);
    T.tried();
  });
});

describe('non-canonical and padded base64url', () => {
  /** Same octets, another spelling: flip the unused low bits of the last character. */
  function respell(part: string): string | undefined {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const rem = part.length % 4;
    if (rem === 0) return undefined;
    const last = alphabet.indexOf(part.at(-1)!);
    const spare = rem === 2 ? 0x0f : 0x03;
    return `${part.slice(0, -1)}${alphabet[last | spare]}`;
  }

  it('a token whose parts are padded, respelled or in the standard alphabet never verifies', async () => {
    const mutants: [string, string][] = [];
    for (const [i, part] of [H, P, S].entries()) {
      const parts = [H, P, S];
      const with_ = (v: string) => parts.map((p, j) => (j === i ? v : p)).join('.');
      const pad = '='.repeat((4 - (part.length % 4)) % 4);
      if (pad) mutants.push([`part ${i} padded`, with_(part + pad)]);
      mutants.push([`part ${i} extra "="`, with_(`${part}=`)]);
      const respelled = respell(part);
      if (respelled && respelled !== part)
        mutants.push([`part ${i} non-canonical last character`, with_(respelled)]);
      const std = part.replace(/-/g, '+').replace(/_/g, '/');
      if (std !== part) mutants.push([`part ${i} standard alphabet`, with_(std)]);
    }
    expect(mutants.length).toBeGreaterThanOrEqual(5);
    for (const [label, token] of mutants) {
      expect(await refusal(() => verifyJWS(token, set), label)).toBeOneOf([
        'ERR_JWT_BASE64URL',
        'ERR_JWT_SIGNATURE_INVALID',
      ]);
      T.tried();
    }
  });

  it('a JWK member that is non-canonical is an error; padding is a warning, an error in strict mode', () => {
    const pub = es.public as Record<string, string>;
    const respelled = respell(pub.x!);
    if (respelled && respelled !== pub.x) {
      expect(validateJWK({ ...pub, x: respelled }).problems.map((p) => p.code)).toContain(
        'B64URL_NONCANONICAL',
      );
    }
    const padded = { ...pub, x: `${pub.x}=` };
    const lenient = validateJWK(padded);
    const strict = validateJWK(padded, { strict: true });
    expect(lenient.problems.map((p) => p.code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^B64URL_/)]),
    );
    expect(strict.valid).toBe(false);
    T.tried(3);
  });
});

describe('characters that lenient decoders skip', () => {
  const SKIPPED = [
    ' ',
    '\t',
    '\n',
    '\r',
    '\u0000',
    '\u00a0',
    '\u200b',
    '\ufeff',
    '=',
    '+',
    '/',
    '%',
    '\\',
    '"',
    '*',
    '.',
    '\u00e9',
  ];

  it(
    'inserted anywhere in a valid token, they never yield a valid verification',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(good.length), fc.constantFrom(...SKIPPED), async (at, ch) => {
          const token = `${good.slice(0, at)}${ch}${good.slice(at)}`;
          await refusal(() => verifyJWT(token, set), JSON.stringify(ch));
          T.tried();
        }),
        { numRuns: deepRuns(300, 50_000) },
      );
    },
    LONG_TIMEOUT,
  );

  it('inserted in a JWK member they make the key invalid, never a different valid key', () => {
    const pub = es.public as Record<string, string>;
    for (const ch of SKIPPED.filter((c) => c !== '=')) {
      for (const member of ['x', 'y']) {
        const v = pub[member]!;
        const report = validateJWK({ ...pub, [member]: `${v.slice(0, 10)}${ch}${v.slice(10)}` });
        expect(report.valid, `${member} with ${JSON.stringify(ch)}`).toBe(false);
        T.tried();
      }
    }
  });
});

describe('huge counts', () => {
  it('tokens with many parts are refused without splitting them all', async () => {
    for (const n of [4, 5, 6, 100, 10_000]) {
      const token = Array.from({ length: n }, () => 'e30').join('.');
      expect(await refusal(() => verifyJWS(token, set))).toBeOneOf([
        'ERR_JWT_MALFORMED',
        'ERR_JWT_IS_JWE',
        'ERR_JWT_TOO_LONG',
      ]);
      T.tried();
    }
    const dots = '.'.repeat(60_000);
    expect(await refusal(() => verifyJWS(dots, set))).toBe('ERR_JWT_MALFORMED');
    T.tried();
  });

  it('a set with more keys than maxKeys is refused (remote) or cut with a problem (local)', () => {
    const keys = Array.from({ length: 1001 }, (_, i) => ({ ...oct, kid: `k${i}` }));
    const report = validateJWKSet({ keys });
    expect(report.problems.map((p) => p.code)).toContain('SET_TOO_MANY_KEYS');
    expect(report.keys.length).toBeLessThanOrEqual(1000);
    const small = validateJWKSet({ keys: keys.slice(0, 20) }, { maxKeys: 10 });
    expect(small.problems.map((p) => p.code)).toContain('SET_TOO_MANY_KEYS');
    T.tried(2);
  });

  it('a key or header with 50 000 members is handled in bounded time', async () => {
    const members: Record<string, string> = { ...(es.public as Record<string, string>) };
    for (let i = 0; i < 50_000; i++) members[`m${i}`] = 'x';
    // Unknown members are allowed (RFC 7517 §4); what matters is a bounded answer.
    const report = validateJWK(JSON.stringify(members));
    expect(report.valid).toBe(true);
    expect(report.key?.kty).toBe('EC');
    const header: Record<string, unknown> = { alg: 'ES256' };
    for (let i = 0; i < 5000; i++) header[`h${i}`] = i;
    const token = `${b64u(JSON.stringify(header))}.${P}.${S}`;
    await refusal(() => verifyJWS(token, set));
    T.tried(2);
  });
});

describe('deep nesting', () => {
  it('100 000 levels in a JWK or a set: refused with JSON_TOO_DEEP, no stack overflow', async () => {
    for (const open of ['[', '{"a":']) {
      const close = open === '[' ? ']' : '}';
      const deep = `${open.repeat(100_000)}1${close.repeat(100_000)}`;
      const codes = await refusedEverywhere(deep, `${open} x 100000`);
      for (const c of codes) expect(c).toBe('ERR_JWK_INVALID');
      expect(validateJWK(deep).problems.map((p) => p.code)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^JSON_TOO_(DEEP|LONG)$/)]),
      );
      expect(validateJWK(`{"kty":"EC","x5c":${deep}}`).valid).toBe(false);
      T.tried();
    }
  });

  it('a token header nested 20 000 deep (inside the default 64 KiB token limit) is refused with a JWTError', async () => {
    // 20 000 levels fit in 64 KiB of base64url; JSON.parse reads them, so whatever walks the
    // parsed header afterwards must not recurse per level.
    for (const open of ['[', '{"a":']) {
      const close = open === '[' ? ']' : '}';
      const nested = `${open.repeat(20_000)}1${close.repeat(20_000)}`;
      for (const header of [
        nested,
        `{"alg":"HS256","x":${nested}}`,
        `{"alg":"ES256","kid":"h","jwk":{"a":${nested}}}`,
      ]) {
        const token = `${b64u(header)}.${P}.${S}`;
        await refusal(() => verifyJWS(token, set, { maxTokenLength: 1 << 20 }), header.slice(0, 30));
        await refusal(() => decodeJWT(token), header.slice(0, 30));
        T.tried(2);
      }
    }
  });
});

describe('very large inputs', () => {
  const MB = 1 << 20;

  it('10 MB JSON, JWK members, tokens and PEM are refused quickly with their own codes', async () => {
    const huge = 'A'.repeat(10 * MB);
    const codes = await refusedEverywhere(`{"kty":"RSA","n":"${huge}","e":"AQAB"}`, '10 MB n');
    expect(codes).toEqual(['ERR_JWK_INVALID', 'ERR_JWK_INVALID', 'ERR_JWK_INVALID']);
    // Inside the length limit: a 4-million-bit modulus is refused by its size.
    const big = validateJWK({ kty: 'RSA', n: `${'_'.repeat(500_000)}w`, e: 'AQAB' });
    expect(big.problems.map((p) => p.code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/RSA_MODULUS_TOO_LONG|B64URL/)]),
    );
    expect(await refusal(() => verifyJWS(`${H}.${huge}.${S}`, set))).toBe('ERR_JWT_TOO_LONG');
    expect(await refusal(() => verifyJWS(`${H}.${P}.${S}`, set, { maxTokenLength: 10 }))).toBe(
      'ERR_JWT_TOO_LONG',
    );
    const pem = `-----BEGIN PUBLIC KEY-----\n${'QUFB\n'.repeat(2 * MB)}-----END PUBLIC KEY-----\n`;
    await refusal(() => pemToJWK(pem), 'huge PEM');
    T.tried(5);
  });

  it('a PEM text with 5 000 blocks or an unterminated block is bounded and refused', async () => {
    const block = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
    await refusal(() => pemToJWKs(block.repeat(5000)));
    await refusal(() => pemToJWK(`-----BEGIN PUBLIC KEY-----\n${'AAAA\n'.repeat(10_000)}`));
    await refusal(() => pemToJWK('-----BEGIN PUBLIC KEY-----'.repeat(50_000)));
    T.tried(3);
  });
});

describe('the CLI', () => {
  const tmp = tempDir('jwkit-adv-parse-');
  afterAll(() => tmp.cleanup());

  it('exits 1 with an error code, never a stack trace, on deep, huge and duplicate-member input', async () => {
    const deep = join(tmp.dir, 'deep.json');
    writeFileSync(deep, `${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    const dup = join(tmp.dir, 'dup.json');
    writeFileSync(dup, `{"kty":"oct","k":"${oct.k}","k":"AAAA"}`);
    const huge = join(tmp.dir, 'huge.json');
    writeFileSync(huge, `{"keys":[${'0,'.repeat(9 * (1 << 20))}0]}`);
    const deepToken = join(tmp.dir, 'deep.jwt');
    writeFileSync(
      deepToken,
      `${b64u(`{"alg":"HS256","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`)}.${P}.${S}`,
    );
    const jwks = join(tmp.dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify(set.toJSON({ private: true })));
    const runs = [
      ['jwt', 'verify', deepToken, '--jwks', jwks],
      ['jwt', 'decode', deepToken],
      ['inspect', deep],
      ['thumbprint', dup],
      ['public', deep],
      ['convert', dup, '--to', 'pem'],
      ['inspect', huge],
      ['thumbprint', huge],
    ];
    const results = await Promise.all(runs.map((args) => jwkit(args)));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${runs[i]!.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.stdout + r.stderr).toMatch(/ERR_|JSON_/);
    }
    const stdin = await jwkit(['inspect', '-'], { input: Buffer.alloc(17 * (1 << 20), 0x20) });
    expect(stdin.code).not.toBe(0);
    expect(stdin.stderr).not.toMatch(STACK_TRACE);
    T.tried(runs.length + 1);
  });
});
