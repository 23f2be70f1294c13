/** `jwkit public`, black-box: private members never reach the output; oct keys are refused. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jwkit, runProcess, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('jwkit public', () => {
  it.each([['RS256'], ['ES256'], ['ES256K'], ['Ed25519'], ['Ed448'], ['ECDH-ES']])(
    'prints the public form of a private %s key, same kid and thumbprint',
    async (alg) => {
      const priv = await jwkit(['generate', '--alg', alg]);
      const r = await jwkit(['public'], { input: priv.stdout });
      expect(r.code).toBe(0);
      const pub = JSON.parse(r.stdout);
      for (const m of PRIVATE) expect(pub[m]).toBeUndefined();
      expect(pub.kid).toBe(JSON.parse(priv.stdout).kid);
      const [a, b] = await Promise.all([
        jwkit(['thumbprint'], { input: priv.stdout }),
        jwkit(['thumbprint'], { input: r.stdout }),
      ]);
      expect(b.stdout).toBe(a.stdout);
    },
  );

  it('reads a file argument and a JWK Set, and keeps the set shape', async () => {
    const keys = await Promise.all([
      jwkit(['generate', '--alg', 'ES256']),
      jwkit(['generate', '--alg', 'RS256']),
    ]);
    const file = join(tmp.dir, 'private-set.json');
    writeFileSync(file, JSON.stringify({ keys: keys.map((k) => JSON.parse(k.stdout)) }));
    const r = await jwkit(['public', file]);
    expect(r.code).toBe(0);
    const set = JSON.parse(r.stdout);
    expect(set.keys).toHaveLength(2);
    for (const k of set.keys) for (const m of PRIVATE) expect(k[m]).toBeUndefined();
  });

  it('reads a PEM private key and prints --pem as SPKI', async () => {
    const pem = (await runProcess('openssl', ['genpkey', '-algorithm', 'ED448'])).stdout;
    const jwk = await jwkit(['public'], { input: pem });
    expect(JSON.parse(jwk.stdout)).toMatchObject({ kty: 'OKP', crv: 'Ed448' });
    expect(JSON.parse(jwk.stdout).d).toBeUndefined();
    const spki = await jwkit(['public', '--pem'], { input: pem });
    expect(spki.stdout).toBe((await runProcess('openssl', ['pkey', '-pubout'], { input: pem })).stdout);
  });

  it('refuses an oct key (exit 1) and never prints the secret', async () => {
    const oct = await jwkit(['generate', '--kty', 'oct']);
    const r = await jwkit(['public'], { input: oct.stdout });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('ERR_JWK_NO_PUBLIC_FORM');
    expect(r.stderr).not.toContain(JSON.parse(oct.stdout).k);
  });

  it('a set with an oct key fails unless --skip-secret leaves it out', async () => {
    const keys = await Promise.all([
      jwkit(['generate', '--kty', 'oct']),
      jwkit(['generate', '--alg', 'ES256']),
    ]);
    const input = JSON.stringify({ keys: keys.map((k) => JSON.parse(k.stdout)) });
    const refused = await jwkit(['public'], { input });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--skip-secret');
    const skipped = await jwkit(['public', '--skip-secret'], { input });
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('warning');
    expect(JSON.parse(skipped.stdout).keys.map((k: { kty: string }) => k.kty)).toEqual(['EC']);
  });

  it('an already public key stays as it is', async () => {
    const pub = (await jwkit(['public'], { input: (await jwkit(['generate'])).stdout })).stdout;
    const again = await jwkit(['public'], { input: pub });
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(pub));
  });
});
