import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../../test/helpers/backends.js';
import { PRIVATE_JWK_MEMBERS } from '../../../../test/helpers/jwk-members.js';
import { readJSON } from '../../../../test/helpers/vectors.js';
import { generateJWK } from '../../src/crypto/generate.js';
import { JWKError, KeySelectionError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { signJWT } from '../../src/jwt/sign.js';
import { JWKSetError } from '../../src/set/errors.js';
import { JWKSet } from '../../src/set/jwk-set.js';

const rfc7517 = readJSON<Record<'A.1' | 'A.2' | 'A.3', { jwks: { keys: JWK[] } }>>(
  'vectors',
  'rfc',
  'rfc7517-appendix-a.json',
);
const PRIVATE_MEMBERS = PRIVATE_JWK_MEMBERS;

const privateKeys: Record<string, JWK> = {
  RSA: (await generateJWK({ alg: 'RS256', kid: 'rsa' })) as JWK,
  EC: (await generateJWK({ alg: 'ES256', kid: 'ec' })) as JWK,
  OKP: (await generateJWK({ alg: 'Ed25519', kid: 'okp' })) as JWK,
  oct: (await generateJWK({ alg: 'HS256', kid: 'oct' })) as JWK,
};
const pub = (jwk: JWK): JWK => {
  const out: Record<string, unknown> = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete out[m];
  return out as JWK;
};

describe('JWKSet.from (lenient, RFC 7517 §5)', () => {
  it('keeps the good keys and reports the skipped ones with their problems', () => {
    const good = pub(privateKeys.EC!);
    const set = JWKSet.from(
      JSON.stringify({
        keys: [good, { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'broken' }, { kty: 'XYZ' }],
      }),
    );
    expect(set.list().map((k) => k.kid)).toEqual(['ec']);
    expect(set.skipped.map((s) => s.index)).toEqual([1, 2]);
    expect(set.skipped[0]!.kid).toBe('broken');
    expect(set.skipped[0]!.problems.length).toBeGreaterThan(0);
    expect(set.problems.some((p) => p.path.startsWith('keys[1]'))).toBe(true);
  });

  it('throws only when the whole input is unusable', () => {
    expect(() => JWKSet.from('not json')).toThrow(JWKError);
    expect(() => JWKSet.from({ nokeys: [] })).toThrow(JWKError);
  });

  it('reads the RFC 7517 Appendix A sets; the public output of A.2 is A.1', () => {
    expect(JWKSet.from(rfc7517['A.1'].jwks).size).toBe(2);
    const priv = JWKSet.from(rfc7517['A.2'].jwks);
    expect(priv.skipped).toEqual([]);
    expect(JSON.parse(JSON.stringify(priv))).toEqual(
      JSON.parse(JSON.stringify(JWKSet.from(rfc7517['A.1'].jwks))),
    );
    // A.3 holds only secrets: nothing of it is public.
    expect(JWKSet.from(rfc7517['A.3'].jwks).toJSON()).toEqual({ keys: [] });
  });
});

describe('editing a JWKSet', () => {
  it('adds, gets, lists and iterates keys in order', () => {
    const set = new JWKSet([pub(privateKeys.RSA!)]);
    set.add(pub(privateKeys.EC!));
    expect(set.size).toBe(2);
    expect(set.get('ec')?.kty).toBe('EC');
    expect(set.has('rsa')).toBe(true);
    expect([...set].map((k) => k.kid)).toEqual(['rsa', 'ec']);
    expect(set.list().map((k) => k.kid)).toEqual(['rsa', 'ec']);
  });

  it('refuses to add a second key with the same kid: replace means replace', async () => {
    const set = new JWKSet([pub(privateKeys.RSA!)]);
    const other = pub((await generateJWK({ alg: 'RS256', kid: 'rsa' })) as JWK);
    expect(() => set.add(other)).toThrow(JWKSetError);
    try {
      set.add(other);
    } catch (error) {
      expect((error as JWKSetError).code).toBe('ERR_JWKS_DUPLICATE_KID');
    }
    const replaced = set.replace(other);
    expect(replaced.map((k) => k.n)).toEqual([privateKeys.RSA!.n]);
    expect(set.size).toBe(1);
    expect(set.get('rsa')?.n).toBe(other.n);
    // Upsert: a new kid is appended.
    expect(set.replace(pub(privateKeys.EC!))).toEqual([]);
    expect(set.list().map((k) => k.kid)).toEqual(['rsa', 'ec']);
  });

  it('refuses the same key twice when it has no kid', () => {
    const { kid: _k, ...noKid } = pub(privateKeys.EC!);
    const set = new JWKSet([noKid as JWK]);
    expect(() => set.add(noKid as JWK)).toThrow(/same thumbprint/);
  });

  it('removes by kid', () => {
    const set = new JWKSet([pub(privateKeys.RSA!), pub(privateKeys.EC!)]);
    expect(set.remove('rsa')).toBe(true);
    expect(set.remove('rsa')).toBe(false);
    expect(set.list().map((k) => k.kid)).toEqual(['ec']);
  });

  it('validates added keys strictly', () => {
    expect(() => new JWKSet([{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }])).toThrow(JWKError);
  });

  it('never mutates or freezes the caller objects, and hands out keys that cannot change the set', () => {
    const input = pub(privateKeys.RSA!);
    const snapshot = JSON.stringify(input);
    const set = new JWKSet([input]);
    expect(Object.isFrozen(input)).toBe(false);
    expect(JSON.stringify(input)).toBe(snapshot);
    input.kid = 'changed';
    expect(set.get('rsa')).toBeDefined();
    const stored = set.get('rsa')!;
    expect(() => {
      (stored as { kid?: string }).kid = 'x';
    }).toThrow(TypeError);
  });
});

describe('JWKSet serialization', () => {
  const set = new JWKSet(Object.values(privateKeys));

  it('toJSON is public-only for every key type, and leaves oct keys out', () => {
    const json = set.toJSON();
    expect(json.keys.map((k) => k.kty)).toEqual(['RSA', 'EC', 'OKP']);
    for (const k of json.keys) for (const m of PRIVATE_MEMBERS) expect(k).not.toHaveProperty(m);
    const text = JSON.stringify(set);
    for (const k of Object.values(privateKeys)) {
      expect(text).not.toContain((k as { d?: string; k?: string }).d ?? (k as { k: string }).k);
    }
  });

  it('gives private output only with { private: true }', () => {
    const json = set.toJSON({ private: true });
    expect(json.keys.map((k) => k.kty)).toEqual(['RSA', 'EC', 'OKP', 'oct']);
    expect(json.keys[0]).toHaveProperty('d');
    expect(json.keys[3]).toHaveProperty('k');
    json.keys[0]!.kid = 'mutated';
    expect(set.get('rsa')).toBeDefined();
  });

  it('has a strong ETag of the public serialization that changes with the set', () => {
    const a = new JWKSet([pub(privateKeys.RSA!), pub(privateKeys.EC!)]);
    const b = new JWKSet([privateKeys.RSA!, privateKeys.EC!]);
    expect(a.etag()).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(b.etag()).toBe(a.etag());
    a.remove('ec');
    expect(a.etag()).not.toBe(b.etag());
  });
});

describe.each(BACKENDS)('JWKSet as a KeySource ($name backend)', ({ backend }) => {
  it('selects and imports a key, caching the selection', async () => {
    const set = new JWKSet([pub(privateKeys.RSA!), pub(privateKeys.EC!)]);
    const first = await set.selectKey({ alg: 'RS256', kid: 'rsa' }, { backend });
    expect(first.jwk.kid).toBe('rsa');
    expect(first.handle.alg).toBe('RS256');
    expect(first.handle.usage).toBe('verify');
    expect(first.jwk).not.toHaveProperty('d');
    const again = set.selectKeySync({ alg: 'RS256', kid: 'rsa' }, { backend });
    expect(again?.handle).toBe(first.handle);
    await expect(set.selectKey({ alg: 'RS256', kid: 'nope' }, { backend })).rejects.toBeInstanceOf(
      KeySelectionError,
    );
  });

  it('shares imported keys across sets and fresh objects (cache by thumbprint and alg)', async () => {
    const a = await new JWKSet([pub(privateKeys.EC!)]).selectKey({ alg: 'ES256' }, { backend });
    const b = await new JWKSet([pub(privateKeys.EC!)]).selectKey({ alg: 'ES256' }, { backend });
    expect(b.handle).toBe(a.handle);
  });

  it('forgets selections when the set changes', async () => {
    const set = new JWKSet([pub(privateKeys.RSA!)]);
    await set.selectKey({ alg: 'RS256', kid: 'rsa' }, { backend });
    set.remove('rsa');
    await expect(set.selectKey({ alg: 'RS256', kid: 'rsa' }, { backend })).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
  });
});

describe("set.getKey as jose's jwtVerify key function", () => {
  const set = new JWKSet([
    pub(privateKeys.RSA!),
    pub(privateKeys.EC!),
    pub(privateKeys.OKP!),
    privateKeys.oct!,
  ]);

  it.each(['RS256', 'ES256', 'Ed25519', 'HS256'])('verifies a %s token signed by jwkit', async (alg) => {
    const kid = { RS256: 'rsa', ES256: 'ec', Ed25519: 'okp', HS256: 'oct' }[alg]!;
    const token = await signJWT({ sub: 'alice' }, Object.values(privateKeys).find((k) => k.kid === kid)!);
    const { payload, protectedHeader } = await jwtVerify(token, set.getKey);
    expect(payload.sub).toBe('alice');
    expect(protectedHeader.kid).toBe(kid);
  });

  it('verifies a token signed by jose and rejects an unknown kid', async () => {
    const jose = await import('jose');
    const key = await jose.importJWK(privateKeys.EC!, 'ES256');
    const token = await new SignJWT({ sub: 'bob' }).setProtectedHeader({ alg: 'ES256', kid: 'ec' }).sign(key);
    expect((await jwtVerify(token, set.getKey)).payload.sub).toBe('bob');
    const unknown = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'other' }).sign(key);
    await expect(jwtVerify(unknown, set.getKey)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('refuses an HS256 token that names an asymmetric key (algorithm confusion)', async () => {
    const jose = await import('jose');
    const secret = new TextEncoder().encode(JSON.stringify(pub(privateKeys.RSA!)).padEnd(64, 'x'));
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'rsa' }).sign(secret);
    await expect(jose.jwtVerify(forged, set.getKey)).rejects.toBeInstanceOf(KeySelectionError);
  });
});
