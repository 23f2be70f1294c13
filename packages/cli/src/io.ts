/**
 * File and stream I/O for the commands: read a path, `-` or stdin; write files atomically
 * (temp file in the same directory, fsync, rename) so a crash never leaves half a key on disk;
 * private key material is written 0600; JWK Set files are edited under a lock file.
 */

import {
  closeSync,
  constants,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CLIError, EXIT, usageError } from './exit.js';

/** Inputs larger than this are refused: no JWK, set, PEM or token comes near it. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export interface Input {
  /** The file name, `<stdin>` or `<argument>`, for messages. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The bytes as UTF-8 text, without a leading byte order mark. */
  readonly text: string;
}

function tooLarge(name: string): CLIError {
  return new CLIError('ERR_CLI_INPUT_TOO_LARGE', `${name} is larger than ${MAX_INPUT_BYTES} bytes`);
}

function toInput(name: string, bytes: Uint8Array): Input {
  if (bytes.length > MAX_INPUT_BYTES) throw tooLarge(name);
  const text = new TextDecoder('utf-8').decode(bytes);
  return { name, bytes, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/**
 * Reads a command's input: a file path, or stdin for `-` or no path. Refuses to wait on an
 * interactive terminal, where a missing argument is far likelier than a key typed by hand.
 */
export async function readInput(path: string | undefined): Promise<Input> {
  if (path !== undefined && path !== '-') {
    const stat = statSync(path);
    if (stat.isFile() && stat.size > MAX_INPUT_BYTES) throw tooLarge(path);
    return toInput(path, readFileSync(path));
  }
  if (process.stdin.isTTY) {
    throw usageError('no input: give a FILE argument, or pipe the input on stdin (`-` reads stdin)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INPUT_BYTES) throw tooLarge('<stdin>');
    chunks.push(chunk);
  }
  if (size === 0)
    throw new CLIError('ERR_CLI_EMPTY_INPUT', 'stdin is empty: pipe a key, set or token into jwkit');
  return toInput('<stdin>', Buffer.concat(chunks));
}

/** Reads a small text file (a passphrase, an admin token) and drops one trailing newline. */
export function readSecretFile(path: string): string {
  const text = readFileSync(path, 'utf8');
  return text.replace(/\r?\n$/, '');
}

export interface WriteOptions {
  /** File mode for a new file; private key material gets 0o600. Default 0o644 (minus umask). */
  mode?: number;
  /** Refuse to replace an existing file. Default false. */
  exclusive?: boolean;
}

export const PRIVATE_MODE = 0o600;
export const PUBLIC_MODE = 0o644;

/**
 * Writes `data` to `path` atomically: readers see the old file or the new one, never a mix, and
 * a crash leaves the old file in place. The new file never exists with a wider mode than asked.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  const mode = options.mode ?? PUBLIC_MODE;
  if (options.exclusive && exists(path)) {
    throw new CLIError(
      'ERR_CLI_FILE_EXISTS',
      `${path} already exists; pass --force to replace it`,
      EXIT.USAGE,
    );
  }
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomSuffix()}.tmp`);
  // O_EXCL: never follow a symlink someone planted at the temp name.
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dir);
}

/** 12 random hex digits; the global WebCrypto keeps node:crypto off the start-up path. */
function randomSuffix(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function syncDir(dir: string): void {
  // Makes the rename durable; not every platform lets a directory be opened, hence best effort.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {}
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The permission bits of an existing file, or `undefined`. */
export function fileMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}

export interface LockOptions {
  /** How long to wait for another process's lock, in ms. Default 10 000. */
  timeout?: number;
}

/**
 * Runs `fn` holding `<path>.lock`, created with O_EXCL and holding our pid. A lock left by a
 * process that no longer exists is taken over; a live one is waited for up to `timeout`.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + (options.timeout ?? 10_000);
  let delay = 10;
  for (;;) {
    try {
      const fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, PRIVATE_MODE);
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      if (staleLock(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new CLIError(
          'ERR_CLI_LOCKED',
          `${path} is locked by another jwkit process (${lock}); wait for it to finish, or remove the lock file if no jwkit is running`,
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 200);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {}
  }
}

function staleLock(lock: string): boolean {
  let text: string;
  let age: number;
  try {
    text = readFileSync(lock, 'utf8');
    age = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return false; // Gone already (the next attempt will succeed) or unreadable (not ours to take).
  }
  const pid = Number.parseInt(text, 10);
  // A lock without a pid is being written right now, unless it has been like that for a while.
  if (!Number.isInteger(pid) || pid <= 0) return age > 30_000;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'ESRCH';
  }
}
