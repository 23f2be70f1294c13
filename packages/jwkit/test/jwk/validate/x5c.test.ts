import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, readJSON } from '../../../../../test/helpers/vectors.js';
import { verifyX5cChain } from '../../../src/crypto/x5c-chain.js';
import { validateJWK, validateJWKSet } from '../../../src/jwk/validate/index.js';
import { type Chain, makeChain, std } from './certs.js';
import { codes, type JSONObject } from './helpers.js';

const rfcB = readJSON<{ jwk: JSONObject; computed: Record<string, string> }>(
  'vectors',
  'rfc',
  'rfc7517-appendix-b.json',
);
const digest = (alg: string, der: Uint8Array) => createHash(alg).update(der).digest('base64url');

let chain: Chain;
beforeAll(() => {
  chain = makeChain();
});

describe('x5c', () => {
  it('accepts a chain whose leaf holds the key, with matching x5t and x5t#S256', () => {
    const jwk = {
      ...chain.jwk,
      x5t: digest('sha1', chain.leafDER),
      'x5t#S256': digest('sha256', chain.leafDER),
    };
    const report = validateJWK(jwk, { x5c: { at: new Date(), verifyChain: true } });
    expect(report.problems).toEqual([]);
    expect(report.key?.x5c).toEqual(chain.jwk.x5c);
  });

  it('verifies the chain signatures with verifyX5cChain, leaf to self-signed root', async () => {
    const good = await verifyX5cChain(chain.jwk);
    expect(good.problems).toEqual([]);
    expect(good.valid).toBe(true);
    const forged = await verifyX5cChain({ ...chain.jwk, x5c: [std(chain.forgedDER), std(chain.caDER)] });
    expect(forged.valid).toBe(false);
    // The forged leaf holds the right key and names the right issuer: only the signature betrays it.
    expect(codes(forged.problems)).toEqual(['X5C_CHAIN_SIGNATURE']);
    expect(forged.key).toBeUndefined();
  });

  it('verifyX5cChain checks the name order even without the option, and reports rather than rejects', async () => {
    const report = await verifyX5cChain({ ...chain.jwk, x5c: [std(chain.leafDER), std(chain.otherDER)] });
    expect(codes(report.problems)).toContain('X5C_CHAIN_ORDER');
    const plain = validateJWK({ ...chain.jwk, x5c: [std(chain.leafDER), std(chain.otherDER)] });
    expect(plain.valid).toBe(true);
  });

  it('validates the RFC 7517 Appendix B key and its certificate, which expired in 2018', async () => {
    const jwk = {
      ...rfcB.jwk,
      x5t: rfcB.computed.x5t_sha1_of_x5c0,
      'x5t#S256': rfcB.computed['x5t#S256_of_x5c0'],
    };
    expect(validateJWK(jwk).problems).toEqual([]);
    expect(validateJWK(jwk, { x5c: { at: new Date('2015-01-01') } }).problems).toEqual([]);
    expect(codes(validateJWK(jwk, { x5c: { at: new Date('2019-01-01') } }).problems)).toEqual([
      'X5C_CERT_EXPIRED',
    ]);
    // Its self-signature is sha1WithRSAEncryption, which has no JWS equivalent.
    const verified = await verifyX5cChain(jwk);
    expect(verified.valid).toBe(true);
    expect(codes(verified.problems)).toEqual(['X5C_CHAIN_UNSUPPORTED']);
    expect(verified.problems[0]?.severity).toBe('warning');
    expect((await verifyX5cChain(jwk, { strict: true })).valid).toBe(false);
  });

  it('compares the leaf key with the canonical JWK members, so lenient spellings still match', () => {
    const n = Buffer.from(rfcB.jwk.n as string, 'base64url');
    const padded = Buffer.concat([Buffer.from([0]), n]).toString('base64');
    const report = validateJWK({ ...rfcB.jwk, n: padded });
    expect(report.valid).toBe(true);
    expect(codes(report.problems)).not.toContain('X5C_KEY_MISMATCH');
    expect(report.key?.n).toBe(rfcB.jwk.n);
  });

  it('refuses base64url in x5c, where RFC 7517 §4.7 requires standard base64', () => {
    const urlSafe = (rfcB.jwk.x5c as string[])[0]!.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const report = validateJWK({ ...rfcB.jwk, x5c: [urlSafe] });
    expect(codes(report.problems)).toEqual(['X5C_ENCODING']);
  });

  it('warns about the real-world thumbprint quirks without rejecting the keys', () => {
    const auth0 = validateJWKSet(readFileSync(join(FIXTURES, 'real-world', 'auth0-common.json'), 'utf8'));
    expect(auth0.keys).toHaveLength(2);
    expect(auth0.problems.map((p) => [p.code, p.path])).toEqual([['X5T_HEX_THUMBPRINT', 'keys[0].x5t']]);
    const workos = validateJWKSet(readFileSync(join(FIXTURES, 'real-world', 'workos.json'), 'utf8'));
    expect(workos.problems.map((p) => [p.code, p.path])).toEqual([
      ['X5T_S256_MISMATCH', 'keys[0]["x5t#S256"]'],
    ]);
    expect(
      validateJWKSet(readFileSync(join(FIXTURES, 'real-world', 'workos.json'), 'utf8'), { strict: true })
        .keys,
    ).toEqual([]);
  });

  it('verifies the self-signed RS256 chains Keycloak publishes', async () => {
    const set = validateJWKSet(readFileSync(join(FIXTURES, 'real-world', 'keycloak.json'), 'utf8'));
    for (const key of set.keys) {
      const report = await verifyX5cChain(key);
      expect(report.problems).toEqual([]);
    }
  });
});

describe('x5c chain links share the one walker with verifyX5cChain (issue 13 point 7)', () => {
  const verify = { x5c: { verifyChain: true } };

  it('links names by DER: an issuer that differs only in case is out of order', () => {
    const r = validateJWK({ ...chain.jwk, x5c: chain.caseOnly.map(std) }, verify);
    expect(codes(r.problems)).toContain('X5C_CHAIN_ORDER');
  });

  it('refuses issuers that may not issue, in validateJWK and verifyX5cChain alike', async () => {
    for (const [ders, code] of [
      [chain.notCA, 'X5C_ISSUER_NOT_CA'],
      [chain.noCertSign, 'X5C_ISSUER_KEY_USAGE'],
      [chain.tooLong, 'X5C_PATH_LENGTH'],
    ] as const) {
      const jwk = { ...chain.jwk, x5c: ders.map(std) };
      expect(codes(validateJWK(jwk, verify).problems), code).toContain(code);
      const report = await verifyX5cChain(jwk);
      expect(report.valid, code).toBe(false);
      expect(codes(report.problems), code).toContain(code);
      // The signatures are genuine: only the link rules refuse these chains.
      expect(codes(report.problems), code).not.toContain('X5C_CHAIN_SIGNATURE');
    }
  });
});
