/**
 * Token faults SoftHSM2 does not produce on its own, injected into real SoftHSM2 calls: each
 * "session is gone" return value re-opens the session and retries once; a second failure, and any
 * other failure, is a coded ERR_PKCS11_DEVICE naming the CKR_* value.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToken, type Pkcs11Token } from '../../src/pkcs11/index.js';
import { acquireModule, type LoadedModule, type Pkcs11Lib } from '../../src/pkcs11/module.js';
import { type SoftHsm, softHsm, softHsmAvailable } from './softhsm.js';

const CODES: Record<string, number> = {
  CKR_SESSION_HANDLE_INVALID: 0xb3,
  CKR_SESSION_CLOSED: 0xb0,
  CKR_DEVICE_REMOVED: 0x32,
  CKR_USER_NOT_LOGGED_IN: 0x101,
  CKR_DEVICE_ERROR: 0x30,
  CKR_OPERATION_ACTIVE: 0x90,
};

describe.skipIf(!softHsmAvailable)('injected token faults', () => {
  let hsm: SoftHsm;
  let mod: LoadedModule;
  let token: Pkcs11Token;
  /** CKR_* names the next C_SignAsync calls fail with, one per call. */
  const failSign: string[] = [];
  const failFind: string[] = [];
  const failSlots: string[] = [];
  const failGenerate: string[] = [];

  beforeAll(async () => {
    hsm = softHsm();
    // pkcs11js wraps the native methods per instance in its constructor (C_SignAsync promisifies
    // C_SignCallback), so faults go into a subclass of the native methods it wraps.
    type Native = {
      C_SignCallback(...a: unknown[]): void;
      C_FindObjectsInit(...a: unknown[]): void;
      C_GetSlotList(...a: unknown[]): unknown;
      C_GenerateKeyPairCallback(...a: unknown[]): void;
    };
    const create = (lib: Pkcs11Lib) => {
      const Base = lib.PKCS11 as unknown as new () => Native;
      class Faulty extends Base {
        override C_SignCallback(...args: unknown[]): void {
          const name = failSign.shift();
          const callback = args[3] as (e: Error | null) => void;
          if (name) setImmediate(() => callback(new Error(`${name}:${CODES[name]}`)));
          else super.C_SignCallback(...args);
        }
        override C_GenerateKeyPairCallback(...args: unknown[]): void {
          const name = failGenerate.shift();
          const callback = args[4] as (e: Error | null) => void;
          if (name) setImmediate(() => callback(new Error(`${name}:${CODES[name]}`)));
          else super.C_GenerateKeyPairCallback(...args);
        }
        override C_GetSlotList(...args: unknown[]): unknown {
          const name = failSlots.shift();
          if (name) throw new Error(`${name}:${CODES[name]}`);
          return super.C_GetSlotList(...args);
        }
        override C_FindObjectsInit(...args: unknown[]): void {
          const name = failFind.shift();
          if (name) throw new Error(`${name}:${CODES[name]}`);
          super.C_FindObjectsInit(...args);
        }
      }
      return new Faulty() as unknown as InstanceType<Pkcs11Lib['PKCS11']>;
    };
    mod = await acquireModule(hsm.module, { create });
    token = await openToken(hsm.uri, { maxSessions: 1 });
  });
  afterAll(async () => {
    await token?.close();
    mod?.release();
    hsm?.cleanup();
  });

  // An injected C_Sign failure leaves the C_SignInit operation active on the session (the real
  // C_Sign, which would end it, never ran): the next C_SignInit there answers CKR_OPERATION_ACTIVE,
  // which replaces the session too (the "recovers on the next call" steps below rely on it).
  for (const name of [
    'CKR_SESSION_HANDLE_INVALID',
    'CKR_SESSION_CLOSED',
    'CKR_DEVICE_REMOVED',
    'CKR_USER_NOT_LOGGED_IN',
    'CKR_OPERATION_ACTIVE',
  ])
    it(`${name} during C_Sign: the session is re-opened, logged in, and the signature made`, async () => {
      const key = await token.generate('ES256');
      const before = token.stats().reopened;
      failSign.push(name);
      expect((await token.sign(key.label, 'ES256', new Uint8Array([1]))).length).toBe(64);
      expect(token.stats().reopened).toBe(before + 1);
    });

  it('a second drop right after the re-open is ERR_PKCS11_DEVICE (retried once only)', async () => {
    const key = await token.generate('ES256');
    failSign.push('CKR_DEVICE_REMOVED', 'CKR_DEVICE_REMOVED');
    await expect(token.sign(key.label, 'ES256', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'ERR_PKCS11_DEVICE',
      message: expect.stringContaining('failed again after its session was re-opened (CKR_DEVICE_REMOVED)'),
    });
    // The token recovers on the next call.
    expect((await token.sign(key.label, 'ES256', new Uint8Array([1]))).length).toBe(64);
  });

  it('another failure is ERR_PKCS11_DEVICE naming it, without a retry', async () => {
    const key = await token.generate('ES256');
    const before = token.stats().reopened;
    failSign.push('CKR_DEVICE_ERROR');
    await expect(token.sign(key.label, 'ES256', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'ERR_PKCS11_DEVICE',
      message: expect.stringContaining('CKR_DEVICE_ERROR'),
    });
    expect(token.stats().reopened).toBe(before);
    expect((await token.sign(key.label, 'ES256', new Uint8Array([1]))).length).toBe(64);
    expect(token.stats().reopened).toBe(before + 1);
  });

  it('a failing search during list() is ERR_PKCS11_DEVICE, never an empty or partial list', async () => {
    failFind.push('CKR_DEVICE_ERROR');
    await expect(token.list()).rejects.toMatchObject({ code: 'ERR_PKCS11_DEVICE' });
    failFind.push('CKR_SESSION_CLOSED');
    expect((await token.list()).length).toBeGreaterThan(0);
  });

  it('a failing call while opening a token is ERR_PKCS11_DEVICE naming it', async () => {
    failSlots.push('CKR_DEVICE_ERROR');
    await expect(openToken(hsm.uri)).rejects.toMatchObject({
      code: 'ERR_PKCS11_DEVICE',
      message: expect.stringContaining('CKR_DEVICE_ERROR'),
    });
  });

  it('a session dropped during C_GenerateKeyPair is re-opened and the key made once', async () => {
    const before = (await token.list()).length;
    const reopened = token.stats().reopened;
    failGenerate.push('CKR_SESSION_HANDLE_INVALID');
    const key = await token.generate('ES256');
    expect(token.stats().reopened).toBe(reopened + 1);
    const after = await token.list();
    expect(after.length).toBe(before + 1);
    expect(after.find((k) => k.label === key.label)).toMatchObject({ pending: false });
  });
});
