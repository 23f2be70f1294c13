/** `jwkit generate`, black-box: every key type, kid = thumbprint, files written 0600, PEM output. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jwkit, runProcess, STACK_TRACE, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

const mode = (path: string) => statSync(path).mode & 0o777;

describe('jwkit generate', () => {
  it('defaults to an EC P-256 key for ES256 whose kid is its RFC 7638 thumbprint', async () => {
    const r = await jwkit(['generate']);
    expect(r.code).toBe(0);
    const jwk = JSON.parse(r.stdout);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(typeof jwk.d).toBe('string');
    const tp = await jwkit(['thumbprint'], { input: r.stdout });
    expect(tp.stdout.trim()).toBe(jwk.kid);
  });

  it.each([
    [['--kty', 'RSA'], { kty: 'RSA', alg: 'RS256' }],
    [['--kty', 'RSA', '--size', '3072', '--alg', 'PS384'], { kty: 'RSA', alg: 'PS384' }],
    [['--kty', 'EC', '--crv', 'P-384'], { kty: 'EC', crv: 'P-384', alg: 'ES384' }],
    [['--kty', 'EC', '--crv', 'P-521'], { kty: 'EC', crv: 'P-521', alg: 'ES512' }],
    [['--alg', 'ES256K'], { kty: 'EC', crv: 'secp256k1', alg: 'ES256K' }],
    [['--kty', 'OKP'], { kty: 'OKP', crv: 'Ed25519', alg: 'Ed25519' }],
    [['--alg', 'Ed448'], { kty: 'OKP', crv: 'Ed448' }],
    [['--kty', 'OKP', '--crv', 'X25519', '--use', 'enc'], { kty: 'OKP', crv: 'X25519', use: 'enc' }],
    [['--kty', 'OKP', '--crv', 'X448'], { kty: 'OKP', crv: 'X448' }],
    [['--kty', 'oct', '--size', '512'], { kty: 'oct', alg: 'HS512' }],
    [['--alg', 'A256KW'], { kty: 'oct', alg: 'A256KW' }],
  ])('generate %j', async (args, expected) => {
    const r = await jwkit(['generate', ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject(expected);
  });

  it('sets --kid, --use and --key-ops, and prints one line with --compact', async () => {
    const r = await jwkit([
      'generate',
      '--alg',
      'ES384',
      '--kid',
      'k1',
      '--key-ops',
      'sign,verify',
      '--compact',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ kid: 'k1', key_ops: ['sign', 'verify'], crv: 'P-384' });
  });

  it('an RSA key of --size bits has a modulus of that size', async () => {
    const r = await jwkit(['generate', '--kty', 'RSA', '--size', '3072']);
    const n = Buffer.from(JSON.parse(r.stdout).n, 'base64url');
    expect(n.length * 8).toBe(3072);
  });

  it('--out writes the private key with mode 0600 and --public-out the public key', async () => {
    const priv = join(tmp.dir, 'ec.json');
    const pub = join(tmp.dir, 'ec.pub.json');
    const r = await jwkit(['generate', '--kty', 'EC', '--out', priv, '--public-out', pub]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('0600');
    expect(mode(priv)).toBe(0o600);
    const key = JSON.parse(readFileSync(priv, 'utf8'));
    const pubKey = JSON.parse(readFileSync(pub, 'utf8'));
    expect(key.d).toBeDefined();
    expect(pubKey.d).toBeUndefined();
    expect(pubKey).toMatchObject({ kid: key.kid, x: key.x, y: key.y });
  });

  it('never replaces an existing file without --force', async () => {
    const path = join(tmp.dir, 'exists.json');
    writeFileSync(path, 'keep me', { mode: 0o644 });
    const r = await jwkit(['generate', '--out', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--force');
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    const forced = await jwkit(['generate', '--out', path, '--force']);
    expect(forced.code).toBe(0);
    expect(mode(path)).toBe(0o600); // replaced by a private file, not chmod-ed in place
    expect(JSON.parse(readFileSync(path, 'utf8')).d).toBeDefined();
  });

  it('--pem writes PKCS#8 that openssl accepts, and SPKI for the public key', async () => {
    const priv = join(tmp.dir, 'rsa.pem');
    const pub = join(tmp.dir, 'rsa.pub.pem');
    const r = await jwkit(['generate', '--alg', 'RS256', '--pem', '--out', priv, '--public-out', pub]);
    expect(r.code).toBe(0);
    expect(mode(priv)).toBe(0o600);
    expect(readFileSync(priv, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readFileSync(pub, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const check = await runProcess('openssl', ['pkey', '-check', '-noout', '-in', priv]);
    expect(check.stdout + check.stderr).toContain('Key is valid');
    const derived = await runProcess('openssl', ['pkey', '-pubout', '-in', priv]);
    expect(derived.stdout).toBe(readFileSync(pub, 'utf8'));
  });

  it('--pem with --passphrase-file writes an encrypted PKCS#8 key that openssl opens', async () => {
    const pass = join(tmp.dir, 'pass.txt');
    writeFileSync(pass, 'correct horse battery staple\n');
    const r = await jwkit(['generate', '--alg', 'ES256', '--pem', '--passphrase-file', pass]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const key = join(tmp.dir, 'enc.pem');
    writeFileSync(key, r.stdout);
    const check = await runProcess('openssl', [
      'pkey',
      '-check',
      '-noout',
      '-in',
      key,
      '-passin',
      `file:${pass}`,
    ]);
    expect(check.stdout + check.stderr).toContain('Key is valid');
  });

  it.each([
    ['--size for an EC key', ['--kty', 'EC', '--size', '256']],
    ['--crv of another key type', ['--kty', 'RSA', '--crv', 'P-256']],
    ['an algorithm that does not fit the key', ['--kty', 'EC', '--alg', 'RS256']],
    ['an unknown algorithm', ['--alg', 'XX999']],
    ['an RSA key below 2048 bits', ['--kty', 'RSA', '--size', '1024']],
    ['a deprecated algorithm without --allow-deprecated', ['--alg', 'EdDSA']],
    ['--public-out for an oct key', ['--kty', 'oct', '--public-out', '/dev/null']],
    ['--pem for an oct key', ['--kty', 'oct', '--pem']],
    ['an unknown key operation', ['--key-ops', 'frobnicate']],
    ['a use that contradicts the algorithm', ['--alg', 'ES256', '--use', 'enc']],
  ])('%s is a usage error (exit 2)', async (_, args) => {
    const r = await jwkit(['generate', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/jwkit: error: .+ \[ERR_CLI_USAGE\]|error: /);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('--allow-deprecated generates an EdDSA key', async () => {
    const r = await jwkit(['generate', '--alg', 'EdDSA', '--allow-deprecated']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
  });
});
