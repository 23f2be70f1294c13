/**
 * A caller's JWK object is validated once and then recognised by a snapshot of its members
 * (jwt/key-input.ts, issue 15). The snapshot must never outlive a change: a frozen or unchanged
 * key gives the same result on every call, and a key object mutated between calls is validated
 * and used as it is now (signing with the new key, refusing a key made invalid, honouring a
 * changed key_ops).
 */
import { describe, expect, it } from 'vitest';
import { generateJWK } from '../../src/crypto/generate.js';
import { JWKitError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { validatedKey } from '../../src/jwt/key-input.js';
import { signJWT } from '../../src/jwt/sign.js';
import { verifyJWT } from '../../src/jwt/verify.js';

const a = (await generateJWK({ alg: 'ES256', kid: 'a' })) as JWK;
const b = (await generateJWK({ alg: 'ES256', kid: 'b' })) as JWK;

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof JWKitError ? e.code : String(e)),
  );

describe('validatedKey snapshots', () => {
  it('gives the same entry for an unchanged or frozen key, call after call', () => {
    const key = { ...a };
    const first = validatedKey(key);
    expect(validatedKey(key)).toBe(first);
    const frozen = Object.freeze({ ...a });
    expect(validatedKey(frozen)).toBe(validatedKey(frozen));
    expect(validatedKey(frozen).jwk).toEqual(first.jwk);
  });

  it('sees every kind of change to the same object', () => {
    const key: Record<string, unknown> = { ...a };
    const entryA = validatedKey(key);
    // A member replaced (the other key's private and public members).
    Object.assign(key, { d: b.d, x: b.x, y: b.y });
    expect(validatedKey(key).jwk.d).toBe(b.d);
    Object.assign(key, { d: a.d, x: a.x, y: a.y });
    expect(validatedKey(key).jwk).toEqual(entryA.jwk);
    // A member added, then removed.
    key.use = 'sig';
    expect(validatedKey(key).jwk.use).toBe('sig');
    delete key.use;
    expect(validatedKey(key).jwk.use).toBeUndefined();
    // An array member changed in place.
    key.key_ops = ['sign'];
    expect(validatedKey(key).jwk.key_ops).toEqual(['sign']);
    (key.key_ops as string[])[0] = 'verify';
    expect(validatedKey(key).jwk.key_ops).toEqual(['verify']);
    (key.key_ops as string[]).push('sign');
    expect(validatedKey(key).jwk.key_ops).toEqual(['verify', 'sign']);
    // The same members in another order still name the same key.
    const reordered = Object.fromEntries(Object.entries(key).reverse());
    expect(validatedKey(reordered).jwk).toEqual(validatedKey(key).jwk);
    // Made invalid: refused, not answered from the snapshot.
    key.crv = 'P-999';
    expect(() => validatedKey(key)).toThrow(JWKitError);
  });

  it('signs with the key the object holds now, not the one it held before', async () => {
    const key: Record<string, unknown> = { ...a };
    const pubA = toPublic(a) as JWK;
    const pubB = toPublic({ ...b, kid: 'a' }) as JWK;
    expect(await codeOf(verifyJWT(await signJWT({ sub: 'x' }, key as JWK), pubA))).toBe('accepted');
    Object.assign(key, { d: b.d, x: b.x, y: b.y });
    const token = await signJWT({ sub: 'x' }, key as JWK);
    expect(await codeOf(verifyJWT(token, pubB))).toBe('accepted');
    expect(await codeOf(verifyJWT(token, pubA))).toBe('ERR_JWT_SIGNATURE_INVALID');
    key.key_ops = ['verify'];
    expect(await codeOf(signJWT({ sub: 'x' }, key as JWK))).toBe('ERR_JWT_SIGN_KEY');
    (key.key_ops as string[])[0] = 'sign';
    expect(await codeOf(signJWT({ sub: 'x' }, key as JWK))).toBe('accepted');
  });

  it('does not snapshot getters or toJSON: such an object is serialized on every call', () => {
    let d = a.d;
    const key = { ...a };
    Object.defineProperty(key, 'd', { enumerable: true, get: () => d });
    const before = validatedKey(key);
    expect(validatedKey(key)).toBe(before); // same text, same entry
    d = b.d;
    expect(validatedKey(key)).not.toBe(before); // new text: validated again
    let kid = 'one';
    const withToJSON = { ...a, toJSON: () => ({ ...a, kid }) };
    const first = validatedKey(withToJSON);
    kid = 'two';
    expect(validatedKey(withToJSON)).not.toBe(first);
  });
});
