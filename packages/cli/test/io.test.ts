/** Unit tests of the CLI's file I/O, output rules and input detection (the rest is black-box). */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIError } from '../src/exit.js';
import { type Input, PRIVATE_MODE, withFileLock, writeFileAtomic } from '../src/io.js';
import { detectFormat } from '../src/keyfile.js';
import { colorEnabled } from '../src/output.js';
import { tempDir } from './helpers.js';

const tmp = tempDir('jwkit-io-');
afterAll(tmp.cleanup);

describe('writeFileAtomic', () => {
  it('creates a private file with mode 0600 and leaves no temporary file', () => {
    const path = join(tmp.dir, 'private.json');
    writeFileAtomic(path, '{"d":"secret"}', { mode: PRIVATE_MODE });
    expect(readFileSync(path, 'utf8')).toBe('{"d":"secret"}');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces an existing file whole, with the new mode', () => {
    const path = join(tmp.dir, 'replace.json');
    writeFileSync(path, 'old content that is longer', { mode: 0o644 });
    writeFileAtomic(path, 'new', { mode: PRIVATE_MODE });
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('exclusive refuses to replace an existing file', () => {
    const path = join(tmp.dir, 'keep.json');
    writeFileSync(path, 'keep');
    expect(() => writeFileAtomic(path, 'x', { exclusive: true })).toThrow(CLIError);
    expect(readFileSync(path, 'utf8')).toBe('keep');
  });

  it('fails without leaving a file when the directory does not exist', () => {
    const path = join(tmp.dir, 'missing', 'file.json');
    expect(() => writeFileAtomic(path, 'x')).toThrow(/ENOENT/);
    expect(existsSync(path)).toBe(false);
  });
});

describe('withFileLock', () => {
  it('runs critical sections one at a time and removes the lock', async () => {
    const path = join(tmp.dir, 'locked.json');
    let inside = 0;
    let overlap = false;
    const section = async () => {
      inside++;
      if (inside > 1) overlap = true;
      await new Promise((r) => setTimeout(r, 20));
      inside--;
    };
    await Promise.all(Array.from({ length: 5 }, () => withFileLock(path, section)));
    expect(overlap).toBe(false);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('releases the lock when the section throws', async () => {
    const path = join(tmp.dir, 'throws.json');
    await expect(
      withFileLock(path, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over the lock of a process that is gone', async () => {
    const path = join(tmp.dir, 'stale.json');
    writeFileSync(`${path}.lock`, '2147483646\n');
    expect(await withFileLock(path, () => 'ran')).toBe('ran');
  });

  it('gives up with ERR_CLI_LOCKED while a live process holds the lock', async () => {
    const path = join(tmp.dir, 'held.json');
    writeFileSync(`${path}.lock`, `${process.ppid}\n`);
    await expect(withFileLock(path, () => 'never', { timeout: 100 })).rejects.toMatchObject({
      code: 'ERR_CLI_LOCKED',
    });
  });
});

describe('colorEnabled', () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  it.each([
    [tty, {}, true],
    [pipe, {}, false],
    [tty, { NO_COLOR: '1' }, false],
    [tty, { NO_COLOR: '' }, true],
    [tty, { TERM: 'dumb' }, false],
    [pipe, { FORCE_COLOR: '1' }, true],
    [pipe, { FORCE_COLOR: '0' }, false],
    [pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
  ])('stream %o with env %o -> %s', (stream, env, expected) => {
    expect(colorEnabled(stream, env)).toBe(expected);
  });
});

describe('detectFormat', () => {
  const input = (text: string | Uint8Array): Input => {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    return { name: 'x', bytes, text: new TextDecoder().decode(bytes) };
  };
  it.each([
    ['  {"kty":"EC"}', 'json'],
    ['-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----', 'pem'],
    ['noise before\n-----BEGIN CERTIFICATE-----\n', 'pem'],
    ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln\n', 'jwt'],
    ['a.b.c.d.e', 'jwt'],
    ['hello', 'unknown'],
  ])('%j is %s', (text, format) => {
    expect(detectFormat(input(text))).toBe(format);
  });
  it('DER starts with a SEQUENCE and a long-form length', () => {
    expect(detectFormat(input(new Uint8Array([0x30, 0x82, 0x01, 0x0a, 0x02])))).toBe('der');
  });
});
