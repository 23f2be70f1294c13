/**
 * `jwkit set`, black-box: in-place edits of a JWK Set file, atomic and under a lock, never
 * losing a key; private members refused unless --private.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jwkit, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

let n = 0;
const setPath = () => join(tmp.dir, `set-${++n}.json`);
const readSet = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as { keys: Record<string, unknown>[] };

async function publicKey(alg = 'ES256', kid?: string): Promise<string> {
  const priv = await jwkit(['generate', '--alg', alg, ...(kid ? ['--kid', kid] : [])]);
  return (await jwkit(['public'], { input: priv.stdout })).stdout;
}

describe('jwkit set add', () => {
  it('creates the set file, then adds to it, keeping the keys already there', async () => {
    const path = setPath();
    const a = await publicKey('ES256', 'a');
    const b = await publicKey('RS256', 'b');
    expect((await jwkit(['set', 'add', '--set', path], { input: a })).code).toBe(0);
    const r = await jwkit(['set', 'add', '--set', path, '-'], { input: b });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('added b');
    expect(readSet(path).keys.map((k) => k.kid)).toEqual(['a', 'b']);
    expect(readSet(path).keys[0]).toEqual(JSON.parse(a));
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });

  it('adds every key of a JWK Set or a PEM file, and gives kid-less keys their thumbprint', async () => {
    const path = setPath();
    const pem = (await jwkit(['convert', '--to', 'pem', '--public'], { input: await publicKey('ES384') }))
      .stdout;
    const r = await jwkit(['set', 'add', '--set', path], { input: pem });
    expect(r.code).toBe(0);
    const [key] = readSet(path).keys;
    const tp = await jwkit(['thumbprint'], { input: JSON.stringify(key) });
    expect(key!.kid).toBe(tp.stdout.trim());
    const set = JSON.stringify({
      keys: [JSON.parse(await publicKey('Ed25519', 'e1')), JSON.parse(await publicKey('ES256', 'e2'))],
    });
    expect((await jwkit(['set', 'add', '--set', path], { input: set })).code).toBe(0);
    expect(readSet(path).keys).toHaveLength(3);
  });

  it('refuses private members (exit 1) unless --private, which writes the file 0600', async () => {
    const path = setPath();
    writeFileSync(path, '{"keys":[]}\n', { mode: 0o644 });
    const priv = (await jwkit(['generate', '--alg', 'ES256', '--kid', 'p'])).stdout;
    const refused = await jwkit(['set', 'add', '--set', path], { input: priv });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ERR_CLI_PRIVATE_KEY');
    expect(readSet(path).keys).toEqual([]);
    const oct = (await jwkit(['generate', '--kty', 'oct'])).stdout;
    expect((await jwkit(['set', 'add', '--set', path], { input: oct })).code).toBe(1);
    const allowed = await jwkit(['set', 'add', '--set', path, '--private'], { input: priv });
    expect(allowed.code).toBe(0);
    expect(readSet(path).keys[0]!.d).toBeDefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a duplicate kid or the same key again, and --replace swaps the key', async () => {
    const path = setPath();
    await jwkit(['set', 'add', '--set', path], { input: await publicKey('ES256', 'same') });
    const other = await publicKey('ES256', 'same');
    const dup = await jwkit(['set', 'add', '--set', path], { input: other });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('ERR_CLI_DUPLICATE_KID');
    const again = await jwkit(['set', 'add', '--set', path], {
      input: JSON.stringify({ ...readSet(path).keys[0], kid: 'x' }),
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ERR_CLI_DUPLICATE_KEY');
    expect((await jwkit(['set', 'add', '--set', path, '--replace'], { input: other })).code).toBe(0);
    expect(readSet(path).keys).toEqual([JSON.parse(other)]);
  });

  it('keeps the file untouched when the input is invalid', async () => {
    const path = setPath();
    await jwkit(['set', 'add', '--set', path], { input: await publicKey() });
    const before = readFileSync(path, 'utf8');
    const r = await jwkit(['set', 'add', '--set', path], { input: '{"kty":"RSA","n":"AA","e":"AQAB"}' });
    expect(r.code).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('refuses to edit a file that is not a JWK Set', async () => {
    const path = setPath();
    writeFileSync(path, '{"kty":"oct"}');
    const r = await jwkit(['set', 'add', '--set', path], { input: await publicKey() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CLI_NOT_A_SET');
  });

  it('concurrent adds all land: the lock serializes them', async () => {
    const path = setPath();
    const keys = await Promise.all(Array.from({ length: 6 }, (_, i) => publicKey('ES256', `c${i}`)));
    const results = await Promise.all(keys.map((k) => jwkit(['set', 'add', '--set', path], { input: k })));
    expect(results.map((r) => r.code)).toEqual(keys.map(() => 0));
    expect(
      readSet(path)
        .keys.map((k) => k.kid)
        .sort(),
    ).toEqual(keys.map((_, i) => `c${i}`));
  });

  it('takes over a lock left behind by a process that no longer exists', async () => {
    const path = setPath();
    writeFileSync(`${path}.lock`, '2147483646\n');
    const r = await jwkit(['set', 'add', '--set', path], { input: await publicKey() });
    expect(r.code).toBe(0);
    expect(readSet(path).keys).toHaveLength(1);
  });
});

describe('jwkit set remove / list / find', () => {
  let path: string;
  beforeAll(async () => {
    path = setPath();
    const set = {
      keys: await Promise.all([
        publicKey('ES256', 'es'),
        publicKey('RS256', 'rs'),
        publicKey('Ed25519', 'ed'),
      ]).then((ks) => ks.map((k) => JSON.parse(k))),
    };
    delete set.keys[1].alg; // an RSA key without alg still matches --alg RS256
    writeFileSync(path, JSON.stringify(set));
  });

  it('list prints a table, and JSON summaries with --json', async () => {
    const r = await jwkit(['set', 'list', '--set', path]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^KID\s+KTY\s+SIZE\s+ALG\s+USE\s+PRIVATE\s+THUMBPRINT/);
    expect(r.stdout).toMatch(/^rs\s+RSA\s+2048\s+-/m);
    const json = JSON.parse((await jwkit(['set', 'list', '--set', path, '--json'])).stdout);
    expect(json.map((k: { kid: string }) => k.kid)).toEqual(['es', 'rs', 'ed']);
    expect(json[0]).toMatchObject({ kty: 'EC', crv: 'P-256', bits: 256, alg: 'ES256', private: false });
  });

  it('find --kid prints the one key; --alg prints a set of the keys that fit', async () => {
    const one = await jwkit(['set', 'find', '--set', path, '--kid', 'ed']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ kid: 'ed', crv: 'Ed25519' });
    const rs = await jwkit(['set', 'find', '--set', path, '--alg', 'RS256']);
    expect(JSON.parse(rs.stdout).keys.map((k: { kid: string }) => k.kid)).toEqual(['rs']);
    const tp = (await jwkit(['thumbprint'], { input: one.stdout })).stdout.trim();
    const byTp = await jwkit(['set', 'find', '--set', path, '--thumbprint', tp]);
    expect(JSON.parse(byTp.stdout).kid).toBe('ed');
  });

  it('find with no match exits 1; without a selector it is a usage error', async () => {
    const none = await jwkit(['set', 'find', '--set', path, '--kid', 'nope']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('ERR_CLI_NO_MATCH');
    expect((await jwkit(['set', 'find', '--set', path])).code).toBe(2);
  });

  it('remove deletes the key by kid; an unknown kid exits 1', async () => {
    const copy = setPath();
    writeFileSync(copy, readFileSync(path));
    const r = await jwkit(['set', 'remove', '--set', copy, 'rs']);
    expect(r.code).toBe(0);
    expect(readSet(copy).keys.map((k) => k.kid)).toEqual(['es', 'ed']);
    const again = await jwkit(['set', 'remove', '--set', copy, 'rs']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ERR_CLI_KID_NOT_FOUND');
  });

  it('list reads stdin with --set -', async () => {
    const r = await jwkit(['set', 'list', '--set', '-', '--json'], { input: readFileSync(path, 'utf8') });
    expect(JSON.parse(r.stdout)).toHaveLength(3);
  });
});
