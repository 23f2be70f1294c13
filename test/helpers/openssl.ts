/** Runs the openssl CLI for interop tests, in a private temp dir removed by `cleanup()`. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpenSSL {
  readonly dir: string;
  /** Runs `openssl ...args` in `dir`; returns stdout (throws with stderr on failure). */
  run(args: readonly string[], input?: string | Uint8Array): string;
  /** Same, stdout as bytes (DER output). */
  runBytes(args: readonly string[], input?: string | Uint8Array): Uint8Array;
  write(name: string, data: string | Uint8Array): string;
  read(name: string): string;
  cleanup(): void;
}

export function openssl(): OpenSSL {
  const dir = mkdtempSync(join(tmpdir(), 'jwkit-openssl-'));
  const exec = (args: readonly string[], input?: string | Uint8Array): Buffer => {
    try {
      return execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`);
    }
  };
  return {
    dir,
    run: (args, input) => exec(args, input).toString('utf8'),
    runBytes: (args, input) => new Uint8Array(exec(args, input)),
    write(name, data) {
      writeFileSync(join(dir, name), data);
      return name;
    },
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `SHA1 Fingerprint=AB:CD:...` -> the base64url of those bytes (how x5t spells a fingerprint). */
export function fingerprintToBase64url(line: string): string {
  const hex = line.trim().split('=')[1]!.replace(/:/g, '');
  return Buffer.from(hex, 'hex').toString('base64url');
}
