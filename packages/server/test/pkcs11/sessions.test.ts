/**
 * Sessions on a real SoftHSM2 token: concurrent signatures use several sessions within the bound;
 * sessions the token dropped are re-opened and logged in again; stale object handles are looked up
 * again; objects a crash left half-made are listed as pending and destroyed by label.
 */

import { base64url, type JWK, verifyJWS } from 'jwkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToken, type Pkcs11Token } from '../../src/pkcs11/index.js';
import { objectId } from '../../src/pkcs11/keys.js';
import { acquireModule, type Handle, type LoadedModule } from '../../src/pkcs11/module.js';
import { type SoftHsm, softHsm, softHsmAvailable } from './softhsm.js';

describe.skipIf(!softHsmAvailable)('PKCS#11 sessions on SoftHSM2', () => {
  let hsm: SoftHsm;
  let mod: LoadedModule;
  let slot: Handle;

  beforeAll(async () => {
    hsm = softHsm();
    mod = await acquireModule(hsm.module);
    slot = mod.p11.C_GetSlotList(true).find((s) => mod.p11.C_GetTokenInfo(s).label.trim() === 'jwkit')!;
  });
  afterAll(() => {
    mod?.release();
    hsm?.cleanup();
  });

  /** Runs fn on a session of the test's own (the token's login state is shared per process). */
  function raw<T>(fn: (session: Handle) => T): T {
    const session = mod.p11.C_OpenSession(slot, mod.lib.CKF_SERIAL_SESSION | mod.lib.CKF_RW_SESSION);
    try {
      return fn(session);
    } finally {
      try {
        mod.p11.C_CloseSession(session);
      } catch {}
    }
  }

  async function signs(token: Pkcs11Token, kid: string, alg: string, jwk: JWK): Promise<void> {
    const input = `${base64url.encode(JSON.stringify({ alg }))}.${base64url.encode('x')}`;
    const sig = await token.sign(kid, alg, new TextEncoder().encode(input));
    await verifyJWS(`${input}.${base64url.encode(sig)}`, jwk, { algorithms: [alg] });
  }

  it('signs concurrently on several sessions, never more than maxSessions', async () => {
    const token = await openToken(hsm.uri, { maxSessions: 3 });
    try {
      const key = await token.generate('RS256');
      await Promise.all(
        Array.from({ length: 24 }, () => signs(token, key.label, 'RS256', key.publicJwk as JWK)),
      );
      const stats = token.stats();
      expect(stats.max).toBe(3);
      expect(stats.peakBusy).toBe(3);
      expect(stats.open).toBe(3);
      expect(stats.busy).toBe(0);
    } finally {
      await token.close();
    }
  });

  it('with maxSessions 1 signatures queue behind one session and all succeed', async () => {
    const token = await openToken(hsm.uri, { maxSessions: 1 });
    try {
      const key = await token.generate('ES256');
      await Promise.all(
        Array.from({ length: 8 }, () => signs(token, key.label, 'ES256', key.publicJwk as JWK)),
      );
      expect(token.stats()).toMatchObject({ open: 1, peakBusy: 1 });
    } finally {
      await token.close();
    }
  });

  it('re-opens and logs in again when the token drops every session (C_CloseAllSessions), then signs', async () => {
    const token = await openToken(hsm.uri, { maxSessions: 2 });
    try {
      const key = await token.generate('ES384');
      await Promise.all([1, 2].map(() => signs(token, key.label, 'ES384', key.publicJwk as JWK)));
      expect(token.stats().open).toBe(2);
      // The token forgets every session of this application, and with them the login.
      mod.p11.C_CloseAllSessions(slot);
      await signs(token, key.label, 'ES384', key.publicJwk as JWK);
      await Promise.all([1, 2, 3].map(() => signs(token, key.label, 'ES384', key.publicJwk as JWK)));
      expect(token.stats().reopened).toBe(2);
      // Listing and generating work on the re-opened sessions too.
      expect((await token.list()).map((k) => k.label)).toContain(key.label);
      await token.generate('Ed25519');
    } finally {
      await token.close();
    }
  });

  it('logs in again when the login is gone but the session is not (CKR_USER_NOT_LOGGED_IN)', async () => {
    const token = await openToken(hsm.uri, { maxSessions: 1 });
    try {
      const key = await token.generate('PS256');
      await signs(token, key.label, 'PS256', key.publicJwk as JWK);
      // Signing with the known handle: SoftHSM2 hides private objects from a logged-out
      // application (C_SignInit answers CKR_OBJECT_HANDLE_INVALID; other tokens answer
      // CKR_USER_NOT_LOGGED_IN, which re-opens the session): the key is looked up again after
      // logging in, and the signature made.
      raw((s) => mod.p11.C_Logout(s));
      await signs(token, key.label, 'PS256', key.publicJwk as JWK);
      expect(token.stats()).toMatchObject({ relogins: 1, reopened: 0 });
      // A search without login would silently miss private keys: list() logs in first and still
      // reports the key as complete (not as a half-made pending one).
      raw((s) => mod.p11.C_Logout(s));
      const listed = await token.list();
      expect(listed.find((k) => k.label === key.label)).toMatchObject({ pending: false });
      expect(token.stats().relogins).toBe(2);
    } finally {
      await token.close();
    }
  });

  it('finds a key it has no handle for yet on a session that lost the login', async () => {
    const first = await openToken(hsm.uri, { maxSessions: 1 });
    const key = await first.generate('ES256');
    await first.close();
    const token = await openToken(hsm.uri, { maxSessions: 1 });
    try {
      raw((s) => mod.p11.C_Logout(s));
      await signs(token, key.label, 'ES256', key.publicJwk as JWK);
      expect(token.stats().relogins).toBe(1);
    } finally {
      await token.close();
    }
  });

  it('looks a key up again when its cached handle went stale', async () => {
    const token = await openToken(hsm.uri, { maxSessions: 1 });
    try {
      const key = await token.generate('ES256');
      await signs(token, key.label, 'ES256', key.publicJwk as JWK);
      // Someone destroys the objects behind jwkit's back: the cached handle is now invalid.
      raw((s) => {
        mod.p11.C_FindObjectsInit(s, [{ type: mod.lib.CKA_LABEL, value: key.label }]);
        const handles = mod.p11.C_FindObjects(s, 10);
        mod.p11.C_FindObjectsFinal(s);
        for (const h of handles) mod.p11.C_DestroyObject(s, h);
      });
      await expect(token.sign(key.label, 'ES256', new Uint8Array([1]))).rejects.toMatchObject({
        code: 'ERR_PKCS11_KEY_MISSING',
      });
    } finally {
      await token.close();
    }
  });

  it('lists what a crash during generate() left (pending label, or only one object) as pending, and destroys it', async () => {
    const token = await openToken(hsm.uri);
    try {
      const done = await token.generate('ES256');
      // Crash before the relabel: both objects still have the pending label.
      const pending = 'jwkit-pending:0123456789abcdef01234567';
      // Crash between the two relabels: the public object has its kid, the private one does not.
      const half = 'jwkit-pending:fedcba9876543210fedcba98';
      const halfKid = 'half-relabelled-kid';
      raw((s) => {
        const { p11, lib } = mod;
        const make = (pubLabel: string, privLabel: string) =>
          p11.C_GenerateKeyPair(
            s,
            { mechanism: lib.CKM_EC_KEY_PAIR_GEN },
            [
              { type: lib.CKA_TOKEN, value: true },
              { type: lib.CKA_LABEL, value: pubLabel },
              { type: lib.CKA_ID, value: objectId('ES256', pubLabel) },
              { type: lib.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') },
            ],
            [
              { type: lib.CKA_TOKEN, value: true },
              { type: lib.CKA_PRIVATE, value: true },
              { type: lib.CKA_LABEL, value: privLabel },
              { type: lib.CKA_ID, value: objectId('ES256', privLabel) },
              { type: lib.CKA_SIGN, value: true },
            ],
          );
        make(pending, pending);
        make(halfKid, half);
      });
      const listed = await token.list();
      const byLabel = new Map(listed.map((k) => [k.label, k]));
      expect(byLabel.get(done.label)).toMatchObject({ pending: false, publicJwk: done.publicJwk });
      expect(byLabel.get(pending)).toMatchObject({ pending: true, alg: 'ES256', publicJwk: { kty: 'EC' } });
      expect(byLabel.get(halfKid)).toMatchObject({ pending: true, alg: 'ES256', publicJwk: { kty: 'EC' } });
      expect(byLabel.get(half)).toEqual({ label: half, alg: 'ES256', pending: true });
      expect(
        listed
          .filter((k) => k.pending)
          .map((k) => k.label)
          .sort(),
      ).toEqual([half, halfKid, pending].sort());
      for (const k of listed) if (k.pending) expect(await token.destroy(k.label)).toBe(true);
      const after = await token.list();
      expect(after.filter((k) => k.pending)).toEqual([]);
      expect(after.find((k) => k.label === done.label)).toMatchObject({ pending: false });
    } finally {
      await token.close();
    }
  });

  it('close() waits for signatures in flight before finalising the library', async () => {
    const token = await openToken(hsm.uri, { maxSessions: 2 });
    const key = await token.generate('RS512', { size: 4096 });
    const inflight = Array.from({ length: 6 }, () =>
      token.sign(key.label, 'RS512', new Uint8Array([1])).then(
        (s) => s.length,
        (e: { code: string }) => e.code,
      ),
    );
    await token.close();
    const results = await Promise.all(inflight);
    // Those running finished with a signature; those queued were refused.
    for (const r of results) expect([512, 'ERR_PKCS11_CLOSED']).toContain(r);
    expect(results).toContain(512);
    expect(token.stats().open).toBe(0);
  });
});
