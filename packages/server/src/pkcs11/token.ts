/**
 * Finding the token a PKCS#11 URI names, and reading its PIN.
 *
 * Matching follows RFC 7512 §3.3: every attribute given must equal the corresponding field of
 * CK_INFO (library-*), CK_SLOT_INFO (slot-*) or CK_TOKEN_INFO (token, manufacturer, serial, model);
 * attributes absent match anything. The blank padding of the fixed-size CK_*_INFO fields is not
 * part of the value. Exactly one token must match: zero or several is ERR_PKCS11_TOKEN naming what
 * was seen, so a server never signs with a token it was not pointed at.
 */

import { readFile } from 'node:fs/promises';
import { TokenError } from './errors.js';
import { ckrName, type Handle, type LoadedModule } from './module.js';
import type { Pkcs11Uri } from './uri.js';

export interface FoundToken {
  readonly slot: Handle;
  readonly slotId: bigint;
  readonly label: string;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
  /** ulMaxSessionCount, or undefined when the token states no limit (0 = CK_EFFECTIVELY_INFINITE). */
  readonly maxSessions?: number;
  /** CKF_PROTECTED_AUTHENTICATION_PATH: the PIN is entered on the device, C_Login takes none. */
  readonly protectedPath: boolean;
}

// CK_TOKEN_INFO flags (PKCS#11 v2.40 §3.2, table 5).
const CKF_LOGIN_REQUIRED = 0x4;
const CKF_USER_PIN_INITIALIZED = 0x8;
const CKF_PROTECTED_AUTHENTICATION_PATH = 0x100;
const CKF_TOKEN_INITIALIZED = 0x400;
const CKF_USER_PIN_LOCKED = 0x40000;

const pad = (s: string) => s.replace(/[ \0]+$/, '');

function fits(limit: number | bigint): number | undefined {
  const n = Number(limit);
  // 0 = CK_EFFECTIVELY_INFINITE; all ones = CK_UNAVAILABLE_INFORMATION.
  return n === 0 || n >= 0xffffffff ? undefined : n;
}

/** The one token of the module that `uri` names. */
export function findToken(mod: LoadedModule, uri: Pkcs11Uri): FoundToken {
  const { p11 } = mod;
  const info = p11.C_GetInfo();
  const lib: Array<[string, string | undefined, string]> = [
    ['library-manufacturer', uri.libraryManufacturer, pad(info.manufacturerID)],
    ['library-description', uri.libraryDescription, pad(info.libraryDescription)],
  ];
  for (const [name, want, have] of lib)
    if (want !== undefined && want !== have)
      throw new TokenError(
        'ERR_PKCS11_TOKEN',
        `the PKCS#11 library ${mod.path} has ${name} "${have}", the URI asks for "${want}"; fix module-path or ${name}`,
      );
  const v = uri.libraryVersion;
  if (v && (v.major !== info.libraryVersion.major || v.minor !== info.libraryVersion.minor))
    throw new TokenError(
      'ERR_PKCS11_TOKEN',
      `the PKCS#11 library ${mod.path} is version ${info.libraryVersion.major}.${info.libraryVersion.minor}, the URI asks for library-version=${v.major}.${v.minor}`,
    );

  const seen: string[] = [];
  const found: FoundToken[] = [];
  for (const slot of p11.C_GetSlotList(true)) {
    const slotId = slot.readBigUInt64LE(0);
    let t: ReturnType<typeof p11.C_GetTokenInfo>;
    let s: ReturnType<typeof p11.C_GetSlotInfo>;
    try {
      t = p11.C_GetTokenInfo(slot);
      s = p11.C_GetSlotInfo(slot);
    } catch {
      continue; // a slot whose token went away between the calls
    }
    if ((t.flags & CKF_TOKEN_INITIALIZED) === 0) continue;
    const token: FoundToken = {
      slot,
      slotId,
      label: pad(t.label),
      serial: pad(t.serialNumber),
      manufacturer: pad(t.manufacturerID),
      model: pad(t.model),
      ...(fits(t.maxSessionCount) !== undefined ? { maxSessions: fits(t.maxSessionCount)! } : {}),
      protectedPath: (t.flags & CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
    };
    seen.push(`'${token.label}' (serial ${token.serial}, slot ${slotId})`);
    const want: Array<[string | number | undefined, string | number]> = [
      [uri.token, token.label],
      [uri.serial, token.serial],
      [uri.manufacturer, token.manufacturer],
      [uri.model, token.model],
      [uri.slotDescription, pad(s.slotDescription)],
      [uri.slotManufacturer, pad(s.manufacturerID)],
    ];
    if (uri.slotId !== undefined && BigInt(uri.slotId) !== slotId) continue;
    if (want.every(([w, h]) => w === undefined || w === h)) {
      if ((t.flags & CKF_USER_PIN_LOCKED) !== 0)
        throw new TokenError(
          'ERR_PKCS11_PIN',
          `PKCS#11 login: the user PIN of token '${token.label}' is locked (CKF_USER_PIN_LOCKED): the security officer must unlock or reset it`,
        );
      if ((t.flags & CKF_LOGIN_REQUIRED) !== 0 && (t.flags & CKF_USER_PIN_INITIALIZED) === 0)
        throw new TokenError(
          'ERR_PKCS11_PIN',
          `PKCS#11 login: token '${token.label}' has no user PIN yet: initialise it with the token's tools`,
        );
      found.push(token);
    }
  }
  if (found.length === 1) return found[0]!;
  const list = seen.length ? seen.join(', ') : 'none';
  if (found.length === 0)
    throw new TokenError(
      'ERR_PKCS11_TOKEN',
      `no initialised token matches ${uri.redacted}; tokens seen: ${list}; fix token= / serial= / slot-id= in the URI`,
    );
  throw new TokenError(
    'ERR_PKCS11_TOKEN',
    `${found.length} tokens match ${uri.redacted} (${list}); add serial= or slot-id= so that the URI names one`,
  );
}

/** The user PIN: pin-value, or the first line of the pin-source file (one trailing newline dropped). */
export async function readPin(uri: Pkcs11Uri, token: FoundToken): Promise<string | null> {
  if (uri.pin === undefined) {
    if (token.protectedPath) return null;
    throw new TokenError(
      'ERR_PKCS11_PIN',
      `PKCS#11 login: the URI gives no PIN for token '${token.label}'; add pin-source=file:/path/to/pin.txt (or pin-value=...)`,
    );
  }
  if ('value' in uri.pin) return uri.pin.value;
  let text: string;
  try {
    text = await readFile(uri.pin.file, 'utf8');
  } catch (cause) {
    throw new TokenError(
      'ERR_PKCS11_PIN',
      `PKCS#11 login: cannot read the PIN file ${uri.pin.file} (pin-source): ${(cause as NodeJS.ErrnoException).code ?? cause}; check the path and its permissions`,
      { cause },
    );
  }
  const pin = text.replace(/\r?\n$/, '');
  if (pin === '' || /[\r\n]/.test(pin))
    throw new TokenError(
      'ERR_PKCS11_PIN',
      `PKCS#11 login: the PIN file ${uri.pin.file} must hold the PIN on one line (it is ${pin === '' ? 'empty' : 'several lines'})`,
    );
  return pin;
}

/** The mechanisms of the slot with the flags they allow (CK_MECHANISM_INFO.flags). */
export function mechanismFlags(mod: LoadedModule, slot: Handle): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of mod.p11.C_GetMechanismList(slot)) {
    try {
      out.set(m, mod.p11.C_GetMechanismInfo(slot, m).flags);
    } catch (cause) {
      if (ckrName(cause) !== 'CKR_MECHANISM_INVALID') throw cause;
    }
  }
  return out;
}
