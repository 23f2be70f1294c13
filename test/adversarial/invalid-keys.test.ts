/**
 * Invalid keys (RFC 7518 §6.2.1.3, §6.3.1; RFC 8032 §5.1.7; RFC 8017 §3.1; CVE-2017-15361;
 * CVE-2022-26320): EC points off the curve, at "infinity" (0, 0), on another curve of the same
 * size, or with coordinates >= p; small-order Ed25519/Ed448 keys; RSA with a tiny modulus,
 * e = 0, 1 or even, an even modulus or one with a small factor, ROCA and Fermat-weak moduli,
 * mismatched private halves. Each must be reported by validation, refused by every verifier
 * path (single key, set, import), skipped from a lenient set without losing its good keys, and
 * reported by `jwkit inspect`.
 */
import { checkPrimeSync, createHash, generateKeyPairSync, generatePrimeSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed448 } from '@noble/curves/ed448.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../packages/cli/test/helpers.js';
import {
  importKey,
  type JWK,
  JWKitError,
  JWKSet,
  type PrivateJWK,
  signJWS,
  signJWT,
  validateJWK,
  verifyJWS,
} from '../../packages/jwkit/src/index.node.js';
import { BACKENDS } from '../helpers/backends.js';
import { readWycheproof } from '../helpers/vectors.js';
import { b64u, jwkit, keyPairs, refusal, signingInput } from './support.js';
import { tally } from './tally.js';

const T = tally('invalid-keys');
const pairs = await keyPairs();
const pair = (name: string) => pairs.find((p) => p.name === name)!;
const bytes = (m: string) => Buffer.from(m, 'base64url');
const big = (m: string | Uint8Array) =>
  BigInt(`0x${Buffer.from(typeof m === 'string' ? bytes(m) : m).toString('hex') || '0'}`);
const enc = (v: bigint, size?: number) => {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return b64u(Buffer.from(size ? hex.padStart(size * 2, '0') : hex, 'hex'));
};

interface BadKey {
  label: string;
  jwk: JWK;
  /** Problem codes any of which proves the validator saw the flaw. */
  codes: string[];
  /** The algorithm a token would name for it. */
  alg: string;
}

const EC_CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 } as const;

function ecBadKeys(): BadKey[] {
  const out: BadKey[] = [];
  for (const [crv, curve] of Object.entries(EC_CURVES)) {
    const { public: pub, alg } = pair(crv);
    const size = curve.Point.Fn.BYTES;
    const p = curve.Point.Fp.ORDER;
    const x = big((pub as { x: string }).x);
    const y = big((pub as { y: string }).y);
    const base = { kty: 'EC', crv, alg } as const;
    const add = (label: string, bx: bigint, by: bigint, codes = ['EC_POINT_NOT_ON_CURVE']) =>
      out.push({
        label: `${crv} ${label}`,
        alg,
        codes,
        jwk: { ...base, x: enc(bx, size), y: enc(by, size) } as JWK,
      });
    add('y + 1 (off the curve)', x, (y + 1n) % p);
    add('(0, 0), the usual encoding of infinity', 0n, 0n);
    add('x = p (not reduced)', p, y);
    add('y + p (not reduced, same point mod p)', x, y + p <= (1n << BigInt(size * 8)) - 1n ? y + p : p, [
      'EC_POINT_NOT_ON_CURVE',
      'EC_COORD_LENGTH',
    ]);
  }
  // The same coordinates under a curve of the same size (P-256 <-> secp256k1).
  const p256pub = pair('P-256').public as { x: string; y: string };
  out.push({
    label: 'P-256 point labelled secp256k1',
    alg: 'ES256K',
    codes: ['EC_POINT_NOT_ON_CURVE'],
    jwk: { kty: 'EC', crv: 'secp256k1', alg: 'ES256K', x: p256pub.x, y: p256pub.y } as JWK,
  });
  const k1pub = pair('secp256k1').public as { x: string; y: string };
  out.push({
    label: 'secp256k1 point labelled P-256',
    alg: 'ES256',
    codes: ['EC_POINT_NOT_ON_CURVE'],
    jwk: { kty: 'EC', crv: 'P-256', alg: 'ES256', x: k1pub.x, y: k1pub.y } as JWK,
  });
  return out;
}

/** Encodings of the small-order points (RFC 8032 §5.1.2 / §5.2.2 encoding). */
function smallOrderEncodings(): { crv: 'Ed25519' | 'Ed448'; x: Uint8Array }[] {
  const le = (v: bigint, size: number) =>
    new Uint8Array(Buffer.from(v.toString(16).padStart(size * 2, '0'), 'hex').reverse());
  const out: { crv: 'Ed25519' | 'Ed448'; x: Uint8Array }[] = [];
  // Ed25519: the torsion subgroup has 8 points, the multiples of this point of order 8.
  const q = ed25519.Point.fromBytes(
    new Uint8Array(Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex')),
  );
  let t = ed25519.Point.ZERO;
  for (let i = 0; i < 8; i++) {
    out.push({ crv: 'Ed25519', x: t.toBytes() });
    t = t.add(q);
  }
  // Ed448: identity (y = 1), order 2 (y = p - 1) and order 4 (y = 0, x = +-1), 57 octets.
  const p448 = ed448.Point.Fp.ORDER;
  const y = (v: bigint, sign = 0) => {
    const b = new Uint8Array(57);
    b.set(le(v, 56));
    b[56] = sign ? 0x80 : 0;
    return b;
  };
  for (const x of [y(1n), y(p448 - 1n), y(0n), y(0n, 1)]) out.push({ crv: 'Ed448', x });
  expect(new Set(out.map((s) => Buffer.from(s.x).toString('hex'))).size).toBe(12);
  for (const s of out) {
    const curve = s.crv === 'Ed25519' ? ed25519 : ed448;
    expect(curve.Point.fromBytes(s.x).isSmallOrder(), `${s.crv} ${Buffer.from(s.x).toString('hex')}`).toBe(
      true,
    );
  }
  return out;
}

/** The 12 small-order Ed25519/Ed448 public keys, kept apart: see the describe block below. */
const SMALL_ORDER: BadKey[] = smallOrderEncodings().map(({ crv, x }, i) => ({
  label: `${crv} small-order point #${i}`,
  alg: crv,
  codes: ['OKP_SMALL_ORDER_KEY'],
  jwk: { kty: 'OKP', crv, alg: crv, x: b64u(x) } as JWK,
}));

function okpBadKeys(): BadKey[] {
  // y >= p: a non-canonical encoding RFC 8032 §5.1.3 step 1 rejects.
  const p = ed25519.Point.Fp.ORDER;
  const nonCanonical = new Uint8Array(Buffer.from((p + 1n).toString(16).padStart(64, '0'), 'hex').reverse());
  return [
    {
      label: 'Ed25519 y = p + 1 (non-canonical)',
      alg: 'Ed25519',
      codes: ['OKP_POINT_INVALID'],
      jwk: { kty: 'OKP', crv: 'Ed25519', alg: 'Ed25519', x: b64u(nonCanonical) } as JWK,
    },
    {
      label: 'Ed25519 key of 31 octets',
      alg: 'Ed25519',
      codes: ['OKP_KEY_LENGTH'],
      jwk: { kty: 'OKP', crv: 'Ed25519', alg: 'Ed25519', x: b64u(new Uint8Array(31).fill(3)) } as JWK,
    },
    {
      label: 'Ed448 x on Ed25519',
      alg: 'Ed25519',
      codes: ['OKP_KEY_LENGTH'],
      jwk: { ...pair('Ed448').public, crv: 'Ed25519', alg: 'Ed25519' } as JWK,
    },
    {
      label: 'X25519 key for a signature',
      alg: 'Ed25519',
      codes: ['ALG_KEY_MISMATCH', 'CRV_KTY_MISMATCH'],
      jwk: { kty: 'OKP', crv: 'X25519', alg: 'Ed25519', x: b64u(new Uint8Array(32).fill(9)) } as JWK,
    },
  ];
}

/** Two primes a small distance apart: Fermat factors their product at once (CVE-2022-26320). */
function fermatModulus(): { n: bigint; p: bigint; q: bigint } {
  const p = generatePrimeSync(1024, { bigint: true });
  let q = p + 2n;
  while (!checkPrimeSync(q)) q += 2n;
  return { n: p * q, p, q };
}

function rsaBadKeys(): BadKey[] {
  const good = pair('RSA').private as PrivateJWK & Record<string, string>;
  const n = big(good.n);
  const pub = { kty: 'RSA', alg: 'RS256', n: good.n, e: good.e } as const;
  const small = (bits: number) => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>;
    return { ...pub, n: jwk.n!, e: jwk.e! };
  };
  let withFactor3 = n - (n % 3n);
  if (withFactor3 % 2n === 0n) withFactor3 -= 3n;
  const roca = readWycheproof<{ testGroups: { comment: string; public?: { keys: JWK[] } }[] }>(
    'json_web_key_test.json',
  ).testGroups.find((g) => g.comment === 'jws_rsa_roca_key')!.public!.keys[0]!;
  const fermat = fermatModulus();
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rsaPub } = good;
  const other = pairs.find((x) => x.name === 'RSA')!.private as Record<string, string>;
  return [
    { label: 'RSA 512-bit modulus', alg: 'RS256', codes: ['RSA_MODULUS_TOO_SHORT'], jwk: small(512) as JWK },
    {
      label: 'RSA 1024-bit modulus',
      alg: 'RS256',
      codes: ['RSA_MODULUS_TOO_SHORT'],
      jwk: small(1024) as JWK,
    },
    { label: 'RSA e = 1', alg: 'RS256', codes: ['RSA_EXPONENT_INVALID'], jwk: { ...pub, e: enc(1n) } as JWK },
    {
      label: 'RSA e = 0',
      alg: 'RS256',
      codes: ['RSA_EXPONENT_INVALID', 'B64URL_INVALID'],
      jwk: { ...pub, e: 'AA' } as JWK,
    },
    { label: 'RSA e = 2', alg: 'RS256', codes: ['RSA_EXPONENT_INVALID'], jwk: { ...pub, e: enc(2n) } as JWK },
    {
      label: 'RSA e = 65536',
      alg: 'RS256',
      codes: ['RSA_EXPONENT_INVALID'],
      jwk: { ...pub, e: enc(65536n) } as JWK,
    },
    { label: 'RSA e = n', alg: 'RS256', codes: ['RSA_EXPONENT_INVALID'], jwk: { ...pub, e: good.n } as JWK },
    {
      label: 'RSA even modulus',
      alg: 'RS256',
      codes: ['RSA_MODULUS_SMALL_FACTOR'],
      jwk: { ...pub, n: enc(n + 1n) } as JWK,
    },
    {
      label: 'RSA modulus divisible by 3',
      alg: 'RS256',
      codes: ['RSA_MODULUS_SMALL_FACTOR'],
      jwk: { ...pub, n: enc(withFactor3) } as JWK,
    },
    { label: 'RSA ROCA modulus (Wycheproof)', alg: 'RS256', codes: ['RSA_WEAK_ROCA'], jwk: { ...roca } },
    {
      label: 'RSA Fermat-weak modulus',
      alg: 'RS256',
      codes: ['RSA_WEAK_FERMAT'],
      jwk: { ...pub, n: enc(fermat.n) } as JWK,
    },
    {
      label: 'RSA private key whose p, q belong to another modulus',
      alg: 'RS256',
      codes: ['RSA_PRIVATE_MISMATCH'],
      jwk: {
        ...rsaPub,
        d: good.d,
        p: good.q,
        q: enc(big(good.q!) + 2n),
        dp: other.dp,
        dq: other.dq,
        qi: other.qi,
      } as JWK,
    },
  ];
}

function miscBadKeys(): BadKey[] {
  const ec = pair('P-256').private as Record<string, string>;
  const n = p256.Point.Fn.ORDER;
  return [
    {
      label: 'EC d = 0',
      alg: 'ES256',
      codes: ['EC_PRIVATE_OUT_OF_RANGE'],
      jwk: { ...ec, d: enc(0n, 32) } as JWK,
    },
    {
      label: 'EC d = n',
      alg: 'ES256',
      codes: ['EC_PRIVATE_OUT_OF_RANGE'],
      jwk: { ...ec, d: enc(n, 32) } as JWK,
    },
    {
      label: 'EC d of another key',
      alg: 'ES256',
      codes: ['EC_PRIVATE_MISMATCH'],
      jwk: { ...ec, d: enc(big(ec.d!) + 1n, 32) } as JWK,
    },
    {
      label: 'oct key, empty',
      alg: 'HS256',
      codes: ['OCT_KEY_EMPTY'],
      jwk: { kty: 'oct', k: '', alg: 'HS256' } as JWK,
    },
    {
      label: 'oct key, 16 octets for HS256',
      alg: 'HS256',
      codes: ['ALG_KEY_SIZE', 'OCT_KEY_SHORT'],
      jwk: { kty: 'oct', k: b64u(new Uint8Array(16).fill(1)), alg: 'HS256' } as JWK,
    },
  ];
}

const BAD: BadKey[] = [...ecBadKeys(), ...okpBadKeys(), ...rsaBadKeys(), ...miscBadKeys()];

/** Why validation does not reject `bad` with one of its codes as an error, or `undefined`. */
function validationMiss(bad: BadKey): string | undefined {
  const report = validateJWK(bad.jwk);
  const errors = report.problems.filter((p) => p.severity === 'error').map((p) => p.code);
  T.tried();
  if (report.valid)
    return `${bad.label}: valid (${report.problems.map((p) => `${p.severity} ${p.code}`).join(', ')})`;
  if (!errors.some((c) => bad.codes.includes(c)))
    return `${bad.label}: errors ${errors.join(', ')}, expected one of ${bad.codes.join(', ')}`;
  return undefined;
}

/** Why the verifiers do not refuse `bad` everywhere, or `undefined`. */
async function verifierMiss(
  bad: BadKey,
  backend: (typeof BACKENDS)[number]['backend'],
): Promise<string | undefined> {
  T.tried(3);
  const token = `${signingInput({ alg: bad.alg })}.${b64u(new Uint8Array(64).fill(1))}`;
  const keyCode = await refusal(() => verifyJWS(token, bad.jwk, { backend }), bad.label).catch(
    () => 'accepted',
  );
  if (!['ERR_JWK_INVALID', 'ERR_JWT_KEY_UNUSABLE'].includes(keyCode))
    return `${bad.label}: single key ${keyCode}`;
  try {
    new JWKSet([bad.jwk]);
    return `${bad.label}: new JWKSet accepted it`;
  } catch {}
  const good = pair('P-256').public;
  const lenient = JWKSet.from({ keys: [{ ...bad.jwk, kid: 'bad' }, good] });
  if (lenient.size !== 1 || lenient.get(good.kid!) === undefined)
    return `${bad.label}: lenient set kept ${lenient.size} keys`;
  return undefined;
}

describe('validation reports every flaw', () => {
  it.each(BAD.map((b) => [b.label, b] as const))('%s', (_, bad) => {
    expect(validationMiss(bad)).toBeUndefined();
  });
});

describe.each(BACKENDS)('verifiers refuse every invalid key ($name backend)', ({ backend }) => {
  it('single key, set, import: refused with a JWKitError; a lenient set keeps the good key', async () => {
    const wrong: string[] = [];
    for (const bad of BAD) {
      const miss = await verifierMiss(bad, backend);
      if (miss) wrong.push(miss);
    }
    expect(wrong).toEqual([]);
  });

  it('signing refuses a private key whose halves do not match', async () => {
    for (const bad of BAD.filter((b) => 'd' in b.jwk)) {
      await refusal(() => signJWS('x', bad.jwk, { backend }), bad.label);
      await refusal(() => signJWT({}, bad.jwk, { backend }), bad.label);
      T.tried(2);
    }
  });
});

/**
 * `importKey` is documented (docs/api/crypto.md) as the import to use "whenever the key came
 * from outside"; it checks alg, use, key_ops and size, but not the key material itself, which
 * verifyJWS, JWKSet and the CLI do validate. With e = 1 the RSA "signature" is the padded digest
 * itself, so anyone can forge one for any message.
 */
describe.each(BACKENDS)(
  'importKey, the low-level import for keys from outside ($name backend)',
  ({ backend }) => {
    it('refuses every key that validation rejects', async () => {
      const accepted: string[] = [];
      for (const bad of BAD) {
        T.tried();
        const handle = await importKey(bad.jwk, bad.alg, 'verify', { backend }).catch((error: unknown) => {
          expect(error).toBeInstanceOf(JWKitError);
          return undefined;
        });
        if (handle !== undefined) accepted.push(bad.label);
      }
      expect(accepted).toEqual([]);
    });

    it('an RSA key with e = 1 imported this way does not verify a forged RS256 signature', async () => {
      const e1 = BAD.find((b) => b.label === 'RSA e = 1')!.jwk as JWK & { n: string };
      const size = Buffer.from(e1.n, 'base64url').length;
      const data = new TextEncoder().encode(`${b64u('{"alg":"RS256"}')}.${b64u('{"admin":true}')}`);
      const digest = createHash('sha256').update(data).digest();
      const info = Buffer.from('3031300d060960864801650304020105000420', 'hex');
      // EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF..FF 00 || DigestInfo || H. With e = 1, s = EM.
      const em = Buffer.concat([
        Buffer.from([0, 1]),
        Buffer.alloc(size - 3 - info.length - digest.length, 0xff),
        Buffer.from([0]),
        info,
        digest,
      ]);
      T.tried();
      const handle = await importKey(e1, 'RS256', 'verify', { backend }).catch(() => undefined);
      const forged = handle !== undefined && (await backend.verify(handle, data, new Uint8Array(em)));
      if (forged) T.accepted(1);
      expect(forged, 'a forged RS256 signature verified under an e = 1 key').toBe(false);
    });
  },
);

/**
 * Small-order Ed25519/Ed448 public keys (RFC 8032 §5.1.7, "Taming the many EdDSAs"): anyone can
 * make a signature that verifies under such a key, for any message, without a private key
 * (R = a small-order point, S = 0 satisfies the cofactorless equation [S]B = R + [k]A for a
 * large share of messages). OpenSSL (node backend) and WebCrypto accept those signatures, so
 * the JWK layer must refuse the key, for signatures at least (X25519/X448 low-order keys are a
 * separate, ECDH-only concern).
 */
describe('small-order Ed25519/Ed448 keys', () => {
  it('validation rejects each of the 12 as an error', () => {
    const misses = SMALL_ORDER.map(validationMiss).filter((m) => m !== undefined);
    expect(misses).toEqual([]);
  });

  it.each(BACKENDS)('verifiers refuse them ($name backend)', async ({ backend }) => {
    const misses: string[] = [];
    for (const bad of SMALL_ORDER) {
      const miss = await verifierMiss(bad, backend);
      if (miss) misses.push(miss);
    }
    expect(misses).toEqual([]);
  });

  it.each(BACKENDS)(
    'the universal forgery (R = small-order point, S = 0) never verifies ($name backend)',
    async ({ backend }) => {
      const accepted: string[] = [];
      for (const { crv, x } of smallOrderEncodings()) {
        const jwk = { kty: 'OKP', crv, alg: crv, x: b64u(x) } as JWK;
        const size = crv === 'Ed25519' ? 32 : 57;
        const points = smallOrderEncodings().filter((s) => s.crv === crv);
        for (const payload of ['{"admin":true}', '{"sub":"anyone"}', '{}']) {
          for (const R of points) {
            const token = `${b64u(JSON.stringify({ alg: crv }))}.${b64u(payload)}.${b64u(new Uint8Array([...R.x, ...new Uint8Array(size)]))}`;
            T.tried();
            try {
              await verifyJWS(token, jwk, { backend });
              accepted.push(
                `${crv} key ${Buffer.from(x).toString('hex').slice(0, 16)}.. R ${Buffer.from(R.x).toString('hex').slice(0, 16)}..`,
              );
            } catch {}
          }
        }
      }
      T.accepted(accepted.length);
      expect(accepted, 'forged tokens accepted under small-order keys').toEqual([]);
    },
  );
});

describe('the CLI reports invalid keys', () => {
  const tmp = tempDir('jwkit-adv-keys-');
  afterAll(() => tmp.cleanup());

  it('jwkit inspect exits 1 and names the problem for a sample of each family', async () => {
    const sample = [
      BAD[0]!,
      BAD.find((b) => b.label.includes('ROCA'))!,
      BAD.find((b) => b.label.includes('e = 1'))!,
      BAD.find((b) => b.label.includes('non-canonical'))!,
    ];
    const results = await Promise.all(
      sample.map((bad, i) => {
        const file = join(tmp.dir, `bad-${i}.json`);
        writeFileSync(file, JSON.stringify(bad.jwk));
        return jwkit(['inspect', file, '--json']);
      }),
    );
    for (const [i, r] of results.entries()) {
      const bad = sample[i]!;
      expect(r.code, `${bad.label}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(
        bad.codes.some((c) => r.stdout.includes(c)),
        `${bad.label}: ${r.stdout}`,
      ).toBe(true);
    }
    T.tried(results.length);
  });
});
