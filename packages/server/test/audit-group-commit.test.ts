/**
 * KeyManager.recordAudit (admin calls, failed admin logins) commits in groups: every entry
 * recorded in one turn of the event loop goes into one store transaction, each caller's promise
 * settles with its own entry's commit, order is kept, and close() commits what is pending.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MasterKey } from '../src/crypto-at-rest.js';
import { KeyManager } from '../src/key-manager.js';
import { openStore } from '../src/stores/open.js';
import type { KeyStore, NewAuditEntry } from '../src/stores/store.js';
import { FakeClock, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

/** A real SQLite store whose appendAudit calls are counted (and can be made to fail). */
async function setup() {
  const store = await openStore(`sqlite:${join(tmp.dir, `audit-${n++}.db`)}`);
  const appends: number[] = [];
  let failNext = false;
  const append = store.appendAudit!.bind(store);
  const counted: KeyStore = Object.assign(Object.create(store), {
    appendAudit: (entries: readonly NewAuditEntry[]) => {
      appends.push(entries.length);
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('disk full (injected)'));
      }
      return append(entries);
    },
  });
  const manager = await KeyManager.open({
    store: counted,
    masterKey: MasterKey.generate().key,
    clock: new FakeClock(),
    policies: ['ES256'],
  });
  appends.length = 0;
  return { manager, appends, failNextAppend: () => (failNext = true) };
}

const calls = async (m: KeyManager) =>
  (await m.audit({ limit: 1000 }))
    .filter((e) => e.event === 'admin-call')
    .map((e) => JSON.parse(e.detail!).path);

describe('recordAudit group commit', () => {
  it('entries recorded in one turn share one transaction, in order, and each caller waits for it', async () => {
    const { manager, appends } = await setup();
    const paths = Array.from({ length: 20 }, (_, i) => `/admin/sign#${i}`);
    await Promise.all(paths.map((path) => manager.recordAudit('admin-call', { detail: { path } })));
    expect(appends).toEqual([20]);
    expect(await calls(manager)).toEqual(paths);
    await manager.recordAudit('admin-call', { detail: { path: '/admin/keys' } });
    expect(appends).toEqual([20, 1]);
    await manager.close();
  });

  it('a failed commit rejects every caller of its group, and the next group is written', async () => {
    const { manager, appends, failNextAppend } = await setup();
    failNextAppend();
    const first = ['a', 'b'].map((path) => manager.recordAudit('admin-call', { detail: { path } }));
    await expect(Promise.all(first)).rejects.toThrow('disk full (injected)');
    await expect(first[1]).rejects.toThrow('disk full (injected)');
    await manager.recordAudit('admin-call', { detail: { path: 'c' } });
    expect(appends).toEqual([2, 1]);
    expect(await calls(manager)).toEqual(['c']);
    await manager.close();
  });

  it('close() commits the entries still waiting for their turn', async () => {
    const { manager } = await setup();
    const pending = manager.recordAudit('admin-call', { detail: { path: '/admin/rotate' } });
    await manager.close();
    await pending;
    // The manager does not own the store: it is still open, and the entry is in it.
    const trail = await manager.store.audit!({ limit: 1000 });
    expect(trail.filter((e) => e.event === 'admin-call').map((e) => JSON.parse(e.detail!).path)).toEqual([
      '/admin/rotate',
    ]);
  });
});
