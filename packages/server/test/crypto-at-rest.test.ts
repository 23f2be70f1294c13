import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMasterKey, MasterKey } from '../src/crypto-at-rest.js';
import { tempDir } from './helpers.js';

const saved = process.env.JWKIT_MASTER_KEY;
afterEach(() => {
  if (saved === undefined) delete process.env.JWKIT_MASTER_KEY;
  else process.env.JWKIT_MASTER_KEY = saved;
});

describe('MasterKey (AES-256-GCM)', () => {
  const { key } = MasterKey.generate();
  const secret = new TextEncoder().encode('{"kty":"EC","d":"secret"}');

  it('round-trips, and never leaves the plaintext in the sealed text', () => {
    const sealed = key.seal(secret, 'aad');
    expect(sealed.startsWith(`v1.${key.id}.`)).toBe(true);
    expect(sealed).not.toContain('secret');
    expect(Buffer.from(key.open(sealed, 'aad')).toString()).toBe('{"kty":"EC","d":"secret"}');
  });

  it('uses a fresh IV for every seal', () => {
    expect(key.seal(secret, 'aad')).not.toBe(key.seal(secret, 'aad'));
  });

  it('refuses a value moved to another record (the AAD binds it)', () => {
    const sealed = key.seal(secret, 'kid-1');
    expect(() => key.open(sealed, 'kid-2')).toThrowError(
      expect.objectContaining({ code: 'ERR_SEALED_CORRUPT' }),
    );
  });

  it('refuses a tampered ciphertext or tag', () => {
    const parts = key.seal(secret, 'aad').split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const i of [2, 3, 4]) {
      const bad = parts.map((p, j) => (j === i ? flip(p) : p)).join('.');
      expect(() => key.open(bad, 'aad')).toThrowError(
        expect.objectContaining({ code: 'ERR_SEALED_CORRUPT' }),
      );
    }
  });

  it('names both key ids when opened with another master key', () => {
    const other = MasterKey.generate().key;
    const sealed = key.seal(secret, 'aad');
    expect(() => other.open(sealed, 'aad')).toThrowError(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_MISMATCH', message: expect.stringContaining(key.id) }),
    );
  });

  it('accepts only 32-byte keys, in base64 or base64url', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(MasterKey.fromText(bytes.toString('base64')).id).toBe(MasterKey.fromBytes(bytes).id);
    expect(MasterKey.fromText(bytes.toString('base64url')).id).toBe(MasterKey.fromBytes(bytes).id);
    expect(() => MasterKey.fromText(Buffer.alloc(16).toString('base64'))).toThrowError(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID' }),
    );
    expect(() => MasterKey.fromText('not base64 at all!')).toThrowError(
      expect.objectContaining({ code: 'ERR_MASTER_KEY_INVALID' }),
    );
  });

  it('does not show the key material when serialized', () => {
    expect(JSON.stringify({ key })).toBe(`{"key":"MasterKey(${key.id})"}`);
  });
});

describe('loadMasterKey', () => {
  it('prefers JWKIT_MASTER_KEY over the key file', async () => {
    const text = Buffer.alloc(32, 1).toString('base64');
    process.env.JWKIT_MASTER_KEY = text;
    const loaded = await loadMasterKey({ file: '/nonexistent/master.key', create: true });
    expect(loaded.source).toBe('env');
    expect(loaded.key.id).toBe(MasterKey.fromText(text).id);
  });

  it('creates a 0600 key file on first use and reads the same key afterwards', async () => {
    delete process.env.JWKIT_MASTER_KEY;
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'nested', 'master.key');
      const first = await loadMasterKey({ file, create: true });
      expect(first.created).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const again = await loadMasterKey({ file, create: true });
      expect(again.created).toBe(false);
      expect(again.key.id).toBe(first.key.id);
    } finally {
      cleanup();
    }
  });

  it('gives one key to concurrent first starts', async () => {
    delete process.env.JWKIT_MASTER_KEY;
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'master.key');
      const all = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey({ file, create: true })));
      expect(new Set(all.map((l) => l.key.id)).size).toBe(1);
      expect(all.filter((l) => l.created)).toHaveLength(1);
    } finally {
      cleanup();
    }
  });

  it('warns about a key file others can read, and fails clearly when there is no key', async () => {
    delete process.env.JWKIT_MASTER_KEY;
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'master.key');
      writeFileSync(file, Buffer.alloc(32, 3).toString('base64'), { mode: 0o644 });
      expect((await loadMasterKey({ file })).warnings[0]).toMatch(/chmod 600/);
      await expect(loadMasterKey({ file: join(dir, 'missing.key') })).rejects.toMatchObject({
        code: 'ERR_MASTER_KEY_MISSING',
      });
      await expect(loadMasterKey({})).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_MISSING' });
    } finally {
      cleanup();
    }
  });
});
