/**
 * The token layer against a real SoftHSM2 token: every alg SoftHSM offers generates inside the
 * token, signs, and the signature verifies with jwkit's verifyJWS on the public JWK returned; the
 * objects have the custody attributes; list and destroy see only jwkit's objects.
 */

import { base64url, type JWK, thumbprint, verifyJWS } from 'jwkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToken, type Pkcs11Token } from '../../src/pkcs11/index.js';
import { objectId } from '../../src/pkcs11/keys.js';
import { acquireModule, type LoadedModule } from '../../src/pkcs11/module.js';
import { type SoftHsm, softHsm, softHsmAvailable } from './softhsm.js';

const ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
];

/** A compact JWS signed through the token. */
async function jws(
  token: Pkcs11Token,
  kid: string,
  alg: string,
  payload = '{"sub":"token"}',
): Promise<string> {
  const input = `${base64url.encode(JSON.stringify({ alg, kid }))}.${base64url.encode(payload)}`;
  const sig = await token.sign(kid, alg, new TextEncoder().encode(input));
  return `${input}.${base64url.encode(sig)}`;
}

describe.skipIf(!softHsmAvailable)('PKCS#11 token on SoftHSM2', () => {
  let hsm: SoftHsm;
  let token: Pkcs11Token;
  let mod: LoadedModule;

  beforeAll(async () => {
    hsm = softHsm();
    token = await openToken(hsm.uri);
    mod = await acquireModule(hsm.module);
  });
  afterAll(async () => {
    await token?.close();
    mod?.release();
    hsm?.cleanup();
  });

  it('describes the token it opened', () => {
    expect(token.description).toMatch(/token 'jwkit' \(serial [0-9a-f]+, slot \d+\)$/);
  });

  it('offers every ECDSA, RSA and Ed25519 alg SoftHSM2 has mechanisms for, and names what it lacks', () => {
    for (const alg of ALGS) expect(token.missingMechanism(alg), alg).toBeNull();
    expect(token.missingMechanism('HS256')).toMatch(/no PKCS#11 mechanism in jwkit/);
    expect(token.missingMechanism('Ed448')).toMatch(/CK_EDDSA_PARAMS/);
    expect(token.missingMechanism('RSA-OAEP')).toMatch(/not a JWS signature algorithm/);
  });

  for (const alg of ALGS) {
    it(`${alg}: generates in the token, signs, and the JWS verifies on the public JWK`, async () => {
      const key = await token.generate(alg);
      expect(key.alg).toBe(alg);
      expect(key.publicJwk).toMatchObject({ kid: key.label, alg, use: 'sig' });
      expect(key.label).toBe(thumbprint(key.publicJwk as JWK));
      expect(Object.keys(key.publicJwk)).not.toContain('d');
      const token1 = await jws(token, key.label, alg);
      const verified = await verifyJWS(token1, key.publicJwk as JWK, { algorithms: [alg] });
      expect(new TextDecoder().decode(verified.payload)).toBe('{"sub":"token"}');
      // A signature over other bytes does not verify: the token signed what it was given.
      const [h, p] = token1.split('.');
      const forged = `${h}.${base64url.encode('{"sub":"other"}')}.${token1.split('.')[2]}`;
      await expect(verifyJWS(forged, key.publicJwk as JWK, { algorithms: [alg] })).rejects.toThrow();
      expect(p).toBeDefined();
    });
  }

  it('refuses to generate or sign for an alg without a token mechanism, naming why', async () => {
    await expect(token.generate('HS256')).rejects.toMatchObject({
      code: 'ERR_PKCS11_MECHANISM',
      message: expect.stringContaining('cannot do HS256'),
    });
    await expect(token.sign('any', 'Ed448', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'ERR_PKCS11_MECHANISM',
    });
  });

  it('ES512 signatures are r‖s of 66 octets each (RFC 7518 §3.4)', async () => {
    const key = await token.generate('ES512');
    const sig = await token.sign(key.label, 'ES512', new Uint8Array([1, 2, 3]));
    expect(sig.length).toBe(132);
  });

  it('RSA keys get the size asked for, 2048 bits by default', async () => {
    const small = await token.generate('RS256');
    const big = await token.generate('PS256', { size: 3072 });
    expect(base64url.decode((small.publicJwk as { n: string }).n).length).toBe(256);
    expect(base64url.decode((big.publicJwk as { n: string }).n).length).toBe(384);
    await expect(token.generate('RS256', { size: 1024 })).rejects.toMatchObject({
      code: 'ERR_PKCS11_KEY_SIZE',
    });
  });

  it.each(['ES256', 'RS256', 'Ed25519'])(
    '%s: makes token objects that are private, sensitive, never extractable and sign-only (read back from the token)',
    async (alg) => {
      const key = await token.generate(alg);
      const { p11, lib } = mod;
      const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === 'jwkit')!;
      const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION);
      try {
        p11.C_FindObjectsInit(session, [{ type: lib.CKA_LABEL, value: key.label }]);
        const handles = p11.C_FindObjects(session, 10);
        p11.C_FindObjectsFinal(session);
        expect(handles.length).toBe(2);
        const seen: Record<string, Record<string, boolean | string>> = {};
        for (const h of handles) {
          const [cls, id] = p11.C_GetAttributeValue(session, h, [
            { type: lib.CKA_CLASS },
            { type: lib.CKA_ID },
          ]);
          const kind = cls!.value.readUInt32LE(0) === lib.CKO_PRIVATE_KEY ? 'private' : 'public';
          const flags =
            kind === 'private'
              ? [
                  ['token', lib.CKA_TOKEN],
                  ['private', lib.CKA_PRIVATE],
                  ['sensitive', lib.CKA_SENSITIVE],
                  ['extractable', lib.CKA_EXTRACTABLE],
                  ['alwaysSensitive', lib.CKA_ALWAYS_SENSITIVE],
                  ['neverExtractable', lib.CKA_NEVER_EXTRACTABLE],
                  ['sign', lib.CKA_SIGN],
                  ['decrypt', lib.CKA_DECRYPT],
                  ['unwrap', lib.CKA_UNWRAP],
                  ['derive', lib.CKA_DERIVE],
                ]
              : [
                  ['token', lib.CKA_TOKEN],
                  ['verify', lib.CKA_VERIFY],
                  ['encrypt', lib.CKA_ENCRYPT],
                  ['wrap', lib.CKA_WRAP],
                ];
          const values = p11.C_GetAttributeValue(
            session,
            h,
            flags.map(([, type]) => ({ type: type as number })),
          );
          seen[kind] = Object.fromEntries(
            flags.map(([name], i) => [name as string, values[i]!.value[0] === 1]),
          );
          seen[kind]!.id = id!.value.toString('utf8');
        }
        expect(seen.private).toEqual({
          token: true,
          private: true,
          sensitive: true,
          extractable: false,
          alwaysSensitive: true,
          neverExtractable: true,
          sign: true,
          decrypt: false,
          unwrap: false,
          derive: false,
          id: objectId(alg, key.label).toString(),
        });
        expect(seen.public).toEqual({
          token: true,
          verify: true,
          encrypt: false,
          wrap: false,
          id: `jwkit:${alg}:${key.label}`,
        });
      } finally {
        p11.C_CloseSession(session);
      }
    },
  );

  it('lists jwkit keys with their public JWKs, and not objects jwkit did not make', async () => {
    const key = await token.generate('Ed25519');
    // An object someone else made, with a label that looks like a kid.
    const { p11, lib } = mod;
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === 'jwkit')!;
    const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
    try {
      p11.C_GenerateKeyPair(
        session,
        { mechanism: lib.CKM_EC_KEY_PAIR_GEN },
        [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: 'someone-elses-key' },
          { type: lib.CKA_ID, value: Buffer.from('their-id') },
          { type: lib.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') },
        ],
        [
          { type: lib.CKA_TOKEN, value: true },
          { type: lib.CKA_LABEL, value: 'someone-elses-key' },
          { type: lib.CKA_ID, value: Buffer.from('their-id') },
          { type: lib.CKA_SIGN, value: true },
        ],
      );
    } finally {
      p11.C_CloseSession(session);
    }
    const listed = await token.list();
    const mine = listed.find((k) => k.label === key.label);
    expect(mine).toEqual({ label: key.label, alg: 'Ed25519', publicJwk: key.publicJwk, pending: false });
    expect(listed.map((k) => k.label)).not.toContain('someone-elses-key');
    expect(listed.every((k) => !k.pending)).toBe(true);
    expect(await token.destroy('someone-elses-key')).toBe(false);
  });

  it('destroys both objects of a kid; signing with it then fails with ERR_PKCS11_KEY_MISSING', async () => {
    const key = await token.generate('ES256');
    await token.sign(key.label, 'ES256', new Uint8Array([1]));
    expect(await token.destroy(key.label)).toBe(true);
    expect(await token.destroy(key.label)).toBe(false);
    expect((await token.list()).map((k) => k.label)).not.toContain(key.label);
    await expect(token.sign(key.label, 'ES256', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'ERR_PKCS11_KEY_MISSING',
    });
  });

  it('refuses to sign with a key under another alg than it was made for, even once it signed', async () => {
    const key = await token.generate('RS256');
    await expect(token.sign(key.label, 'PS256', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'ERR_PKCS11_KEY_MISSING',
    });
    await token.sign(key.label, 'RS256', new Uint8Array([1]));
    await expect(token.sign(key.label, 'PS256', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'ERR_PKCS11_KEY_MISSING',
      message: expect.stringContaining('is a RS256 key, not PS256'),
    });
  });
});
