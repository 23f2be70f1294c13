import { describe, expect, it } from 'vitest';
import { readJSON } from '../../../../test/helpers/vectors.js';
import type { JWKitError } from '../../src/errors/index.js';
import { thumbprint, thumbprintInput, thumbprintURI } from '../../src/jwk/thumbprint.js';

type AnyJWK = { kty: string; [m: string]: unknown };

interface RFC7638 {
  input_jwk: AnyJWK;
  canonical_json: string;
  sha256_octets: number[];
  thumbprint_sha256_b64u: string;
  other_cases: {
    cases: {
      jwk: AnyJWK;
      canonical_json?: string;
      thumbprint_sha256_b64u?: string;
      thumbprint_sha384_b64u?: string;
      thumbprint_sha512_b64u?: string;
    }[];
  };
}

const rfc7638 = readJSON<RFC7638>('vectors', 'rfc', 'rfc7638-thumbprint.json');

describe('RFC 7638 thumbprints', () => {
  it('reproduces the RFC 7638 §3.1 example: canonical JSON, octets and thumbprint', () => {
    expect(thumbprintInput(rfc7638.input_jwk)).toBe(rfc7638.canonical_json);
    expect(thumbprint(rfc7638.input_jwk)).toBe(rfc7638.thumbprint_sha256_b64u);
    expect([...Buffer.from(thumbprint(rfc7638.input_jwk), 'base64url')]).toEqual(rfc7638.sha256_octets);
  });

  it.each(rfc7638.other_cases.cases.map((c, i) => [i, c] as const))('reproduces extra case %i', (_i, c) => {
    if (c.canonical_json) expect(thumbprintInput(c.jwk)).toBe(c.canonical_json);
    if (c.thumbprint_sha256_b64u) expect(thumbprint(c.jwk)).toBe(c.thumbprint_sha256_b64u);
    if (c.thumbprint_sha384_b64u) expect(thumbprint(c.jwk, 'SHA-384')).toBe(c.thumbprint_sha384_b64u);
    if (c.thumbprint_sha512_b64u) expect(thumbprint(c.jwk, 'SHA-512')).toBe(c.thumbprint_sha512_b64u);
  });

  it('reproduces the RFC 8037 A.3 Ed25519 thumbprint from the private and the public key', () => {
    const okp = readJSON<Record<string, Record<string, unknown>>>('vectors', 'rfc', 'rfc8037-okp.json');
    const a3 = okp['A.3_thumbprint']!;
    for (const jwk of [okp['A.1_ed25519_private_jwk'], okp['A.2_ed25519_public_jwk']] as AnyJWK[]) {
      expect(thumbprintInput(jwk)).toBe(a3.canonical_json);
      expect(thumbprint(jwk)).toBe(a3.thumbprint_b64u);
      expect(Buffer.from(thumbprint(jwk), 'base64url').toString('hex')).toBe(a3.sha256_hex);
    }
  });

  it('reproduces every computed thumbprint of the RFC 7517 Appendix A keys', () => {
    const a = readJSON<{
      section3_example_jwk: { jwk: AnyJWK };
      'A.1': { jwks: { keys: AnyJWK[] } };
      'A.2': { jwks: { keys: AnyJWK[] } };
      'A.3': { jwks: { keys: AnyJWK[] } };
      computed: { thumbprints_sha256: Record<string, string> };
    }>('vectors', 'rfc', 'rfc7517-appendix-a.json');
    const t = a.computed.thumbprints_sha256;
    const [ec, rsa] = a['A.1'].jwks.keys as [AnyJWK, AnyJWK];
    const [aes, hmac] = a['A.3'].jwks.keys as [AnyJWK, AnyJWK];
    expect(thumbprint(a.section3_example_jwk.jwk)).toBe(t.section3);
    expect(thumbprint(ec)).toBe(t['A.1/kid=1']);
    expect(thumbprint(rsa)).toBe(t['A.1/kid=2011-04-29']);
    expect(thumbprint(aes)).toBe(t['A.3/0 (A128KW)']);
    expect(thumbprint(hmac)).toBe(t['A.3/1 (HMAC)']);
    // The private keys of A.2 have the thumbprints of their public halves in A.1 (RFC 7638 §3.2.1).
    expect(a['A.2'].jwks.keys.map((k) => thumbprint(k))).toEqual([t['A.1/kid=1'], t['A.1/kid=2011-04-29']]);
  });

  it('ignores trailing base64url padding, so a padded key keeps the thumbprint of its canonical form', () => {
    const padded = { ...rfc7638.input_jwk, e: 'AQAB', n: `${rfc7638.input_jwk.n as string}=` };
    expect(thumbprint(padded)).toBe(rfc7638.thumbprint_sha256_b64u);
  });
});

describe('RFC 9278 thumbprint URIs', () => {
  it('names the hash as the Named Information registry does', () => {
    expect(thumbprintURI(rfc7638.input_jwk)).toBe(
      'urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    );
    expect(thumbprintURI(rfc7638.input_jwk, 'SHA-384')).toBe(
      `urn:ietf:params:oauth:jwk-thumbprint:sha-384:${thumbprint(rfc7638.input_jwk, 'SHA-384')}`,
    );
    expect(thumbprintURI(rfc7638.input_jwk, 'SHA-512')).toMatch(
      /^urn:ietf:params:oauth:jwk-thumbprint:sha-512:[\w-]{86}$/,
    );
  });
});

describe('thumbprint errors', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as JWKitError).code;
    }
    return 'no error';
  };

  it('refuses a key without a required member, naming it', () => {
    expect(code(() => thumbprint({ kty: 'EC', crv: 'P-256', x: 'AA' }))).toBe('ERR_THUMBPRINT_INPUT');
    expect(() => thumbprint({ kty: 'RSA', n: 'AA', e: 1 })).toThrow(/"e"/);
  });

  it('refuses unknown key types and hashes as unsupported', () => {
    expect(code(() => thumbprint({ kty: 'DSA', y: 'AA' }))).toBe('ERR_UNSUPPORTED');
    expect(code(() => thumbprint({ kty: '__proto__' }))).toBe('ERR_UNSUPPORTED');
    expect(code(() => thumbprint(rfc7638.input_jwk, 'SHA-1' as 'SHA-256'))).toBe('ERR_UNSUPPORTED');
  });

  it('refuses a non-object', () => {
    expect(code(() => thumbprint(null as unknown as AnyJWK))).toBe('ERR_THUMBPRINT_INPUT');
  });
});

describe('non-canonical input (issue 13 point 4)', () => {
  const rsa = rfc7638.input_jwk as { kty: string; n: string; e: string };
  const std = (s: string) => s.replace(/-/g, '+').replace(/_/g, '/');
  const b64 = (b: Buffer) => b.toString('base64url');

  it('gives the standard-alphabet spelling the canonical thumbprint', () => {
    expect(std(rsa.n)).not.toBe(rsa.n); // the RFC key has - and _ in n
    expect(thumbprint({ ...rsa, n: std(rsa.n) })).toBe(thumbprint(rsa));
    expect(thumbprint({ ...rsa, n: `${std(rsa.n)}==` })).toBe(thumbprint(rsa));
  });

  it('drops leading zero octets of RSA n and e', () => {
    const n = Buffer.concat([Buffer.from([0]), Buffer.from(rsa.n, 'base64url')]);
    const e = Buffer.concat([Buffer.from([0, 0]), Buffer.from(rsa.e, 'base64url')]);
    expect(thumbprint({ ...rsa, n: b64(n) })).toBe(thumbprint(rsa));
    expect(thumbprint({ ...rsa, e: b64(e) })).toBe(thumbprint(rsa));
  });

  it('pads a short EC coordinate to the curve size', () => {
    const ec = { kty: 'EC', crv: 'P-256', x: b64(Buffer.alloc(32, 1)), y: b64(Buffer.alloc(32, 2)) };
    const short = { ...ec, x: b64(Buffer.concat([Buffer.alloc(1, 0), Buffer.alloc(31, 1)]).subarray(1)) };
    const canonical = { ...ec, x: b64(Buffer.concat([Buffer.alloc(1, 0), Buffer.alloc(31, 1)])) };
    expect(thumbprint(short)).toBe(thumbprint(canonical));
  });

  it('refuses what has no canonical form instead of hashing it', () => {
    for (const n of [`${rsa.n}!`, `${rsa.n.slice(0, 10)}+-${rsa.n.slice(12)}`, `${rsa.n}B`]) {
      expect(() => thumbprint({ ...rsa, n }), n).toThrow(
        expect.objectContaining({ code: 'ERR_THUMBPRINT_INPUT' }),
      );
    }
  });
});
