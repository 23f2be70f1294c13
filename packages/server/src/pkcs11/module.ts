/**
 * Loading a PKCS#11 library through the optional `pkcs11js` package.
 *
 * `pkcs11js` is an optional peer dependency of @jwkit/server (a native add-on): it is imported
 * only when a pkcs11: URI is used, and its absence is `ERR_PKCS11_DRIVER_MISSING` naming the
 * package. A Cryptoki library may be initialised once per process (PKCS#11 v2.40 §5.4: a second
 * C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED), so modules are shared by path and
 * reference-counted: the first `acquireModule` calls C_Initialize, the last `release` calls
 * C_Finalize.
 */

import type * as Pkcs11js from 'pkcs11js';
import { TokenError } from './errors.js';

export type Pkcs11Lib = typeof Pkcs11js;
export type Handle = Buffer;

export interface LoadedModule {
  readonly lib: Pkcs11Lib;
  readonly p11: Pkcs11js.PKCS11;
  readonly path: string;
  /**
   * False when the library refused OS locking (CKR_CANT_LOCK) and was initialised for one thread:
   * then only one call may run at a time, and the token opens a single session.
   */
  readonly threadSafe: boolean;
  /** Drops one reference; the last one finalizes the library. */
  release(): void;
}

interface Entry {
  lib: Pkcs11Lib;
  p11: Pkcs11js.PKCS11;
  refs: number;
  /** False when another user in the process had initialised the library before us. */
  ownsInit: boolean;
  threadSafe: boolean;
}

const modules = new Map<string, Promise<Entry>>();

let libPromise: Promise<Pkcs11Lib> | undefined;

/** Imports `pkcs11js` once; ERR_PKCS11_DRIVER_MISSING when it is not installed. */
function loadPkcs11js(): Promise<Pkcs11Lib> {
  libPromise ??= importDriver(() => import('pkcs11js'));
  libPromise.catch(() => {
    libPromise = undefined;
  });
  return libPromise;
}

/** Runs the import of the driver, turning "not installed" into ERR_PKCS11_DRIVER_MISSING. */
export async function importDriver(importer: () => Promise<unknown>): Promise<Pkcs11Lib> {
  try {
    const m = (await importer()) as { default?: Pkcs11Lib };
    return (m.default ?? m) as Pkcs11Lib;
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw cause;
    throw new TokenError(
      'ERR_PKCS11_DRIVER_MISSING',
      'a pkcs11: URI needs the pkcs11js package (a native add-on): install it next to jwkit (npm install pkcs11js, or npm install -g pkcs11js for a global jwkit)',
      { cause },
    );
  }
}

/** The CKR_* name of a pkcs11js error, or undefined for other errors. */
export function ckrName(error: unknown): string | undefined {
  const m = error instanceof Error ? /\b(CKR_[A-Z0-9_]+)/.exec(error.message) : null;
  return m?.[1];
}

/** Loads and initialises the library at `path` (shared with other users of the same path). */
export interface AcquireOptions {
  /**
   * Makes the PKCS11 object when the library is not loaded yet (fault injection in tests: a
   * subclass whose calls fail). Ignored when the library is already loaded.
   */
  readonly create?: (lib: Pkcs11Lib) => Pkcs11js.PKCS11;
}

export async function acquireModule(path: string, options: AcquireOptions = {}): Promise<LoadedModule> {
  let pending = modules.get(path);
  if (pending === undefined) {
    pending = open(path, options.create);
    modules.set(path, pending);
    pending.catch(() => modules.delete(path));
  }
  const entry = await pending;
  entry.refs++;
  let released = false;
  return {
    lib: entry.lib,
    p11: entry.p11,
    path,
    threadSafe: entry.threadSafe,
    release() {
      if (released) return;
      released = true;
      if (--entry.refs > 0) return;
      modules.delete(path);
      if (entry.ownsInit) {
        try {
          entry.p11.C_Finalize();
        } catch {
          // Finalising is best effort: the process may be exiting and the library already gone.
        }
      }
      try {
        entry.p11.close();
      } catch {
        // close() unloads the library; a failure leaves it mapped, which harms nothing.
      }
    },
  };
}

async function open(path: string, create?: (lib: Pkcs11Lib) => Pkcs11js.PKCS11): Promise<Entry> {
  const lib = await loadPkcs11js();
  const p11 = create ? create(lib) : new lib.PKCS11();
  try {
    p11.load(path);
  } catch (cause) {
    throw new TokenError(
      'ERR_PKCS11_MODULE',
      `cannot load the PKCS#11 library ${path} (module-path): ${(cause as Error).message}; check the path and that the library matches this machine`,
      { cause },
    );
  }
  let ownsInit = true;
  let threadSafe = true;
  try {
    // CKF_OS_LOCKING_OK: jwkit calls the library from several libuv threads at once (C_SignAsync
    // on several sessions), so the library must lock with the OS primitives (PKCS#11 v2.40 §5.4).
    try {
      p11.C_Initialize({ flags: lib.CKF_OS_LOCKING_OK });
    } catch (cause) {
      // A library that cannot lock (CKR_CANT_LOCK) is initialised for one thread (no arguments);
      // the token then runs one call at a time.
      if (ckrName(cause) !== 'CKR_CANT_LOCK') throw cause;
      threadSafe = false;
      p11.C_Initialize();
    }
  } catch (cause) {
    if (ckrName(cause) === 'CKR_CRYPTOKI_ALREADY_INITIALIZED') ownsInit = false;
    else {
      try {
        p11.close();
      } catch {}
      throw new TokenError(
        'ERR_PKCS11_MODULE',
        `C_Initialize of the PKCS#11 library ${path} failed: ${ckrName(cause) ?? (cause as Error).message}; check the library's own configuration (for SoftHSM2, SOFTHSM2_CONF and its tokendir)`,
        { cause },
      );
    }
  }
  return { lib, p11, refs: 0, ownsInit, threadSafe };
}
