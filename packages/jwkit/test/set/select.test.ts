import { describe, expect, it } from 'vitest';
import { readJSON } from '../../../../test/helpers/vectors.js';
import { KeySelectionError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { JWKSet } from '../../src/set/jwk-set.js';

interface Rfc7515Case {
  id: string;
  jwk?: JWK;
  public_jwk?: JWK;
}
const rfc = readJSON<{ cases: Rfc7515Case[] }>('vectors', 'rfc', 'rfc7515-appendix-a.json').cases;
const byId = (id: string) => rfc.find((c) => c.id === id)!;
const RSA = byId('A.2').public_jwk!; // 2048-bit
const P256 = byId('A.3').public_jwk!;
const P521 = byId('A.4').public_jwk!;
const HMAC = byId('A.1').jwk!; // 512-bit oct
const ED25519: JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };

const key = (jwk: JWK, extra: Record<string, unknown>) => ({ ...jwk, ...extra }) as JWK;

function selectionError(fn: () => unknown): KeySelectionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KeySelectionError);
    return error as KeySelectionError;
  }
  throw new Error('expected a KeySelectionError');
}

describe('key selection for a JWS header', () => {
  const set = new JWKSet([
    key(RSA, { kid: 'rsa', use: 'sig' }),
    key(P256, { kid: 'ec' }),
    key(P521, { kid: 'ec521', alg: 'ES512' }),
    key(HMAC, { kid: 'mac' }),
    key(ED25519, { kid: 'ed' }),
  ]);

  it('picks the key whose kid matches exactly', () => {
    expect(set.select({ alg: 'RS256', kid: 'rsa' }).kid).toBe('rsa');
    expect(set.select({ alg: 'ES256', kid: 'ec' }).kid).toBe('ec');
    expect(set.select({ alg: 'HS512', kid: 'mac' }).kid).toBe('mac');
    expect(selectionError(() => set.select({ alg: 'RS256', kid: 'RSA' })).code).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    );
  });

  it('lets alg decide kty and curve when the header has no kid', () => {
    expect(set.select({ alg: 'PS384' }).kid).toBe('rsa');
    expect(set.select({ alg: 'ES256' }).kid).toBe('ec');
    expect(set.select({ alg: 'ES512' }).kid).toBe('ec521');
    expect(set.select({ alg: 'Ed25519' }).kid).toBe('ed');
    expect(set.select({ alg: 'EdDSA' }).kid).toBe('ed');
    expect(selectionError(() => set.select({ alg: 'ES384' })).code).toBe('ERR_JWKS_NO_MATCHING_KEY');
  });

  it('never selects an oct key for an asymmetric alg, nor an asymmetric key for HS*', () => {
    expect(selectionError(() => set.select({ alg: 'RS256', kid: 'mac' })).code).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    );
    for (const kid of ['rsa', 'ec', 'ed']) {
      const error = selectionError(() => set.select({ alg: 'HS256', kid }));
      expect(error.code).toBe('ERR_JWKS_NO_MATCHING_KEY');
      expect(error.message).toContain('needs a oct key');
    }
  });

  it('enforces the minimum key size of the algorithm (RFC 7518 §3.2: HMAC key >= hash size)', () => {
    const short = new JWKSet([{ kty: 'oct', kid: 's', k: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }]); // 256 bits
    expect(short.select({ alg: 'HS256' }).kid).toBe('s');
    expect(selectionError(() => short.select({ alg: 'HS384' })).message).toContain('at least 384 bits');
  });

  it("honours the key's own alg, use and key_ops", () => {
    const restricted = new JWKSet([
      key(P256, { kid: 'enc', use: 'enc' }),
      key(P256, { kid: 'ops', key_ops: ['sign'] }),
      key(RSA, { kid: 'pinned', alg: 'PS256' }),
      key(RSA, { kid: 'verify', key_ops: ['verify'] }),
    ]);
    expect(selectionError(() => restricted.select({ alg: 'ES256', kid: 'enc' })).message).toContain(
      '"use" is "enc"',
    );
    expect(selectionError(() => restricted.select({ alg: 'ES256', kid: 'ops' })).message).toContain(
      'key_ops',
    );
    expect(selectionError(() => restricted.select({ alg: 'RS256', kid: 'pinned' })).message).toContain(
      '"PS256"',
    );
    expect(restricted.select({ alg: 'PS256', kid: 'pinned' }).kid).toBe('pinned');
    expect(restricted.select({ alg: 'RS256', kid: 'verify' }).kid).toBe('verify');
  });

  it('reports zero and several matches with distinct codes, and applies the multiple-match policy', () => {
    const two = new JWKSet([key(RSA, { kid: 'a' }), key(P256, { kid: 'b' }), key(RSA, { kid: 'c' })]);
    expect(selectionError(() => two.select({ alg: 'RS256' })).code).toBe('ERR_JWKS_MULTIPLE_MATCHING_KEYS');
    expect(two.select({ alg: 'RS256' }, { multipleMatches: 'first' }).kid).toBe('a');
    expect(selectionError(() => two.select({ alg: 'ES384' })).code).toBe('ERR_JWKS_NO_MATCHING_KEY');
    expect(selectionError(() => new JWKSet().select({ alg: 'RS256' })).message).toContain('empty');
    const lenient = JWKSet.from({ keys: [RSA, RSA] }, { multipleMatches: 'first' });
    expect(lenient.select({ alg: 'RS256' }).n).toBe(RSA.n);
  });

  it('refuses headers whose alg is not a registered signature algorithm', () => {
    for (const alg of ['none', 'RSA-OAEP', 'A128KW', 'constructor', '__proto__', '']) {
      expect(selectionError(() => set.select({ alg })).code).toBe('ERR_JWKS_ALG_UNSUPPORTED');
    }
  });
});
