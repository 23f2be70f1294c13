/**
 * Opening a token on a real SoftHSM2: which token a URI selects, the PIN problems (each an
 * ERR_PKCS11_PIN that names the problem and creates nothing), and the library being shared.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToken } from '../../src/pkcs11/index.js';
import { acquireModule, importDriver } from '../../src/pkcs11/module.js';
import { type SoftHsm, softHsm, softHsmAvailable } from './softhsm.js';

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('resolved');
}

/** Every object on the token labelled `label`, seen through a fresh logged-in session. */
async function objectCount(hsm: SoftHsm, label: string): Promise<number> {
  const mod = await acquireModule(hsm.module);
  try {
    const { p11, lib } = mod;
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === label)!;
    const session = p11.C_OpenSession(slot, lib.CKF_SERIAL_SESSION);
    try {
      try {
        p11.C_Login(session, lib.CKU_USER, hsm.pin);
      } catch (e) {
        if (!String(e).includes('CKR_USER_ALREADY_LOGGED_IN')) throw e;
      }
      p11.C_FindObjectsInit(session, []);
      const n = p11.C_FindObjects(session, 1000).length;
      p11.C_FindObjectsFinal(session);
      return n;
    } finally {
      p11.C_CloseSession(session);
    }
  } finally {
    mod.release();
  }
}

describe.skipIf(!softHsmAvailable)('openToken on SoftHSM2', () => {
  let hsm: SoftHsm;
  beforeAll(() => {
    hsm = softHsm('jwkit');
    hsm.addToken('twin');
    hsm.addToken('twin');
    hsm.addToken('other', '4321');
  });
  afterAll(() => hsm?.cleanup());

  const uri = (path: string, query = `pin-source=file:${hsm.pinFile}`) =>
    `pkcs11:${path}?module-path=${hsm.module}&${query}`;

  it('opens by token label with a PIN file, and by pin-value', async () => {
    for (const u of [uri('token=jwkit'), uri('token=jwkit', 'pin-value=1234')]) {
      const token = await openToken(u);
      expect(token.description).toContain("token 'jwkit'");
      expect(token.uri).not.toContain('pin-value=1234');
      await token.close();
    }
  });

  it('opens by serial alone, and by slot-id', async () => {
    const probe = await openToken(uri('token=jwkit'));
    const serial = /serial ([0-9a-f]+)/.exec(probe.description)![1]!;
    const slot = /slot (\d+)/.exec(probe.description)![1]!;
    await probe.close();
    const bySerial = await openToken(uri(`serial=${serial}`));
    expect(bySerial.description).toContain("token 'jwkit'");
    await bySerial.close();
    const bySlot = await openToken(uri(`slot-id=${slot}`));
    expect(bySlot.description).toContain("token 'jwkit'");
    await bySlot.close();
  });

  it('refuses a URI that matches no token, listing the tokens it saw', async () => {
    const e = await codeOf(openToken(uri('token=nope')));
    expect(e.code).toBe('ERR_PKCS11_TOKEN');
    expect(e.message).toMatch(/no initialised token matches .*token=nope/);
    expect(e.message).toContain("'jwkit' (serial");
    expect(e.message).toContain("'other' (serial");
  });

  it('refuses a URI that matches several tokens, asking for serial= or slot-id=', async () => {
    const e = await codeOf(openToken(uri('token=twin')));
    expect(e.code).toBe('ERR_PKCS11_TOKEN');
    expect(e.message).toMatch(/2 tokens match .* add serial= or slot-id=/);
  });

  it('refuses a library whose description is not the one the URI names', async () => {
    const e = await codeOf(openToken(uri('library-manufacturer=Acme;token=jwkit')));
    expect(e.code).toBe('ERR_PKCS11_TOKEN');
    expect(e.message).toMatch(/library-manufacturer "SoftHSM"/);
  });

  it('a wrong PIN is ERR_PKCS11_PIN naming CKR_PIN_INCORRECT, and creates nothing on the token', async () => {
    const before = await objectCount(hsm, 'jwkit');
    const wrong = join(hsm.dir, 'wrong-pin.txt');
    writeFileSync(wrong, '9999\n');
    const e = await codeOf(openToken(uri('token=jwkit', `pin-source=file:${wrong}`)));
    expect(e.code).toBe('ERR_PKCS11_PIN');
    expect(e.message).toMatch(/refused the PIN \(CKR_PIN_INCORRECT\)/);
    expect(e.message).not.toContain('9999');
    expect(await objectCount(hsm, 'jwkit')).toBe(before);
  });

  it('names the PIN file problem: missing, empty, several lines', async () => {
    const missing = await codeOf(openToken(uri('token=jwkit', `pin-source=file:${hsm.dir}/none.txt`)));
    expect(missing).toMatchObject({
      code: 'ERR_PKCS11_PIN',
      message: expect.stringMatching(/cannot read the PIN file .*ENOENT/),
    });
    const empty = join(hsm.dir, 'empty.txt');
    writeFileSync(empty, '\n');
    expect(await codeOf(openToken(uri('token=jwkit', `pin-source=file:${empty}`)))).toMatchObject({
      code: 'ERR_PKCS11_PIN',
      message: expect.stringContaining('it is empty'),
    });
    const two = join(hsm.dir, 'two.txt');
    writeFileSync(two, '1234\n1234\n');
    expect(await codeOf(openToken(uri('token=jwkit', `pin-source=file:${two}`)))).toMatchObject({
      code: 'ERR_PKCS11_PIN',
      message: expect.stringContaining('several lines'),
    });
  });

  it('refuses a session count that is not a whole number of at least 1', async () => {
    for (const maxSessions of [0, -1, 1.5, Number.NaN])
      await expect(openToken(uri('token=jwkit'), { maxSessions })).rejects.toMatchObject({
        code: 'ERR_PKCS11_SESSIONS',
      });
  });

  it('a URI without a PIN is ERR_PKCS11_PIN asking for pin-source', async () => {
    const e = await codeOf(openToken(`pkcs11:token=jwkit?module-path=${hsm.module}`));
    expect(e).toMatchObject({
      code: 'ERR_PKCS11_PIN',
      message: expect.stringContaining('add pin-source=file:'),
    });
  });

  it('a module-path that is not a PKCS#11 library is ERR_PKCS11_MODULE', async () => {
    const e = await codeOf(openToken(`pkcs11:token=jwkit?module-path=${hsm.dir}/nothing.so&pin-value=1234`));
    expect(e).toMatchObject({
      code: 'ERR_PKCS11_MODULE',
      message: expect.stringContaining(`${hsm.dir}/nothing.so`),
    });
  });

  it('without the pkcs11js package the error names it', async () => {
    const e = await codeOf(importDriver(() => import(`jwkit-test-absent-${'pkcs11js'}`)));
    expect(e).toMatchObject({
      code: 'ERR_PKCS11_DRIVER_MISSING',
      message: expect.stringContaining('npm install pkcs11js'),
    });
  });

  it('two tokens of one library are open at once; closing one leaves the other signing', async () => {
    const a = await openToken(uri('token=jwkit'));
    const b = await openToken(uri('token=other', 'pin-value=4321'));
    const key = await b.generate('ES256');
    await a.close();
    expect((await b.sign(key.label, 'ES256', new Uint8Array([1]))).length).toBe(64);
    await b.close();
    await expect(b.sign(key.label, 'ES256', new Uint8Array([1]))).rejects.toMatchObject({
      code: 'ERR_PKCS11_CLOSED',
    });
    // After the last close the library was finalised; it opens again.
    const again = await openToken(uri('token=other', 'pin-value=4321'));
    expect((await again.list()).map((k) => k.label)).toEqual([key.label]);
    await again.close();
  });
});
