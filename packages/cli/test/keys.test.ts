/** `jwkit keys list|rotate|import|revoke`, black-box, on a real SQLite store in a temp directory. */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jwkit, STACK_TRACE, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

interface KeyInfo {
  kid: string;
  alg: string;
  state: string;
}

const store = `sqlite:${join(tmp.dir, 'keys.db')}`;
const keys = (...args: string[]) => jwkit(['keys', ...args, '--store', store]);
const list = async (): Promise<KeyInfo[]> => JSON.parse((await keys('list', '--json')).stdout);

describe('jwkit keys', () => {
  it('list on a store that does not exist exits 1 naming it and creates nothing (issue 13.16)', async () => {
    const r = await jwkit(['keys', 'list', '--store', `sqlite:${join(tmp.dir, 'typo', 'keys.db')}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_STORE_MISSING');
    expect(r.stderr).toContain(join(tmp.dir, 'typo', 'keys.db'));
    expect(existsSync(join(tmp.dir, 'typo'))).toBe(false);
    const rotate = await keys('rotate');
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain('ERR_STORE_MISSING');
    expect(existsSync(join(tmp.dir, 'keys.db'))).toBe(false);
  });

  it('init creates the store with its policy (and a 0600 master key file, with a warning); rotate uses it', async () => {
    const first = await keys(
      'init',
      '--algs',
      'ES256',
      '--rotation-period',
      '1d',
      '--pre-publish',
      '6h',
      '--max-token-lifetime',
      '12h',
      '--json',
    );
    expect(first.stderr).toContain('master key');
    expect(first.code).toBe(0);
    expect(statSync(join(tmp.dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect((await keys('init')).stderr).toContain('ERR_STORE_EXISTS');
    const current = (await list()).find((k) => k.state === 'current')!;
    expect(current.alg).toBe('ES256');
    const second = await keys('rotate', '--alg', 'ES256', '--json');
    expect(second.code).toBe(0);
    const [now] = JSON.parse(second.stdout) as (KeyInfo & { activates: string; retires: string })[];
    expect(now!.kid).not.toBe(current.kid);
    // the stored 1d rotation period, not a built-in default
    expect(Date.parse(now!.retires) - Date.parse(now!.activates)).toBe(86_400_000);
    expect((await list()).find((k) => k.kid === current.kid)!.state).toBe('retired');
    const mismatch = await keys('rotate', '--algs', 'ES256,RS256');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('ERR_POLICY_MISMATCH');
  });

  it('policy show and set', async () => {
    const shown = await keys('policy', 'show');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/ES256 +rotation-period 1d +pre-publish 6h +max-token-lifetime 12h/);
    const set = await keys('policy', 'set', '--max-token-lifetime', '1h', '--json');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout).algs[0]).toMatchObject({
      alg: 'ES256',
      maxTokenLifetime: '1h',
      retainUntil: expect.any(String),
    });
    const audit = await keys('audit', '--json');
    expect(JSON.parse(audit.stdout).map((e: { event: string }) => e.event)).toContain('policy-changed');
  });

  it('import adds a private key as the next key, or as current with --activate', async () => {
    const file = join(tmp.dir, 'import.json');
    writeFileSync(file, (await jwkit(['generate', '--alg', 'ES256', '--kid', 'imported-1'])).stdout);
    const r = await keys('import', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kid: 'imported-1', alg: 'ES256', state: 'next' });
    const pem = (await jwkit(['generate', '--alg', 'ES256', '--pem'])).stdout;
    const active = await jwkit(['keys', 'import', '--store', store, '--activate', '--json'], { input: pem });
    expect(active.code).toBe(0);
    expect(JSON.parse(active.stdout).state).toBe('current');
  });

  it('revoke takes a key out at once; revoking it again or an unknown kid exits 1', async () => {
    const r = await keys('revoke', 'imported-1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported-1\s+ES256\s+revoked/);
    expect((await list()).find((k) => k.kid === 'imported-1')!.state).toBe('revoked');
    const again = await keys('revoke', 'imported-1');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ERR_KEY_REVOKED');
    const unknown = await keys('revoke', 'no-such-kid');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('ERR_KEY_UNKNOWN');
    expect(unknown.stderr).not.toMatch(STACK_TRACE);
  });

  it('a wrong master key is refused with a clear error', async () => {
    const r = await jwkit(['keys', 'rotate', '--store', store], {
      env: { JWKIT_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/master key/i);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('an unknown store URL is an error', async () => {
    const r = await jwkit(['keys', 'list', '--store', 'mysql://nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_STORE_CONFIG');
  });

  it('backup needs a passphrase from a file or the environment (never argv), restore fills an empty store', async () => {
    const passFile = join(tmp.dir, 'pass.txt');
    writeFileSync(passFile, 'a long enough backup passphrase\n', { mode: 0o600 });
    const file = join(tmp.dir, 'keys.backup');
    const argv = await keys('backup', '--out', file, '--passphrase', 'secret');
    expect(argv.code).not.toBe(0);
    expect(existsSync(file)).toBe(false);
    const none = await jwkit(['keys', 'backup', '--store', store, '--out', file], {
      env: { JWKIT_BACKUP_PASSPHRASE: '' },
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('ERR_BACKUP_PASSPHRASE');
    const made = await keys('backup', '--out', file, '--passphrase-file', passFile);
    expect(made.code).toBe(0);
    expect(readFileSync(file, 'utf8').startsWith('jwkit-backup 1\n')).toBe(true);
    const target = `sqlite:${join(tmp.dir, 'restored', 'keys.db')}`;
    const key = Buffer.alloc(32, 9).toString('base64');
    const wrong = await jwkit(['keys', 'restore', file, '--store', target], {
      env: { JWKIT_BACKUP_PASSPHRASE: 'not the passphrase at all', JWKIT_MASTER_KEY: key },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('ERR_BACKUP_DECRYPT');
    expect(existsSync(join(tmp.dir, 'restored'))).toBe(false);
    const ok = await jwkit(
      ['keys', 'restore', file, '--store', target, '--passphrase-file', passFile, '--json'],
      {
        env: { JWKIT_MASTER_KEY: key },
      },
    );
    expect(ok.code).toBe(0);
    const before = (await list()).map((k) => k.kid).sort();
    const after = JSON.parse(
      (await jwkit(['keys', 'list', '--store', target, '--json'])).stdout,
    ) as KeyInfo[];
    expect(after.map((k) => k.kid).sort()).toEqual(before);
  });

  it('rekey: afterwards only the new master key opens the store', async () => {
    const newKey = join(tmp.dir, 'new.key');
    writeFileSync(newKey, `${Buffer.alloc(32, 5).toString('base64')}\n`, { mode: 0o600 });
    const r = await keys('rekey', '--new-master-key-file', newKey);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('re-encrypted');
    const old = await keys('rotate');
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('ERR_MASTER_KEY_MISMATCH');
    const fresh = await keys('rotate', '--master-key-file', newKey);
    expect(fresh.code).toBe(0);
  });

  it('jwkit serve with a master key but no store exits 1 naming the store, creating nothing (issue 13.3)', async () => {
    const gone = join(tmp.dir, 'gone', 'keys.db');
    const r = await jwkit(
      ['serve', '--store', `sqlite:${gone}`, '--port', '0', '--admin-port', '0', '--no-web'],
      {
        env: { JWKIT_MASTER_KEY: Buffer.alloc(32, 3).toString('base64') },
        timeout: 30_000,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_STORE_MISSING');
    expect(r.stderr).toContain('--init');
    expect(existsSync(join(tmp.dir, 'gone'))).toBe(false);
  });
});
