/** `jwkit keys list|rotate|import|revoke`, black-box, on a real SQLite store in a temp directory. */
import { statSync, writeFileSync } from 'node:fs';
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
  it('list on a new store prints an empty table and needs no master key', async () => {
    const r = await keys('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^KID\s+ALG\s+STATE/);
    expect(await list()).toEqual([]);
  });

  it('rotate creates the first keys (and a 0600 master key file, with a warning), then rotates', async () => {
    const first = await keys('rotate', '--algs', 'ES256', '--json');
    expect(first.stderr).toContain('master key');
    expect(first.code).toBe(0);
    expect(statSync(join(tmp.dir, 'master.key')).mode & 0o777).toBe(0o600);
    const current = (await list()).find((k) => k.state === 'current')!;
    expect(current.alg).toBe('ES256');
    const second = await keys('rotate', '--alg', 'ES256', '--json');
    expect(second.code).toBe(0);
    const [now] = JSON.parse(second.stdout) as KeyInfo[];
    expect(now!.kid).not.toBe(current.kid);
    expect((await list()).find((k) => k.kid === current.kid)!.state).toBe('retired');
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
});
