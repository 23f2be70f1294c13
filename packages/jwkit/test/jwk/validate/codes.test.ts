/**
 * One minimal input per problem code, checking code, severity, path and source. The table's type
 * (`Record<ProblemCode, Case>`) makes the typechecker fail when a code has no case here.
 */
import { checkPrimeSync, createHash, generateKeyPairSync, generatePrimeSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as nobleMlDsa from '@noble/post-quantum/ml-dsa.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJSON, readWycheproof } from '../../../../../test/helpers/vectors.js';
import { verifyX5cChain } from '../../../src/crypto/x5c-chain.js';
import type { Problem } from '../../../src/errors/index.js';
import { PROBLEM_CODES, type ProblemCode } from '../../../src/jwk/validate/codes.js';
import { KeyContext } from '../../../src/jwk/validate/context.js';
import { type ValidateOptions, validateJWK, validateJWKSet } from '../../../src/jwk/validate/index.js';
import { runRules } from '../../../src/jwk/validate/one-key.js';
import { resolveOptions } from '../../../src/jwk/validate/options.js';
import { installMlDsaEngine, nobleEngine } from '../../../src/math/ml-dsa.js';
import { type Chain, makeChain, std } from './certs.js';
import { b64u, b64uToBigint, baseKeys, bigintToB64u, fromB64u, type JSONObject, without } from './helpers.js';

interface Fixtures {
  k: ReturnType<typeof baseKeys>;
  chain: Chain;
  rfcB: JSONObject;
  roca: JSONObject;
  fermat: JSONObject;
}

type Run = (f: Fixtures) => Problem[] | Promise<Problem[]>;
interface Case {
  run: Run;
  path?: string;
}

const key =
  (input: (f: Fixtures) => unknown, options?: ValidateOptions): Run =>
  (f) =>
    validateJWK(input(f) as object, options).problems;
const set =
  (input: (f: Fixtures) => unknown, options?: ValidateOptions): Run =>
  (f) => {
    const r = validateJWKSet(input(f) as object, options);
    return [...r.problems, ...r.skipped.flatMap((s) => s.problems)];
  };
const chain =
  (input: (f: Fixtures) => unknown): Run =>
  async (f) =>
    (await verifyX5cChain(input(f) as object)).problems;

// The AKP priv/pub check needs an ML-DSA engine; src/index.node.ts installs one, this test imports src directly.
installMlDsaEngine(nobleEngine(nobleMlDsa));
const akp44 = () => {
  const { publicKey } = nobleMlDsa.ml_dsa44.keygen(new Uint8Array(32));
  return { kty: 'AKP', alg: 'ML-DSA-44', pub: b64u(publicKey), priv: b64u(new Uint8Array(32)) };
};

const toStd = (s: string) => s.replace(/-/g, '+').replace(/_/g, '/');
const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());

const CASES: Record<ProblemCode, Case> = {
  JSON_SYNTAX: { run: key(() => '{"kty":'), path: '' },
  JSON_TOO_LONG: { run: key((f) => JSON.stringify(f.k.oct), { maxLength: 20 }), path: '' },
  JSON_TOO_DEEP: { run: key(() => `${'['.repeat(100)}${']'.repeat(100)}`), path: '' },
  JSON_UNREADABLE: {
    run: key(
      () =>
        new Proxy(
          {},
          {
            ownKeys() {
              throw new Error('no');
            },
          },
        ),
    ),
    path: '',
  },
  JSON_DUPLICATE_MEMBER: {
    run: key((f) => JSON.stringify(f.k.oct).replace('{', '{"kid":"a",')),
    path: 'kid',
  },
  JSON_BOM: { run: key((f) => `\uFEFF${JSON.stringify(f.k.oct)}`), path: '' },

  JWK_NOT_OBJECT: { run: key(() => '[]'), path: '' },
  JWK_KTY_MISSING: { run: key((f) => without(f.k.oct, 'kty')), path: '' },
  JWK_KTY_UNKNOWN: { run: key((f) => ({ ...f.k.p256, kty: 'ec' })), path: 'kty' },
  JWK_MEMBER_MISSING: { run: key((f) => without(f.k.rsaPublic, 'e')), path: 'e' },
  JWK_MEMBER_TYPE: { run: key((f) => ({ ...f.k.oct, kid: 5 })), path: 'kid' },
  JWK_MEMBER_DROPPED: { run: key((f) => ({ ...f.k.oct, created: new Date() })), path: 'created' },
  JWK_FOREIGN_MEMBER: { run: key((f) => ({ ...f.k.ed25519, y: f.k.ed25519.x })), path: 'y' },
  JWK_CHECK_FAILED: {
    run: () => {
      const ctx = new KeyContext({ kty: 'oct' }, '', resolveOptions({}));
      runRules(ctx, [
        function broken() {
          throw new TypeError('bug');
        },
      ]);
      return ctx.problems;
    },
    path: '',
  },
  CRV_UNKNOWN: { run: key((f) => ({ ...f.k.p256, crv: 'P-256K' })), path: 'crv' },
  CRV_KTY_MISMATCH: { run: key((f) => ({ ...f.k.x25519, kty: 'EC' })), path: 'crv' },

  B64URL_INVALID: { run: key((f) => ({ ...f.k.oct, k: 'ab$cd' })), path: 'k' },
  B64URL_NONCANONICAL: { run: key(() => ({ kty: 'oct', k: 'AAB' })), path: 'k' },
  B64URL_PADDING: { run: key((f) => ({ ...f.k.oct, k: `${f.k.oct.k}=` })), path: 'k' },
  B64URL_STD_ALPHABET: {
    run: key((f) => ({ ...f.k.rsaPublic, n: toStd(f.k.rsaPublic.n as string) })),
    path: 'n',
  },

  RSA_INT_LEADING_ZERO: {
    run: key((f) => ({ ...f.k.rsaPublic, n: b64u([0, ...fromB64u(f.k.rsaPublic.n as string)]) })),
    path: 'n',
  },
  RSA_MODULUS_TOO_SHORT: { run: key((f) => f.k.rsaPublic, { minRSABits: 3072 }), path: 'n' },
  RSA_MODULUS_TOO_LONG: {
    run: key((f) => ({ ...f.k.rsaPublic, n: b64u(new Uint8Array(2100).fill(0xff)) })),
    path: 'n',
  },
  RSA_MODULUS_SMALL_FACTOR: {
    run: key((f) => ({ ...f.k.rsaPublic, n: bigintToB64u(b64uToBigint(f.k.rsaPublic.n as string) * 7n) })),
    path: 'n',
  },
  RSA_EXPONENT_INVALID: { run: key((f) => ({ ...f.k.rsaPublic, e: 'AQ' })), path: 'e' },
  RSA_EXPONENT_TOO_LARGE: {
    run: key((f) => ({ ...f.k.rsaPublic, e: b64u(new Uint8Array([1, 0, 0, 0, 1])) })),
    path: 'e',
  },
  RSA_WEAK_ROCA: { run: key((f) => f.roca), path: 'n' },
  RSA_WEAK_FERMAT: { run: key((f) => f.fermat), path: 'n' },
  RSA_PRIVATE_INCOMPLETE: { run: key((f) => without(f.k.rsa, 'qi')), path: 'qi' },
  RSA_PRIVATE_WITHOUT_CRT: { run: key((f) => without(f.k.rsa, 'p', 'q', 'dp', 'dq', 'qi')), path: 'd' },
  RSA_PRIVATE_MISMATCH: { run: key((f) => ({ ...f.k.rsa, dp: f.k.rsa.dq })), path: 'dp' },
  RSA_MULTIPRIME_UNSUPPORTED: {
    run: key((f) => ({ ...f.k.rsa, oth: [{ r: 'Aw', d: 'AQ', t: 'AQ' }] })),
    path: 'oth',
  },

  EC_COORD_LENGTH: {
    run: key((f) => ({ ...f.k.p256, y: b64u([0, ...fromB64u(f.k.p256.y as string)]) })),
    path: 'y',
  },
  EC_POINT_NOT_ON_CURVE: {
    run: key((f) => {
      const y = fromB64u(f.k.p256.y as string);
      y[31] = y[31]! ^ 1;
      return without({ ...f.k.p256, y: b64u(y) }, 'd');
    }),
    path: 'y',
  },
  EC_PRIVATE_LENGTH: {
    // The cookbook's P-521 d starts with a zero octet; dropping it leaves 65 octets.
    run: key((f) => ({ ...f.k.p521, d: b64u(fromB64u(f.k.p521.d as string).subarray(1)) })),
    path: 'd',
  },
  EC_PRIVATE_OUT_OF_RANGE: {
    run: key((f) => ({ ...f.k.p256, d: b64u(new Uint8Array(32).fill(0xff)) })),
    path: 'd',
  },
  EC_PRIVATE_MISMATCH: {
    run: key((f) => {
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
      return { ...f.k.p256, d: other.d };
    }),
    path: 'd',
  },

  OKP_KEY_LENGTH: {
    run: key((f) => without({ ...f.k.x25519, x: b64u(new Uint8Array(31).fill(9)) }, 'd')),
    path: 'x',
  },
  OKP_PRIVATE_LENGTH: { run: key((f) => ({ ...f.k.x448, d: b64u(new Uint8Array(55).fill(1)) })), path: 'd' },
  OKP_POINT_INVALID: {
    // y = 2^255 - 1 >= p: strict RFC 8032 decoding refuses it.
    run: key(() => ({ kty: 'OKP', crv: 'Ed25519', x: b64u([...new Uint8Array(31).fill(0xff), 0x7f]) })),
    path: 'x',
  },
  OKP_LOW_ORDER_POINT: {
    run: key(() => ({ kty: 'OKP', crv: 'X25519', x: b64u(new Uint8Array(32)) })),
    path: 'x',
  },
  OKP_SMALL_ORDER_KEY: {
    // The identity point (y = 1) has order 1.
    run: key(() => ({ kty: 'OKP', crv: 'Ed25519', x: b64u([1, ...new Uint8Array(31)]) })),
    path: 'x',
  },
  OKP_NONCANONICAL: {
    run: key((f) => {
      const x = fromB64u(f.k.x25519.x as string);
      x[31] = x[31]! | 0x80;
      return { kty: 'OKP', crv: 'X25519', x: b64u(x) };
    }),
    path: 'x',
  },
  // AKP (RFC 9964): an ML-DSA-44 key pair from the zero seed (the draft's JOSE example key).
  AKP_ALG_MISSING: { run: key(() => without(akp44(), 'alg', 'priv')), path: 'alg' },
  AKP_ALG_UNSUPPORTED: {
    run: key(() => ({ ...without(akp44(), 'priv'), alg: 'SLH-DSA-128s' })),
    path: 'alg',
  },
  AKP_PUB_LENGTH: {
    run: key(() => ({ ...without(akp44(), 'priv'), pub: b64u(new Uint8Array(1311)) })),
    path: 'pub',
  },
  AKP_PRIV_LENGTH: { run: key(() => ({ ...akp44(), priv: b64u(new Uint8Array(31)) })), path: 'priv' },
  AKP_PRIVATE_MISMATCH: {
    run: key(() => ({ ...akp44(), priv: b64u(new Uint8Array(32).fill(1)) })),
    path: 'priv',
  },
  OKP_PRIVATE_MISMATCH: {
    run: key((f) => ({ ...f.k.ed25519, d: b64u(new Uint8Array(32).fill(7)) })),
    path: 'd',
  },

  OCT_KEY_EMPTY: { run: key(() => ({ kty: 'oct', k: '' })), path: 'k' },
  OCT_KEY_SHORT: { run: key(() => ({ kty: 'oct', k: b64u(new Uint8Array(8).fill(1)) })), path: 'k' },

  ALG_NONE: { run: key((f) => ({ ...f.k.oct, alg: 'none' })), path: 'alg' },
  ALG_UNKNOWN: { run: key((f) => ({ ...f.k.oct, alg: 'hs256' })), path: 'alg' },
  ALG_KEY_MISMATCH: { run: key((f) => ({ ...without(f.k.p256, 'use'), alg: 'ES384' })), path: 'alg' },
  ALG_KEY_SIZE: { run: key((f) => ({ ...f.k.oct, alg: 'HS512' })), path: 'k' },
  ALG_DEPRECATED: { run: key((f) => ({ ...f.k.rsaPublic, alg: 'RSA1_5' })), path: 'alg' },
  ALG_USE_MISMATCH: { run: key((f) => ({ ...f.k.oct, use: 'enc' })), path: 'use' },
  USE_UNREGISTERED: { run: key((f) => ({ ...f.k.oct, use: 'signing' })), path: 'use' },
  USE_KEY_MISMATCH: { run: key((f) => ({ ...f.k.x25519, use: 'sig' })), path: 'use' },
  USE_KEY_OPS_MISMATCH: {
    run: key((f) => ({ ...without(f.k.oct, 'alg'), use: 'sig', key_ops: ['encrypt'] })),
    path: 'key_ops[0]',
  },
  USE_WITH_KEY_OPS: { run: key((f) => ({ ...f.k.oct, key_ops: ['sign', 'verify'] })), path: 'use' },
  KEY_OPS_UNREGISTERED: {
    run: key((f) => ({ ...without(f.k.oct, 'use'), key_ops: ['sign', 'frob'] })),
    path: 'key_ops[1]',
  },
  KEY_OPS_DUPLICATE: {
    run: key((f) => ({ ...without(f.k.oct, 'use'), key_ops: ['sign', 'sign'] })),
    path: 'key_ops[1]',
  },
  KEY_OPS_UNRELATED: {
    run: key((f) => ({ ...without(f.k.oct, 'use', 'alg'), key_ops: ['sign', 'encrypt'] })),
    path: 'key_ops',
  },
  KEY_OPS_ALG_MISMATCH: {
    run: key((f) => ({ ...without(f.k.oct, 'use'), key_ops: ['encrypt'] })),
    path: 'key_ops[0]',
  },
  KEY_OPS_NEED_PRIVATE: { run: key((f) => ({ ...f.k.rsaPublic, key_ops: ['sign'] })), path: 'key_ops[0]' },

  PRIVATE_NOT_ALLOWED: { run: key((f) => f.k.rsa, { allowPrivate: false }), path: 'd' },
  PRIVATE_REQUIRED: { run: key((f) => f.k.rsaPublic, { requirePrivate: true }), path: '' },

  X5U_INVALID: { run: key((f) => ({ ...f.k.rsaPublic, x5u: 'certs.pem' })), path: 'x5u' },
  X5U_NOT_HTTPS: {
    run: key((f) => ({ ...f.k.rsaPublic, x5u: 'http://example.com/certs.pem' })),
    path: 'x5u',
  },
  X5C_EMPTY: { run: key((f) => ({ ...f.k.rsaPublic, x5c: [] })), path: 'x5c' },
  X5C_ENCODING: { run: key((f) => ({ ...f.k.rsaPublic, x5c: ['not base64!'] })), path: 'x5c[0]' },
  X5C_CERT_INVALID: { run: key((f) => ({ ...f.k.rsaPublic, x5c: ['MAMCAQE='] })), path: 'x5c[0]' },
  X5C_KEY_MISMATCH: { run: key((f) => ({ ...f.rfcB, n: f.k.rsaPublic.n })), path: 'x5c[0]' },
  X5C_CERT_EXPIRED: { run: key((f) => f.rfcB, { x5c: { at: new Date('2020-01-01') } }), path: 'x5c[0]' },
  X5C_CERT_NOT_YET_VALID: {
    run: key((f) => f.rfcB, { x5c: { at: new Date('2000-01-01') } }),
    path: 'x5c[0]',
  },
  X5C_CHAIN_ORDER: {
    run: key((f) => ({ ...f.chain.jwk, x5c: [std(f.chain.leafDER), std(f.chain.otherDER)] }), {
      x5c: { verifyChain: true },
    }),
    path: 'x5c[1]',
  },
  X5C_ISSUER_NOT_CA: {
    run: key((f) => ({ ...f.chain.jwk, x5c: f.chain.notCA.map(std) }), { x5c: { verifyChain: true } }),
    path: 'x5c[1]',
  },
  X5C_ISSUER_KEY_USAGE: {
    run: key((f) => ({ ...f.chain.jwk, x5c: f.chain.noCertSign.map(std) }), { x5c: { verifyChain: true } }),
    path: 'x5c[1]',
  },
  X5C_PATH_LENGTH: {
    run: key((f) => ({ ...f.chain.jwk, x5c: f.chain.tooLong.map(std) }), { x5c: { verifyChain: true } }),
    path: 'x5c[2]',
  },
  X5C_CHAIN_SIGNATURE: {
    run: chain((f) => {
      return { ...f.chain.jwk, x5c: [std(f.chain.forgedDER), std(f.chain.caDER)] };
    }),
    path: 'x5c[0]',
  },
  X5C_CHAIN_UNSUPPORTED: { run: chain((f) => f.rfcB), path: 'x5c[0]' },
  X5T_MISMATCH: { run: key((f) => ({ ...f.rfcB, x5t: b64u(new Uint8Array(20)) })), path: 'x5t' },
  X5T_HEX_THUMBPRINT: {
    run: key((f) => {
      const der = fromB64u(toUrl((f.rfcB.x5c as string[])[0]!));
      return { ...f.rfcB, x5t: b64u(Buffer.from(Buffer.from(sha1(der)).toString('hex').toUpperCase())) };
    }),
    path: 'x5t',
  },
  X5T_S256_MISMATCH: {
    run: key((f) => ({ ...f.rfcB, 'x5t#S256': b64u(new Uint8Array(32)) })),
    path: '["x5t#S256"]',
  },
  X5T_LENGTH: { run: key((f) => ({ ...f.k.rsaPublic, x5t: b64u(new Uint8Array(16)) })), path: 'x5t' },

  SET_NOT_OBJECT: { run: set(() => '[]'), path: '' },
  SET_KEYS_MISSING: { run: set((f) => f.k.oct), path: 'keys' },
  SET_KEYS_NOT_ARRAY: { run: set(() => ({ keys: {} })), path: 'keys' },
  SET_TOO_MANY_KEYS: { run: set((f) => ({ keys: [f.k.rsaPublic, f.k.p256] }), { maxKeys: 1 }), path: 'keys' },
  SET_KEY_SKIPPED: { run: set((f) => ({ keys: [f.k.rsaPublic, {}] })), path: 'keys[1]' },
  SET_DUPLICATE_KID: {
    run: set((f) => ({ keys: [f.k.oct, { ...f.k.oct, k: b64u(new Uint8Array(32).fill(3)) }] })),
    path: 'keys[1].kid',
  },
  SET_SHARED_KID: {
    run: set((f) => ({
      keys: [
        { ...f.k.rsaPublic, kid: 'a' },
        { ...f.k.ed25519, kid: 'a' },
      ],
    })),
    path: 'keys[1].kid',
  },
  SET_DUPLICATE_KEY: {
    run: set((f) => ({ keys: [f.k.rsaPublic, { ...f.k.rsaPublic, kid: 'other' }] })),
    path: 'keys[1]',
  },
  SET_MIXED_PRIVATE_PUBLIC: { run: set((f) => ({ keys: [f.k.oct, f.k.rsaPublic] })), path: 'keys' },
};

function toUrl(s: string): string {
  return s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** n = p·q with q the next prime after p: Fermat's method finds it in the first round. */
function fermatKey(): JSONObject {
  const p = generatePrimeSync(1024, { bigint: true });
  let q = p + 2n;
  while (!checkPrimeSync(q)) q += 2n;
  return { kty: 'RSA', n: bigintToB64u(p * q), e: 'AQAB' };
}

let fixtures: Fixtures;

beforeAll(async () => {
  const wp = readWycheproof<{ testGroups: { comment: string; public?: { keys: JSONObject[] } }[] }>(
    'json_web_key_test.json',
  );
  fixtures = {
    k: baseKeys(),
    chain: makeChain(),
    rfcB: readJSON<{ jwk: JSONObject }>('vectors', 'rfc', 'rfc7517-appendix-b.json').jwk,
    roca: wp.testGroups.find((g) => g.comment === 'jws_rsa_roca_key')!.public!.keys[0]!,
    fermat: fermatKey(),
  };
});

describe('every problem code', () => {
  for (const [code, c] of Object.entries(CASES) as [ProblemCode, Case][]) {
    it(`${code} is reported with its severity, path and source`, async () => {
      const problems = await c.run(fixtures);
      const found = problems.find((p) => p.code === code);
      expect(found, `expected ${code} in ${JSON.stringify(problems, null, 1)}`).toBeDefined();
      expect(found!.severity).toBe(PROBLEM_CODES[code].severity);
      if (c.path !== undefined) expect(found!.path).toBe(c.path);
      expect(found!.rfc).toBeTruthy();
      expect(found!.message.length).toBeGreaterThan(20);
    });
  }
});

describe('docs/api/validate.md', () => {
  const doc = readFileSync(
    join(import.meta.dirname, '..', '..', '..', '..', '..', 'docs', 'api', 'validate.md'),
    'utf8',
  );
  const rows = new Map(
    [...doc.matchAll(/^\| `([A-Z0-9_]+)` \| ([EW]) \| ([^|]+) \|/gm)].map((m) => [
      m[1]!,
      { sev: m[2]!, rfc: m[3]!.trim() },
    ]),
  );

  it('documents every code with its severity and source, and nothing else', () => {
    for (const [code, info] of Object.entries(PROBLEM_CODES)) {
      const row = rows.get(code);
      expect(row, `${code} is not documented`).toBeDefined();
      expect(row!.sev, code).toBe(info.severity === 'error' ? 'E' : 'W');
      expect(row!.rfc, code).toBe(info.rfc);
    }
    expect([...rows.keys()].filter((c) => !(c in PROBLEM_CODES))).toEqual([]);
  });
});
