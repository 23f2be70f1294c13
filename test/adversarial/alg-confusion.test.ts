/**
 * Algorithm confusion (RFC 8725 §2.1, §3.1; CVE-2015-9235, CVE-2016-10555, CVE-2022-23540):
 *
 * - HS256/384/512 tokens MACed with the RSA, EC or OKP public key in every encoding an
 *   application might hold it in (PEM SPKI and PKCS#1 with LF, CRLF or no final newline, DER,
 *   JWK JSON text, the RFC 7638 thumbprint input, raw n / x||y / 04||x||y / x octets and their
 *   base64url text), verified through every key source, option and backend;
 * - a key handed over as a PEM string or octets instead of a JWK (the "secret or public key"
 *   API that made the classic attack possible) is refused, never used as an HMAC secret;
 * - `alg: none` in all 16 case spellings and look-alikes, with empty, junk and real signatures;
 * - empty and zeroed signatures for every algorithm;
 * - a signature presented under another algorithm of the same key type;
 * - the same through the CLI (`jwkit jwt verify`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../packages/cli/test/helpers.js';
import {
  type JWK,
  JWKSet,
  jwkToDER,
  jwkToPEM,
  signJWS,
  signJWT,
  thumbprintInput,
  verifyJWS,
  verifyJWT,
  verifyJWTSync,
} from '../../packages/jwkit/src/index.node.js';
import { BACKENDS } from '../helpers/backends.js';
import {
  b64u,
  caseVariants,
  HMAC_ALGS,
  hmacToken,
  jwkit,
  type KeyPair,
  keyPairs,
  refusal,
  signingInput,
} from './support.js';
import { tally } from './tally.js';

const T = tally('alg-confusion');
const pairs = await keyPairs();

/** Every encoding of a public key an application may have lying around. */
async function encodings(pair: KeyPair): Promise<{ label: string; secret: Uint8Array }[]> {
  const pub = pair.public as JWK & Record<string, string>;
  const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
  const raw = (m: string) => new Uint8Array(Buffer.from(m, 'base64url'));
  const pem = await jwkToPEM(pub);
  const out = [
    { label: 'PEM SPKI', secret: text(pem) },
    { label: 'PEM SPKI without final newline', secret: text(pem.trimEnd()) },
    { label: 'PEM SPKI with CRLF', secret: text(pem.replace(/\n/g, '\r\n')) },
    { label: 'DER SPKI', secret: await jwkToDER(pub) },
    { label: 'JWK JSON', secret: text(JSON.stringify(pub)) },
    { label: 'JWK JSON, pretty', secret: text(JSON.stringify(pub, null, 2)) },
    { label: 'RFC 7638 thumbprint input', secret: text(thumbprintInput(pub)) },
  ];
  if (pub.kty === 'RSA') {
    out.push(
      { label: 'PEM PKCS#1', secret: text(await jwkToPEM(pub, { format: 'pkcs1' })) },
      { label: 'DER PKCS#1', secret: await jwkToDER(pub, { format: 'pkcs1' }) },
      { label: 'raw n octets', secret: raw(pub.n!) },
      { label: 'n as base64url text', secret: text(pub.n!) },
    );
  } else if (pub.kty === 'EC') {
    const xy = Buffer.concat([raw(pub.x!), raw(pub.y!)]);
    out.push(
      { label: 'raw x||y', secret: new Uint8Array(xy) },
      { label: 'uncompressed point 04||x||y', secret: new Uint8Array(Buffer.concat([Buffer.from([4]), xy])) },
      { label: 'raw x octets', secret: raw(pub.x!) },
      { label: 'x as base64url text', secret: text(pub.x!) },
    );
  } else {
    out.push(
      { label: 'raw x octets', secret: raw(pub.x!) },
      { label: 'x as base64url text', secret: text(pub.x!) },
    );
  }
  return out;
}

// Codes that mean "this key never verifies an HMAC": the key is bound to its alg, or it is not
// an oct key. Anything else (in particular a signature check) would mean the MAC was tried.
const CONFUSION_CODES = [
  'ERR_JWT_HMAC_WITH_ASYMMETRIC_KEY',
  'ERR_JWT_ALG_NOT_ALLOWED',
  'ERR_JWKS_NO_MATCHING_KEY',
];

describe.each(BACKENDS)('HS* signed with the public key ($name backend)', ({ backend }) => {
  it.each(pairs.map((p) => [p.name, p] as const))(
    '%s public key, every encoding, every key source: refused before any MAC',
    async (_, pair) => {
      const { alg: _alg, ...algless } = pair.public;
      const sources: { label: string; key: () => Parameters<typeof verifyJWS>[1]; options?: object }[] = [
        { label: 'public JWK', key: () => pair.public },
        {
          label: 'public JWK, algorithms HS*',
          key: () => pair.public,
          options: { algorithms: [...HMAC_ALGS] },
        },
        {
          label: 'alg-less JWK, algorithms HS* + own',
          key: () => algless as JWK,
          options: { algorithms: [...HMAC_ALGS, pair.alg] },
        },
        { label: 'private JWK', key: () => pair.private, options: { algorithms: [...HMAC_ALGS] } },
        { label: 'JWKSet', key: () => new JWKSet([pair.public]) },
        {
          label: 'JWKSet, alg-less, try-all',
          key: () => new JWKSet([algless]),
          options: { algorithms: [...HMAC_ALGS], multipleMatches: 'try-all' },
        },
      ];
      for (const { label, secret } of await encodings(pair)) {
        for (const hs of HMAC_ALGS) {
          for (const header of [{}, { kid: pair.private.kid }, { kid: pair.private.kid, typ: 'JWT' }]) {
            const token = hmacToken(hs, secret, header);
            for (const source of sources) {
              const what = `${pair.name} ${label} ${hs} via ${source.label}`;
              const options = { backend, ...source.options };
              expect(await refusal(() => verifyJWS(token, source.key(), options), what)).toBeOneOf(
                CONFUSION_CODES,
              );
              expect(await refusal(() => verifyJWT(token, source.key(), options), what)).toBeOneOf(
                CONFUSION_CODES,
              );
              T.tried(2);
            }
            if (backend.verifySync !== undefined) {
              expect(await refusal(() => verifyJWTSync(token, pair.public, { backend }))).toBeOneOf(
                CONFUSION_CODES,
              );
              T.tried();
            }
          }
        }
      }
    },
  );
});

describe('a key handed over as PEM text or octets is never an HMAC secret', () => {
  it.each(pairs.map((p) => [p.name, p] as const))(
    '%s: PEM string, DER octets, Buffer and JSON text as the key are refused',
    async (_, pair) => {
      for (const { label, secret } of await encodings(pair)) {
        const token = hmacToken('HS256', secret);
        const asText = Buffer.from(secret).toString('utf8');
        for (const key of [asText, secret, Buffer.from(secret), secret.buffer]) {
          const code = await refusal(
            () => verifyJWS(token, key as unknown as JWK, { algorithms: ['HS256'] }),
            label,
          );
          expect(code, label).toBeOneOf(['ERR_JWT_KEY_INVALID', 'ERR_JWK_INVALID']);
          T.tried();
        }
      }
    },
  );
});

describe('alg none, every spelling', () => {
  const SPELLINGS = [
    ...caseVariants('none'),
    ' none',
    'none ',
    'none\u0000',
    'none\n',
    '\uff4e\uff4f\uff4e\uff45', // fullwidth
    'n\u200bone',
    'NONE\u0131', // dotless i
  ];
  const NON_STRINGS = [null, 0, false, true, [], ['none'], { none: true }, ''];
  const octKey = { kty: 'oct', k: b64u(new Uint8Array(32).fill(7)), alg: 'HS256' } as JWK;

  it(`${SPELLINGS.length} spellings x 3 signatures x every key source and option: refused`, async () => {
    for (const alg of SPELLINGS) {
      const input = signingInput({ alg, typ: 'JWT' });
      const realMac = hmacToken('HS256', new Uint8Array(32).fill(7), { typ: 'JWT' }).split('.')[2]!;
      for (const sig of ['', 'AA', realMac]) {
        const token = `${input}.${sig}`;
        const keys: Parameters<typeof verifyJWS>[1][] = [
          octKey,
          new JWKSet([octKey]),
          new JWKSet(pairs.map((p) => p.public)),
        ];
        for (const key of keys) {
          for (const algorithms of [undefined, ['none'], [alg], ['HS256', alg]]) {
            const code = await refusal(
              () => verifyJWT(token, key, algorithms ? { algorithms } : {}),
              JSON.stringify(alg),
            );
            expect(code).toBeOneOf(['ERR_JWT_ALG_NONE', 'ERR_JWT_ALG_UNSUPPORTED', 'ERR_JWT_MALFORMED']);
            if (alg.toLowerCase() === 'none') expect(code).toBe('ERR_JWT_ALG_NONE');
            T.tried();
          }
        }
      }
    }
  });

  it('a non-string or empty alg is a malformed header, not "none"', async () => {
    for (const alg of NON_STRINGS) {
      const token = `${signingInput({ alg })}.AA`;
      expect(await refusal(() => verifyJWS(token, octKey, { algorithms: ['HS256'] }))).toBe(
        'ERR_JWT_HEADER_INVALID',
      );
      T.tried();
    }
  });

  it('prototype names as alg select nothing', async () => {
    for (const alg of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']) {
      const token = `${signingInput({ alg })}.AA`;
      expect(await refusal(() => verifyJWS(token, new JWKSet([octKey]), { algorithms: [alg] }))).toBe(
        'ERR_JWT_ALG_UNSUPPORTED',
      );
      T.tried();
    }
  });

  it('signing refuses none in any spelling, as alg or smuggled in header', async () => {
    for (const alg of caseVariants('none')) {
      expect(await refusal(() => signJWT({}, octKey, { alg }))).toMatch(/^ERR_/);
      expect(await refusal(() => signJWT({}, octKey, { header: { alg } }))).toMatch(/^ERR_/);
      T.tried(2);
    }
  });
});

describe.each(BACKENDS)('empty and zeroed signatures ($name backend)', ({ backend }) => {
  it('every algorithm: "header.payload." is malformed, an all-zero signature never verifies', async () => {
    const oct = { kty: 'oct', k: b64u(new Uint8Array(64).fill(1)) } as JWK;
    const cases: { alg: string; signer: JWK; verifier: JWK }[] = [
      ...pairs.map((p) => ({ alg: p.alg, signer: p.private as JWK, verifier: p.public })),
      ...HMAC_ALGS.map((alg) => ({ alg, signer: { ...oct, alg } as JWK, verifier: { ...oct, alg } as JWK })),
    ];
    for (const { alg, signer, verifier: key } of cases) {
      const good = await signJWS('payload', signer, { backend });
      const [h, p, s] = good.split('.') as [string, string, string];
      const size = Buffer.from(s, 'base64url').length;
      expect(await refusal(() => verifyJWS(`${h}.${p}.`, key, { backend }))).toBe('ERR_JWT_MALFORMED');
      for (const zeros of [new Uint8Array(size), new Uint8Array(1), new Uint8Array(size + 1)]) {
        expect(await refusal(() => verifyJWS(`${h}.${p}.${b64u(zeros)}`, key, { backend }), alg)).toBe(
          'ERR_JWT_SIGNATURE_INVALID',
        );
      }
      T.tried(4);
    }
  });
});

describe.each(BACKENDS)(
  'a signature presented under another algorithm of its key type ($name backend)',
  ({ backend }) => {
    const FAMILY: Record<string, string[]> = {
      RSA: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
      EC: ['ES256', 'ES384', 'ES512', 'ES256K'],
      OKP: ['Ed25519', 'Ed448', 'EdDSA'],
    };
    // EdDSA over an Ed25519 key is the same signature scheme under its deprecated name (RFC 9864
    // §2); with an alg-less key and both names allowed it verifies, which is no confusion.
    const SAME_SCHEME = new Set(['Ed25519>EdDSA', 'Ed448>EdDSA']);

    it('never verifies, with the alg-bound key or with an alg-less key and every alg allowed', async () => {
      for (const pair of pairs) {
        const token = await signJWT({ sub: 'x' }, pair.private, { backend });
        const [h, p, s] = token.split('.') as [string, string, string];
        const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
        const { alg: _a, ...algless } = pair.public;
        for (const other of FAMILY[pair.public.kty]!.filter((a) => a !== pair.alg)) {
          const forged = `${b64u(JSON.stringify({ ...header, alg: other }))}.${p}.${s}`;
          expect(await refusal(() => verifyJWT(forged, pair.public, { backend }))).toBeOneOf([
            'ERR_JWT_ALG_NOT_ALLOWED',
            'ERR_JWT_KEY_UNUSABLE',
          ]);
          T.tried();
          if (SAME_SCHEME.has(`${pair.alg}>${other}`)) continue;
          const all = FAMILY[pair.public.kty]!;
          expect(
            await refusal(
              () => verifyJWT(forged, algless as JWK, { backend, algorithms: all }),
              `${pair.alg} as ${other}`,
            ),
          ).toBeOneOf(['ERR_JWT_SIGNATURE_INVALID', 'ERR_JWT_KEY_UNUSABLE']);
          T.tried();
        }
      }
    });
  },
);

describe('the CLI: jwkit jwt verify', () => {
  const tmp = tempDir('jwkit-adv-alg-');
  afterAll(() => tmp.cleanup());
  const files: Record<string, { pem: string; jwk: string }> = {};
  beforeAll(async () => {
    for (const pair of pairs) {
      files[pair.name] = { pem: join(tmp.dir, `${pair.name}.pem`), jwk: join(tmp.dir, `${pair.name}.json`) };
      writeFileSync(files[pair.name]!.pem, await jwkToPEM(pair.public));
      writeFileSync(files[pair.name]!.jwk, JSON.stringify(pair.public));
    }
  });

  it('refuses HS256 MACed with the PEM or JWK it is given as --jwks, even with --alg HS256', async () => {
    const runs = pairs.flatMap((pair) => {
      const f = files[pair.name]!;
      return [
        {
          token: hmacToken('HS256', Buffer.from(readFileSync(f.pem, 'utf8'))),
          args: ['--jwks', f.pem, '--alg', 'HS256'],
        },
        { token: hmacToken('HS256', Buffer.from(JSON.stringify(pair.public))), args: ['--jwks', f.jwk] },
      ];
    });
    const results = await Promise.all(runs.map((r) => jwkit(['jwt', 'verify', r.token, ...r.args])));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${runs[i]!.args.join(' ')}\n${r.stderr}`).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/ERR_JWT_(HMAC_WITH_ASYMMETRIC_KEY|ALG_NOT_ALLOWED)|ERR_JWKS_NO_MATCHING_KEY/);
    }
    T.tried(runs.length);
  });

  it('refuses alg none with --alg none', async () => {
    const f = files.Ed25519!;
    const results = await Promise.all(
      ['none', 'None', 'NONE'].map((alg) =>
        jwkit(['jwt', 'verify', `${signingInput({ alg })}.`, '--jwks', f.jwk, '--alg', alg]),
      ),
    );
    for (const r of results) {
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
    }
    T.tried(results.length);
  });
});
