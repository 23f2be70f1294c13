import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BACKENDS, nodeBackend, webBackend } from '../../../../test/helpers/backends.js';
import { generateJWK } from '../../src/crypto/generate.js';
import { encode } from '../../src/encoding/base64url.js';
import { JWKitError, JWTError, KeySelectionError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { decodeJWT } from '../../src/jwt/decode.js';
import { signJWS, signJWT } from '../../src/jwt/sign.js';
import { verifyJWS, verifyJWT, verifyJWTSync } from '../../src/jwt/verify.js';
import { JWKSet } from '../../src/set/jwk-set.js';

const hmac = (await generateJWK({ alg: 'HS256', kid: 'mac' })) as JWK;
const ec = (await generateJWK({ alg: 'ES256', kid: 'ec' })) as JWK;
const rsa = (await generateJWK({ alg: 'RS256', kid: 'rsa' })) as JWK;
const ecPublic = toPublic(ec) as JWK;
const rsaPublic = toPublic(rsa) as JWK;

/** A token with an arbitrary header, correctly MACed with `hmac` (to reach checks past the MAC). */
function macToken(header: unknown, payload: unknown = { sub: 'x' }): string {
  const input = `${encode(JSON.stringify(header))}.${encode(JSON.stringify(payload))}`;
  const key = Buffer.from(hmac.k as string, 'base64url');
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

async function rejection(promise: Promise<unknown>): Promise<JWKitError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(JWKitError);
    return error as JWKitError;
  }
  throw new Error('expected a rejection');
}
const codeOf = async (promise: Promise<unknown>) => (await rejection(promise)).code;

describe.each(BACKENDS)('verifyJWT ($name backend)', ({ backend }) => {
  const set = new JWKSet([hmac, ecPublic, rsaPublic]);

  it('verifies tokens from a set and from a single JWK, returning payload, header and public key', async () => {
    for (const key of [ec, rsa, hmac]) {
      const token = await signJWT({ sub: 'alice' }, key, { backend });
      for (const source of [set, key.kty === 'oct' ? key : toPublic(key)]) {
        const result = await verifyJWT(token, source as JWK, { backend });
        expect(result.payload.sub).toBe('alice');
        expect(result.header.kid).toBe(key.kid);
        expect(result.key.kid).toBe(key.kid);
        if (key.kty !== 'oct') expect(result.key).not.toHaveProperty('d');
      }
    }
  });

  it('never accepts alg "none", in any spelling, with or without a signature', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const unsigned = `${encode(JSON.stringify({ alg }))}.${encode('{}')}.`;
      expect(await codeOf(verifyJWT(unsigned, set, { backend, algorithms: [alg] }))).toBe('ERR_JWT_ALG_NONE');
      expect(await codeOf(verifyJWT(macToken({ alg, kid: 'mac' }), set, { backend }))).toBe(
        'ERR_JWT_ALG_NONE',
      );
    }
  });

  it('allows an algorithm only through the algorithms option or the key alg', async () => {
    const keyNoAlg = { ...ecPublic, alg: undefined } as JWK;
    delete keyNoAlg.alg;
    const token = await signJWT({}, ec, { backend });
    expect(await codeOf(verifyJWT(token, keyNoAlg, { backend }))).toBe('ERR_JWT_ALG_NOT_ALLOWED');
    expect((await verifyJWT(token, keyNoAlg, { backend, algorithms: ['ES256'] })).header.alg).toBe('ES256');
    expect(await codeOf(verifyJWT(token, set, { backend, algorithms: ['RS256'] }))).toBe(
      'ERR_JWT_ALG_NOT_ALLOWED',
    );
    expect(await codeOf(verifyJWT(macToken({ alg: 'XS256' }), set, { backend }))).toBe(
      'ERR_JWT_ALG_UNSUPPORTED',
    );
    expect(await codeOf(verifyJWT(macToken({ alg: 'RSA-OAEP' }), set, { backend }))).toBe(
      'ERR_JWT_ALG_UNSUPPORTED',
    );
  });

  it('never verifies HS* with an asymmetric key (algorithm confusion, RFC 8725 §2.1)', async () => {
    // The classic attack: MAC the token with the public key's bytes as the secret.
    const secret = Buffer.from(JSON.stringify(rsaPublic));
    const input = `${encode(JSON.stringify({ alg: 'HS256', kid: 'rsa' }))}.${encode('{}')}`;
    const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expect(await codeOf(verifyJWT(forged, rsaPublic, { backend, algorithms: ['HS256'] }))).toBe(
      'ERR_JWT_HMAC_WITH_ASYMMETRIC_KEY',
    );
    const viaSet = await rejection(verifyJWT(forged, set, { backend, algorithms: ['HS256'] }));
    expect(viaSet).toBeInstanceOf(KeySelectionError);
  });

  it('rejects unknown crit extensions, malformed crit and b64:false', async () => {
    const ext = { alg: 'HS256', kid: 'mac', crit: ['urn:x'], 'urn:x': 1 };
    expect(await codeOf(verifyJWT(macToken(ext), set, { backend }))).toBe('ERR_JWT_CRIT_UNSUPPORTED');
    expect((await verifyJWT(macToken(ext), set, { backend, crit: ['urn:x'] })).header['urn:x']).toBe(1);
    for (const crit of [[], 'urn:x', ['alg'], ['urn:missing'], ['urn:x', 'urn:x']]) {
      const code = await codeOf(
        verifyJWT(macToken({ ...ext, crit }), set, { backend, crit: ['urn:x', 'urn:missing'] }),
      );
      expect(code).toBe('ERR_JWT_CRIT_INVALID');
    }
    const b64 = { alg: 'HS256', kid: 'mac', b64: false, crit: ['b64'] };
    expect(await codeOf(verifyJWT(macToken(b64), set, { backend }))).toBe('ERR_JWT_B64_UNSUPPORTED');
    expect(await codeOf(verifyJWT(macToken({ ...b64, crit: undefined }), set, { backend }))).toBe(
      'ERR_JWT_B64_UNSUPPORTED',
    );
  });

  it('ignores embedded jwk, jku, x5u and x5c headers unless an option trusts them', async () => {
    const attacker = (await generateJWK({ alg: 'ES256', kid: 'ec' })) as JWK;
    const header = {
      jwk: toPublic(attacker),
      jku: 'https://evil.example/jwks',
      x5u: 'https://evil.example/c',
    };
    const token = await signJWT({}, attacker, { backend, header });
    expect(await codeOf(verifyJWT(token, set, { backend }))).toBe('ERR_JWT_SIGNATURE_INVALID');

    // With trustEmbeddedKey the key is still validated, must be public and the callback decides.
    const seen: JWK[] = [];
    const trust = (k: { jwk: JWK }) => {
      seen.push(k.jwk);
      return k.jwk.x === attacker.x;
    };
    const result = await verifyJWT(token, set, { backend, algorithms: ['ES256'], trustEmbeddedKey: trust });
    expect(result.key.x).toBe(attacker.x);
    expect(seen.map((k) => k.d)).toEqual([undefined]);
    expect(
      await codeOf(verifyJWT(token, set, { backend, algorithms: ['ES256'], trustEmbeddedKey: () => false })),
    ).toBe('ERR_JWT_HEADER_KEY_NOT_TRUSTED');
    const leaky = await signJWT({}, attacker, { backend, header: { jwk: attacker } });
    expect(
      await codeOf(verifyJWT(leaky, set, { backend, algorithms: ['ES256'], trustEmbeddedKey: () => true })),
    ).toBe('ERR_JWT_HEADER_KEY_INVALID');
    const wrongType = await signJWT({}, attacker, { backend, header: { jwk: rsaPublic } });
    expect(
      await codeOf(
        verifyJWT(wrongType, set, { backend, algorithms: ['ES256'], trustEmbeddedKey: () => true }),
      ),
    ).toBe('ERR_JWT_HEADER_KEY_INVALID');

    // jku maps to a key source chosen by the caller, or rejects.
    const resolveJku = (url: string) =>
      url === 'https://evil.example/jwks' ? new JWKSet([toPublic(attacker)]) : undefined;
    expect((await verifyJWT(token, set, { backend, resolveJku })).key.x).toBe(attacker.x);
    const other = await signJWT({}, attacker, { backend, header: { jku: 'https://other.example' } });
    expect(await codeOf(verifyJWT(other, set, { backend, resolveJku }))).toBe('ERR_JWT_JKU_NOT_TRUSTED');
  });

  it('rejects malformed tokens with precise codes', async () => {
    const good = await signJWT({}, hmac, { backend });
    const [h, p, s] = good.split('.') as [string, string, string];
    const cases: [string, string][] = [
      [`${h}.${p}`, 'ERR_JWT_MALFORMED'],
      [`${h}.${p}.${s}.`, 'ERR_JWT_MALFORMED'],
      [`${h}.${p}.`, 'ERR_JWT_MALFORMED'],
      [`.${p}.${s}`, 'ERR_JWT_MALFORMED'],
      [`${h}.${p}.${s}=`, 'ERR_JWT_BASE64URL'],
      [`${h}.${p}=.${s}`, 'ERR_JWT_BASE64URL'],
      [`${h}.${p}.${s.replace(/.$/, '+')}`, 'ERR_JWT_BASE64URL'],
      [`${h} .${p}.${s}`, 'ERR_JWT_BASE64URL'],
      [`${encode('[1]')}.${p}.${s}`, 'ERR_JWT_HEADER_INVALID'],
      [`${encode('{"alg":"HS256"')}.${p}.${s}`, 'ERR_JWT_HEADER_INVALID'],
      [`${encode('{"alg":1}')}.${p}.${s}`, 'ERR_JWT_HEADER_INVALID'],
      [`${encode('{"alg":"HS256","kid":7}')}.${p}.${s}`, 'ERR_JWT_HEADER_INVALID'],
      ['a.b.c.d.e', 'ERR_JWT_IS_JWE'],
      [JSON.stringify({ payload: p, protected: h, signature: s }), 'ERR_JWS_JSON_SERIALIZATION'],
      ['x'.repeat(70_000), 'ERR_JWT_TOO_LONG'],
    ];
    for (const [token, code] of cases)
      expect(await codeOf(verifyJWT(token, set, { backend })), token).toBe(code);
    expect(await codeOf(verifyJWT(42 as unknown as string, set, { backend }))).toBe('ERR_JWT_MALFORMED');
  });

  it('checks the signature over the received ASCII, and only then parses the payload', async () => {
    const token = await signJWT({ sub: 'a' }, hmac, { backend });
    const [h, , s] = token.split('.');
    expect(await codeOf(verifyJWT(`${h}.${encode('{"sub":"b"}')}.${s}`, set, { backend }))).toBe(
      'ERR_JWT_SIGNATURE_INVALID',
    );
    const notJSON = await signJWS('not json', hmac, { backend });
    expect(await codeOf(verifyJWT(notJSON, set, { backend }))).toBe('ERR_JWT_PAYLOAD_INVALID');
    const array = await signJWS('[1,2]', hmac, { backend });
    expect(await codeOf(verifyJWT(array, set, { backend }))).toBe('ERR_JWT_PAYLOAD_INVALID');
    expect(new TextDecoder().decode((await verifyJWS(notJSON, set, { backend })).payload)).toBe('not json');
  });

  it('verifies detached content (RFC 7515 Appendix F)', async () => {
    const token = await signJWS('detached body', hmac, { backend });
    const [h, , s] = token.split('.');
    const detached = `${h}..${s}`;
    const result = await verifyJWS(detached, set, { backend, detachedPayload: 'detached body' });
    expect(new TextDecoder().decode(result.payload)).toBe('detached body');
    expect(await codeOf(verifyJWS(detached, set, { backend, detachedPayload: 'other' }))).toBe(
      'ERR_JWT_SIGNATURE_INVALID',
    );
    expect(await codeOf(verifyJWS(token, set, { backend, detachedPayload: 'x' }))).toBe('ERR_JWT_MALFORMED');
  });

  it('tries every matching key with multipleMatches "try-all"', async () => {
    const a = (await generateJWK({ alg: 'ES256', kid: false })) as JWK;
    const b = (await generateJWK({ alg: 'ES256', kid: false })) as JWK;
    const noKids = new JWKSet([toPublic(a), toPublic(b)]);
    const token = await signJWT({ sub: 'b' }, b, { backend });
    expect(await codeOf(verifyJWT(token, noKids, { backend }))).toBe('ERR_JWKS_MULTIPLE_MATCHING_KEYS');
    expect(await codeOf(verifyJWT(token, noKids, { backend, multipleMatches: 'first' }))).toBe(
      'ERR_JWT_SIGNATURE_INVALID',
    );
    expect((await verifyJWT(token, noKids, { backend, multipleMatches: 'try-all' })).key.x).toBe(b.x);
    // The set's own default policy applies when the call gives none.
    const tryAll = new JWKSet([toPublic(a), toPublic(b)], { multipleMatches: 'try-all' });
    expect((await verifyJWT(token, tryAll, { backend })).key.x).toBe(b.x);
    expect((await verifyJWT(token, tryAll, { backend })).key.x).toBe(b.x);
  });
});

describe.each(BACKENDS)('JWT claims ($name backend)', ({ backend }) => {
  const now = 1_700_000_000;
  const clock = () => now * 1000;
  const sign = (payload: Record<string, unknown>, options: Parameters<typeof signJWT>[2] = {}) =>
    signJWT(payload, hmac, { backend, clock, ...options });
  const check = async (payload: Record<string, unknown>, options: Parameters<typeof verifyJWT>[2] = {}) =>
    codeOf(verifyJWT(await sign(payload), hmac, { backend, clock, ...options }));
  const ok = async (payload: Record<string, unknown>, options: Parameters<typeof verifyJWT>[2] = {}) =>
    (await verifyJWT(await sign(payload), hmac, { backend, clock, ...options })).payload;

  it('checks exp and nbf against an injected clock, with tolerance', async () => {
    expect(await check({ exp: now })).toBe('ERR_JWT_EXPIRED');
    expect((await ok({ exp: now + 1 })).exp).toBe(now + 1);
    expect((await ok({ exp: now - 4 }, { clockTolerance: '5s' })).exp).toBe(now - 4);
    expect(await check({ exp: now - 5 }, { clockTolerance: 5 })).toBe('ERR_JWT_EXPIRED');
    expect(await check({ nbf: now + 1 })).toBe('ERR_JWT_NOT_YET_VALID');
    expect((await ok({ nbf: now })).nbf).toBe(now);
    expect((await ok({ nbf: now + 30 }, { clockTolerance: 30 })).nbf).toBe(now + 30);
    expect(await check({ exp: '1' })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(await check({ nbf: null })).toBe('ERR_JWT_CLAIM_INVALID');
  });

  it('checks iat and maxTokenAge', async () => {
    expect((await ok({}, { maxTokenAge: 60 })).iat).toBe(now); // signJWT sets iat by default
    expect(
      await codeOf(verifyJWT(await sign({}, { issuedAt: false }), hmac, { backend, clock, maxTokenAge: 60 })),
    ).toBe('ERR_JWT_CLAIM_MISSING');
    expect(
      await codeOf(
        verifyJWT(await sign({}, { issuedAt: now - 61 }), hmac, { backend, clock, maxTokenAge: '1m' }),
      ),
    ).toBe('ERR_JWT_TOO_OLD');
    expect(
      await codeOf(
        verifyJWT(await sign({}, { issuedAt: now + 10 }), hmac, { backend, clock, maxTokenAge: 60 }),
      ),
    ).toBe('ERR_JWT_IAT_IN_FUTURE');
    const badIat = await sign({ iat: 'yesterday' }, { issuedAt: false });
    expect(await codeOf(verifyJWT(badIat, hmac, { backend, clock }))).toBe('ERR_JWT_CLAIM_INVALID');
  });

  it('checks iss, sub, aud (string or list), typ and required claims, each with its own code', async () => {
    expect(await codeOf(verifyJWT(await sign({}), hmac, { backend, clock, issuer: 'https://a' }))).toBe(
      'ERR_JWT_CLAIM_MISSING',
    );
    expect(
      await codeOf(
        verifyJWT(await sign({}, { issuer: 'https://b' }), hmac, { backend, clock, issuer: 'https://a' }),
      ),
    ).toBe('ERR_JWT_ISS_MISMATCH');
    expect((await ok({ iss: 'https://b' }, { issuer: ['https://a', 'https://b'] })).iss).toBe('https://b');
    expect(await check({ sub: 'u1' }, { subject: 'u2' })).toBe('ERR_JWT_SUB_MISMATCH');
    expect((await ok({ aud: ['x', 'api'] }, { audience: 'api' })).aud).toEqual(['x', 'api']);
    expect((await ok({ aud: 'api' }, { audience: ['web', 'api'] })).aud).toBe('api');
    expect(await check({ aud: ['x'] }, { audience: 'api' })).toBe('ERR_JWT_AUD_MISMATCH');
    expect(await check({ aud: [1] }, { audience: 'api' })).toBe('ERR_JWT_CLAIM_INVALID');
    expect(await check({}, { audience: 'api' })).toBe('ERR_JWT_CLAIM_MISSING');
    expect(await check({}, { requiredClaims: ['jti'] })).toBe('ERR_JWT_CLAIM_MISSING');
    expect((await ok({}, { typ: 'application/JWT' })).iat).toBe(now);
    const at = await sign({}, { typ: 'at+jwt' });
    expect(await codeOf(verifyJWT(at, hmac, { backend, clock, typ: 'JWT' }))).toBe('ERR_JWT_TYP_MISMATCH');
    expect((await verifyJWT(at, hmac, { backend, clock, typ: 'application/at+JWT' })).header.typ).toBe(
      'at+jwt',
    );
    expect(await check({}, { clockTolerance: '5 parsecs' })).toBe('ERR_JWT_OPTIONS');
  });
});

describe('synchronous fast path', () => {
  it('verifyJWTSync answers synchronously on node:crypto with a local set', async () => {
    const set = new JWKSet([rsaPublic, ecPublic]);
    const token = await signJWT({ sub: 's' }, rsa, { backend: nodeBackend });
    expect(verifyJWTSync(token, set, { backend: nodeBackend }).payload.sub).toBe('s');
    expect(verifyJWTSync(token, rsaPublic, { backend: nodeBackend }).payload.sub).toBe('s');
    expect(() => verifyJWTSync(`${token}x`, set, { backend: nodeBackend })).toThrow(JWTError);
  });

  it('verifyJWTSync refuses when the backend is asynchronous', async () => {
    const token = await signJWT({}, rsa, { backend: webBackend });
    expect(() => verifyJWTSync(token, new JWKSet([rsaPublic]), { backend: webBackend })).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_SYNC_UNAVAILABLE' }),
    );
  });

  it('verifyJWT returns an already-settled promise on the fast path', async () => {
    const set = new JWKSet([rsaPublic]);
    const token = await signJWT({}, rsa, { backend: nodeBackend });
    await verifyJWT(token, set, { backend: nodeBackend });
    let settled = false;
    const p = verifyJWT(token, set, { backend: nodeBackend }).then(() => {
      settled = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(true);
    await p;
  });
});

describe('decodeJWT', () => {
  it('decodes without verifying, with the same strict parsing', async () => {
    const token = await signJWT({ sub: 'd' }, ec);
    const decoded = decodeJWT(token);
    expect(decoded.header).toMatchObject({ alg: 'ES256', kid: 'ec', typ: 'JWT' });
    expect(decoded.payload.sub).toBe('d');
    expect(() => decodeJWT(`${token}=`)).toThrow(JWTError);
    expect(() => decodeJWT(macToken({ alg: 'none' }))).toThrow(
      expect.objectContaining({ code: 'ERR_JWT_ALG_NONE' }),
    );
  });
});
