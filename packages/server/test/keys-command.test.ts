import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatKeys, keysImport, keysList, keysRevoke, keysRotate } from '../src/keys-command.js';
import { serve } from '../src/serve.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('jwkit keys functions', () => {
  it('list, rotate, import and revoke on the store a server uses, keeping its algorithms', async () => {
    const store = `sqlite:${join(tmp.dir, 'keys.db')}`;
    const warnings: string[] = [];
    const log = (l: string) => warnings.push(l);
    const server = await serve({
      store,
      port: 0,
      algs: ['Ed25519', 'ES256'],
      log: () => {},
      webRoot: false,
      pollInterval: '50ms',
      skew: '1m',
    });
    try {
      const before = await keysList({ store });
      expect(before.map((k) => `${k.alg} ${k.state}`).sort()).toEqual(['ES256 current', 'Ed25519 current']);

      const rotated = await keysRotate({ store, alg: 'Ed25519', log });
      expect(rotated).toHaveLength(1);
      expect(rotated[0]!.kid).not.toBe(before.find((k) => k.alg === 'Ed25519')!.kid);
      // the other alg was left alone, and no algorithm was added or retired
      const after = await keysList({ store });
      expect(
        after
          .filter((k) => k.state === 'current')
          .map((k) => k.alg)
          .sort(),
      ).toEqual(['ES256', 'Ed25519']);

      const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      });
      const imported = await keysImport({ store, input: pem.toString(), activate: true, log });
      expect(imported).toMatchObject({ alg: 'ES256', state: 'current', origin: 'imported' });

      const revoked = await keysRevoke({ store, kid: rotated[0]!.kid, log });
      expect(revoked.state).toBe('revoked');
      await expect(keysRevoke({ store, kid: 'missing', log })).rejects.toMatchObject({
        code: 'ERR_KEY_UNKNOWN',
      });
      expect(warnings).toEqual([]); // the server's master key file was found, not re-created

      // the running server picks the changes up by polling the store
      await server.manager.refresh();
      const kids = server.manager.publication().keys.map((k) => k.kid);
      expect(kids).toContain(imported.kid);
      expect(kids).not.toContain(revoked.kid);

      const table = formatKeys(await keysList({ store }));
      expect(table.split('\n')[0]).toMatch(/^KID +ALG +STATE +ACTIVATES +RETIRES +EXPIRES$/);
      expect(table).toContain(imported.kid);
    } finally {
      await server.close();
    }
  });

  it('list on a store that does not exist creates nothing and names the store (issue 13.16)', async () => {
    const path = join(tmp.dir, 'typo', 'keys.db');
    await expect(keysList({ store: `sqlite:${path}` })).rejects.toMatchObject({
      code: 'ERR_STORE_MISSING',
      message: expect.stringContaining(path),
    });
    expect(existsSync(join(tmp.dir, 'typo'))).toBe(false);
  });
});
