/**
 * Loading the library: a library that refuses OS locking (CKR_CANT_LOCK) is initialised for one
 * thread and its tokens get one session. SoftHSM2 can lock, so the refusal is injected: a PKCS11
 * subclass whose C_Initialize with CKF_OS_LOCKING_OK fails, then initialises SoftHSM2 for real.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToken } from '../../src/pkcs11/index.js';
import { acquireModule, type LoadedModule, type Pkcs11Lib } from '../../src/pkcs11/module.js';
import { type SoftHsm, softHsm, softHsmAvailable } from './softhsm.js';

describe.skipIf(!softHsmAvailable)('a PKCS#11 library without locking', () => {
  let hsm: SoftHsm;
  let mod: LoadedModule;
  const calls: string[] = [];

  beforeAll(async () => {
    hsm = softHsm();
    const create = (lib: Pkcs11Lib) =>
      new (class extends lib.PKCS11 {
        override C_Initialize(options?: { flags?: number }): void {
          calls.push(options?.flags === undefined ? 'plain' : 'os-locking');
          if (options?.flags) throw new Error('CKR_CANT_LOCK:419');
          super.C_Initialize();
        }
      })();
    mod = await acquireModule(hsm.module, { create });
  });
  afterAll(() => {
    mod?.release();
    hsm?.cleanup();
  });

  it('is initialised without arguments after CKR_CANT_LOCK, and its token signs on one session', async () => {
    expect(calls).toEqual(['os-locking', 'plain']);
    expect(mod.threadSafe).toBe(false);
    const token = await openToken(hsm.uri, { maxSessions: 4 });
    try {
      const key = await token.generate('ES256');
      const sigs = await Promise.all(
        Array.from({ length: 6 }, () => token.sign(key.label, 'ES256', new Uint8Array([1]))),
      );
      expect(sigs.every((s) => s.length === 64)).toBe(true);
      expect(token.stats()).toMatchObject({ max: 1, open: 1, peakBusy: 1 });
    } finally {
      await token.close();
    }
  });
});
