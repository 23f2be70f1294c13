import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { generateJWK } from '../../src/crypto/generate.js';
import { StoreError } from '../../src/errors/index.js';
import { FileStorage } from '../../src/set/file-storage.js';
import { JWKSet } from '../../src/set/jwk-set.js';
import { MemoryStorage } from '../../src/set/memory-storage.js';
import { loadJWKSet, saveJWKSet } from '../../src/set/persist.js';
import type { Storage } from '../../src/set/storage.js';

const dir = await mkdtemp(join(tmpdir(), 'jwkit-storage-'));
afterAll(() => rm(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = () => join(dir, `store-${n++}`, 'keys.json');

const STORES: { name: string; make: () => Storage }[] = [
  { name: 'memory', make: () => new MemoryStorage() },
  { name: 'file', make: () => new FileStorage(freshFile()) },
];

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return (error as StoreError).code;
  }
  throw new Error('expected a StoreError');
}

describe.each(STORES)('$name storage', ({ make }) => {
  it('stores copies with increasing versions, and lists by prefix in name order', async () => {
    const store = make();
    expect(await store.get('a')).toBeUndefined();
    const value = { keys: [{ kid: '1' }] };
    const first = await store.put('sets/b', value);
    value.keys.push({ kid: 'leak' });
    const second = await store.put('sets/a', [1, 'two', null, true]);
    await store.put('other', 'x');
    expect(second.version).toBeGreaterThan(first.version);
    expect((await store.get('sets/b'))?.value).toEqual({ keys: [{ kid: '1' }] });
    expect((await store.list({ prefix: 'sets/' })).map((r) => r.name)).toEqual(['sets/a', 'sets/b']);
    expect(await store.list()).toHaveLength(3);
  });

  it('makes writes conditional on the version (optimistic concurrency)', async () => {
    const store = make();
    const created = await store.put('set', { v: 1 }, { ifVersion: 0 });
    expect(await code(store.put('set', { v: 'again' }, { ifVersion: 0 }))).toBe('ERR_STORE_VERSION_CONFLICT');
    const updated = await store.put('set', { v: 2 }, { ifVersion: created.version });
    // A writer that read version `created` lost the race.
    expect(await code(store.put('set', { v: 3 }, { ifVersion: created.version }))).toBe(
      'ERR_STORE_VERSION_CONFLICT',
    );
    expect(await code(store.delete('set', { ifVersion: created.version }))).toBe(
      'ERR_STORE_VERSION_CONFLICT',
    );
    expect(await store.delete('set', { ifVersion: updated.version })).toBe(true);
    expect(await store.delete('set')).toBe(false);
    // Re-created records never reuse an old version (no ABA).
    const again = await store.put('set', { v: 4 });
    expect(again.version).toBeGreaterThan(updated.version);
  });

  it('lets exactly one of many concurrent conditional writers win', async () => {
    const store = make();
    const base = await store.put('counter', 0);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.put('counter', i + 1, { ifVersion: base.version })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses values that are not JSON and empty names', async () => {
    const store = make();
    expect(await code(store.put('x', undefined as never))).toBe('ERR_STORE_VALUE');
    expect(await code(store.put('x', { n: Number.NaN } as never))).toBe('ERR_STORE_VALUE');
    expect(await code(store.put('', 1))).toBe('ERR_STORE_NAME');
  });

  it('keeps a JWKSet with loadJWKSet/saveJWKSet, public unless asked', async () => {
    const store = make();
    const key = await generateJWK({ alg: 'ES256', kid: 'k1' });
    const set = new JWKSet([key]);
    const v1 = await saveJWKSet(store, 'jwks', set, { ifVersion: 0 });
    const loaded = await loadJWKSet(store, 'jwks');
    expect(loaded?.version).toBe(v1);
    expect(loaded?.set.get('k1')).not.toHaveProperty('d');
    const v2 = await saveJWKSet(store, 'jwks', set, { ifVersion: v1, private: true });
    expect((await loadJWKSet(store, 'jwks'))?.set.get('k1')).toHaveProperty('d');
    expect(await code(saveJWKSet(store, 'jwks', set, { ifVersion: v1 }))).toBe('ERR_STORE_VERSION_CONFLICT');
    expect(v2).toBeGreaterThan(v1);
    expect(await loadJWKSet(store, 'missing')).toBeUndefined();
  });
});

describe('file storage on disk', () => {
  it('writes atomically: no temporary or lock files are left, and the file is private (0600)', async () => {
    const path = freshFile();
    const store = new FileStorage(path);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.put(`k${i}`, { i })));
    const files = await readdir(join(path, '..'));
    expect(files).toEqual(['keys.json']);
    const { stat } = await import('node:fs/promises');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8')).format).toBe('jwkit-storage/1');
    // Another instance (another process would be the same) sees the data.
    expect(await new FileStorage(path).list()).toHaveLength(10);
  });

  it('serializes writers of separate instances through the lock file', async () => {
    const path = freshFile();
    const a = new FileStorage(path);
    const b = new FileStorage(path);
    const base = await a.put('x', 0);
    const results = await Promise.allSettled([
      a.put('x', 1, { ifVersion: base.version }),
      b.put('x', 2, { ifVersion: base.version }),
      a.put('y', 1),
      b.put('z', 1),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((await a.list()).map((r) => r.name)).toEqual(['x', 'y', 'z']);
  });

  it('serializes writers of separate processes', async () => {
    const path = freshFile();
    const store = new FileStorage(path);
    await store.put('seed', 0);
    // The children run the real module, bundled to plain JavaScript (no TS loader needed).
    const bundle = join(dir, 'file-storage.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../../src/set/file-storage.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    const script = `
      const { FileStorage } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
      const s = new FileStorage(${JSON.stringify(path)});
      for (let i = 0; i < 20; i++) await s.put('p' + process.argv[1] + '-' + i, i);
    `;
    const run = (id: number) =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, String(id)], {
          stdio: 'inherit',
        });
        child.on('exit', (status) => resolve(status ?? 1));
      });
    expect(await Promise.all([run(1), run(2)])).toEqual([0, 0]);
    expect(await store.list()).toHaveLength(41);
  });

  it('reports a corrupt file and a held lock with their own codes', async () => {
    const path = freshFile();
    const store = new FileStorage(path, { lockTimeout: 50 });
    await store.put('a', 1);
    await writeFile(path, '{"format":"something else"}');
    expect(await code(store.get('a'))).toBe('ERR_STORE_CORRUPT');
    await writeFile(path, '{not json');
    expect(await code(store.list())).toBe('ERR_STORE_CORRUPT');
    await rm(path);
    await writeFile(`${path}.lock`, 'held');
    expect(await code(store.put('a', 1))).toBe('ERR_STORE_LOCKED');
    // A lock left by a crashed writer is taken over once it is stale.
    const patient = new FileStorage(path, { lockTimeout: 1000, staleLockAfter: 0 });
    expect((await patient.put('a', 2)).value).toBe(2);
  });
});
