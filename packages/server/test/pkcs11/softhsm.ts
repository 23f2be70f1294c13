/**
 * A real SoftHSM2 token per test file, in a temp dir: its own SOFTHSM2_CONF (tokendir inside the
 * temp dir, file object store), so nothing under /etc or ~ is touched.
 *
 * When softhsm2-util is not installed the PKCS#11 tests are skipped with a message, except under
 * CI set (to anything but '', 0 or false), where a missing SoftHSM2 fails (.ci/run installs it).
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SOFTHSM_MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

function hasSoftHsm(): boolean {
  try {
    execFileSync('softhsm2-util', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const SOFTHSM_MODULE = SOFTHSM_MODULE_CANDIDATES.find((p) => existsSync(p));
const available = hasSoftHsm() && SOFTHSM_MODULE !== undefined;

if (!available) {
  const ci = process.env.CI;
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0')
    throw new Error('CI: softhsm2-util / libsofthsm2.so not found; .ci/run must install softhsm2');
  console.warn('PKCS#11 tests skipped: softhsm2 is not installed (apt-get install softhsm2 opensc)');
}

/** True when the PKCS#11 tests can run; use with describe.skipIf(!softHsmAvailable). */
export const softHsmAvailable = available;

export interface SoftHsm {
  readonly dir: string;
  readonly conf: string;
  readonly module: string;
  readonly label: string;
  readonly pin: string;
  readonly pinFile: string;
  /** pkcs11:token=<label>?module-path=...&pin-source=file:<pinFile> */
  readonly uri: string;
  /** Initialises one more token in the same tokendir. */
  addToken(label: string, pin?: string): void;
  cleanup(): void;
}

/**
 * Initialises a token `label` with user PIN 1234 (SO PIN 5678) and points SOFTHSM2_CONF at it.
 * SoftHSM reads SOFTHSM2_CONF at C_Initialize, which jwkit does once per process per module: one
 * SoftHsm per test file (vitest runs each file in its own worker).
 */
export function softHsm(label = 'jwkit'): SoftHsm {
  const dir = mkdtempSync(join(tmpdir(), 'jwkit-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const addToken = (l: string, pin = '1234') =>
    execFileSync(
      'softhsm2-util',
      ['--init-token', '--free', '--label', l, '--pin', pin, '--so-pin', '5678'],
      {
        env,
        stdio: 'pipe',
      },
    );
  addToken(label);
  const pinFile = join(dir, 'pin.txt');
  writeFileSync(pinFile, '1234\n', { mode: 0o600 });
  const module = SOFTHSM_MODULE!;
  return {
    dir,
    conf,
    module,
    label,
    pin: '1234',
    pinFile,
    uri: `pkcs11:token=${label}?module-path=${module}&pin-source=file:${pinFile}`,
    addToken,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
