/**
 * Psychic signatures (CVE-2022-21449) and ECDSA range checks (SEC 1 §4.1.4 step 1: r and s
 * must lie in [1, n-1]): for every ECDSA curve (P-256, P-384, P-521, secp256k1) and on both
 * crypto backends, signatures with r or s equal to 0, n, n+1, the field prime p, all-ones, and
 * the wrong length or DER encoding (JWS uses fixed-length r||s, RFC 7518 §3.4) never verify,
 * whatever the payload, through a single JWK and through a set.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JWKSet, signJWS, verifyJWS } from '../../packages/jwkit/src/index.node.js';
import { BACKENDS } from '../helpers/backends.js';
import { b64u, keyPairs, refusal } from './support.js';
import { deepRuns, LONG_TIMEOUT, tally } from './tally.js';

const T = tally('psychic-signatures');
const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521, secp256k1 } as const;
const pairs = (await keyPairs()).filter((p) => p.name in CURVES);

function octets(value: bigint, size: number): Uint8Array {
  const hex = value.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new Error(`${value} does not fit in ${size} octets`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The forged r||s values for a curve: every out-of-range combination that fits the size. */
function forgeries(curve: (typeof CURVES)[keyof typeof CURVES]): { label: string; sig: Uint8Array }[] {
  const size = curve.Point.Fn.BYTES;
  const n = curve.Point.Fn.ORDER;
  const p = curve.Point.Fp.ORDER;
  const max = (1n << BigInt(size * 8)) - 1n;
  const values: [string, bigint][] = [
    ['0', 0n],
    ['1', 1n],
    ['n', n],
    ['n+1', n + 1n],
    ['n-1', n - 1n],
    ['p', p],
    ['2^k-1', max],
  ];
  const out: { label: string; sig: Uint8Array }[] = [];
  for (const [rl, r] of values) {
    for (const [sl, s] of values) {
      if (r > max || s > max) continue;
      // (1, 1), (1, n-1) and the like are in range and simply wrong; the range ones are the point.
      const inRange = (v: bigint) => v >= 1n && v < n;
      if (inRange(r) && inRange(s)) continue;
      out.push({ label: `r=${rl} s=${sl}`, sig: new Uint8Array([...octets(r, size), ...octets(s, size)]) });
    }
  }
  return out;
}

describe.each(BACKENDS)('ECDSA psychic signatures ($name backend)', ({ backend }) => {
  it.each(pairs.map((p) => [p.name, p] as const))(
    '%s: r or s out of [1, n-1] never verifies',
    async (name, pair) => {
      const curve = CURVES[name as keyof typeof CURVES];
      const set = new JWKSet([pair.public]);
      const good = await signJWS('{"sub":"victim"}', pair.private, { backend });
      const [h, p] = good.split('.') as [string, string];
      const list = forgeries(curve);
      expect(list.length).toBeGreaterThanOrEqual(30);
      for (const payload of [p, b64u('{"sub":"attacker","admin":true}'), '']) {
        for (const { label, sig } of list) {
          const token = `${h}.${payload}.${b64u(sig)}`;
          for (const key of [pair.public, set]) {
            expect(await refusal(() => verifyJWS(token, key, { backend }), `${name} ${label}`)).toBe(
              'ERR_JWT_SIGNATURE_INVALID',
            );
            T.tried();
          }
        }
      }
    },
  );

  it.each(pairs.map((p) => [p.name, p] as const))(
    '%s: wrong-length, DER-encoded and truncated signatures never verify',
    async (name, pair) => {
      const curve = CURVES[name as keyof typeof CURVES];
      const size = curve.Point.Fn.BYTES;
      const good = await signJWS('payload', pair.private, { backend });
      const [h, p, s] = good.split('.') as [string, string, string];
      const raw = new Uint8Array(Buffer.from(s, 'base64url'));
      const der = curve.Signature.fromBytes(raw, 'compact').toBytes('der');
      const variants: [string, Uint8Array][] = [
        ['DER', der],
        ['r only', raw.subarray(0, size)],
        ['one octet short', raw.subarray(0, raw.length - 1)],
        ['one octet long', new Uint8Array([...raw, 0])],
        ['leading zero', new Uint8Array([0, ...raw])],
        ['doubled', new Uint8Array([...raw, ...raw])],
        ['s=0 with the real r', new Uint8Array([...raw.subarray(0, size), ...new Uint8Array(size)])],
        ['r=0 with the real s', new Uint8Array([...new Uint8Array(size), ...raw.subarray(size)])],
      ];
      for (const [label, sig] of variants) {
        expect(
          await refusal(
            () => verifyJWS(`${h}.${p}.${b64u(sig)}`, pair.public, { backend }),
            `${name} ${label}`,
          ),
        ).toBe('ERR_JWT_SIGNATURE_INVALID');
        T.tried();
      }
      // The untouched token still verifies: the refusals above are about the forgery.
      await expect(verifyJWS(good, pair.public, { backend })).resolves.toBeDefined();
    },
  );

  it(
    'random payloads with r=0/s=0 and r=s=n on every curve never verify',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...pairs),
          fc.uint8Array({ maxLength: 64 }),
          fc.constantFrom('zero', 'order'),
          async (pair, payload, kind) => {
            const curve = CURVES[pair.name as keyof typeof CURVES];
            const size = curve.Point.Fn.BYTES;
            const v = kind === 'zero' ? 0n : curve.Point.Fn.ORDER;
            const header = b64u(JSON.stringify({ alg: pair.alg, kid: pair.public.kid }));
            const sig = new Uint8Array([...octets(v, size), ...octets(v, size)]);
            const token = `${header}.${b64u(payload)}.${b64u(sig)}`;
            expect(await refusal(() => verifyJWS(token, pair.public, { backend }))).toBe(
              'ERR_JWT_SIGNATURE_INVALID',
            );
            T.tried();
          },
        ),
        { numRuns: deepRuns(200, 200_000) },
      );
    },
    LONG_TIMEOUT,
  );
});
