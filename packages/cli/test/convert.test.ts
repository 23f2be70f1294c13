/**
 * `jwkit convert`, black-box, against openssl: every key type openssl makes goes
 * PEM -> JWK -> PEM and comes back as a key `openssl pkey -check` accepts, with the same public key.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jwkit, runProcess, STACK_TRACE, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

async function openssl(args: string[], input?: string): Promise<string> {
  const r = await runProcess('openssl', args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const TYPES: [string, string[], Record<string, string>][] = [
  ['RSA', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { kty: 'RSA' }],
  ['EC P-256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], { kty: 'EC', crv: 'P-256' }],
  ['EC P-384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], { kty: 'EC', crv: 'P-384' }],
  ['EC P-521', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], { kty: 'EC', crv: 'P-521' }],
  [
    'secp256k1',
    ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'],
    { kty: 'EC', crv: 'secp256k1' },
  ],
  ['Ed25519', ['-algorithm', 'ED25519'], { kty: 'OKP', crv: 'Ed25519' }],
  ['Ed448', ['-algorithm', 'ED448'], { kty: 'OKP', crv: 'Ed448' }],
  ['X25519', ['-algorithm', 'X25519'], { kty: 'OKP', crv: 'X25519' }],
  ['X448', ['-algorithm', 'X448'], { kty: 'OKP', crv: 'X448' }],
];

describe('openssl genpkey -> jwkit convert --to jwk -> jwkit convert --to pem --private -> openssl pkey -check', () => {
  it.each(TYPES)('%s', async (name, genArgs, expected) => {
    const pem = await openssl(['genpkey', ...genArgs]);
    const toJWK = await jwkit(['convert', '--to', 'jwk'], { input: pem });
    expect(toJWK.stderr).toBe('');
    expect(toJWK.code).toBe(0);
    const jwk = JSON.parse(toJWK.stdout);
    expect(jwk).toMatchObject(expected);
    expect(jwk.d).toBeDefined();

    const toPEM = await jwkit(['convert', '--to', 'pem', '--private'], { input: toJWK.stdout });
    expect(toPEM.code).toBe(0);
    expect(toPEM.stdout).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const file = join(tmp.dir, `${name.replace(/\W/g, '')}.pem`);
    writeFileSync(file, toPEM.stdout);
    const check = await runProcess('openssl', ['pkey', '-check', '-noout', '-in', file]);
    expect(check.stdout + check.stderr).toContain('Key is valid');
    expect(await openssl(['pkey', '-pubout', '-in', file])).toBe(await openssl(['pkey', '-pubout'], pem));
  });
});

describe('jwkit convert', () => {
  it('--public writes the SPKI of a private key, identical to openssl -pubout', async () => {
    const pem = await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']);
    const r = await jwkit(['convert', '--to', 'pem', '--public'], { input: pem });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(await openssl(['pkey', '-pubout'], pem));
    const jwk = await jwkit(['convert', '--to', 'jwk', '--public'], { input: pem });
    expect(JSON.parse(jwk.stdout).d).toBeUndefined();
  });

  it('--private fails (exit 1) for a public key', async () => {
    const pub = await openssl(['pkey', '-pubout'], await openssl(['genpkey', '-algorithm', 'ED25519']));
    const r = await jwkit(['convert', '--to', 'jwk', '--private'], { input: pub });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERR_CLI_NOT_PRIVATE');
  });

  it('--format pkcs1 and sec1 write the traditional OpenSSL forms', async () => {
    const rsa = await jwkit(['generate', '--alg', 'RS256']);
    const pkcs1 = await jwkit(['convert', '--to', 'pem', '--format', 'pkcs1'], { input: rsa.stdout });
    expect(pkcs1.stdout).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const ec = await jwkit(['generate', '--alg', 'ES256']);
    const sec1 = await jwkit(['convert', '--to', 'pem', '--format', 'sec1'], { input: ec.stdout });
    expect(sec1.stdout).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    const back = await jwkit(['convert', '--to', 'jwk'], { input: sec1.stdout });
    expect(JSON.parse(back.stdout).d).toBe(JSON.parse(ec.stdout).d);
  });

  it('a certificate chain becomes one public JWK with x5c (leaf first), x5t and x5t#S256', async () => {
    const caKey = join(tmp.dir, 'ca.key');
    const caCert = join(tmp.dir, 'ca.pem');
    const leafKey = join(tmp.dir, 'leaf.key');
    const csr = join(tmp.dir, 'leaf.csr');
    const leafCert = join(tmp.dir, 'leaf.pem');
    await openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=Test CA',
      ].concat(['-days', '2', '-keyout', caKey, '-out', caCert]),
    );
    await openssl(
      [
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=leaf.example',
      ].concat(['-keyout', leafKey, '-out', csr]),
    );
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      caCert,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      leafCert,
    ]);
    const chain = readFileSync(leafCert, 'utf8') + readFileSync(caCert, 'utf8');
    const r = await jwkit(['convert', '--to', 'jwk'], { input: chain });
    expect(r.code).toBe(0);
    const jwk = JSON.parse(r.stdout);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(jwk.d).toBeUndefined();
    expect(jwk.x5c).toHaveLength(2);
    const leafDER = join(tmp.dir, 'leaf.der');
    await openssl(['x509', '-in', leafCert, '-outform', 'DER', '-out', leafDER]);
    const der = readFileSync(leafDER);
    expect(jwk.x5c[0]).toBe(der.toString('base64'));
    expect(jwk['x5t#S256']).toBe(createHash('sha256').update(der).digest('base64url'));
    expect(jwk.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
    // The JWK's key is the leaf's key.
    const leafPub = await openssl(['pkey', '-pubout', '-in', leafKey]);
    const asPEM = await jwkit(['convert', '--to', 'pem'], { input: r.stdout });
    expect(asPEM.stdout).toBe(leafPub);
  });

  it('a DER certificate on stdin converts too', async () => {
    const certPEM = join(tmp.dir, 'self.pem');
    const certDER = join(tmp.dir, 'self.der');
    await openssl(
      ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-subj', '/CN=der', '-days', '1'].concat([
        '-keyout',
        join(tmp.dir, 'self.key'),
        '-out',
        certPEM,
      ]),
    );
    await openssl(['x509', '-in', certPEM, '-outform', 'DER', '-out', certDER]);
    const r = await jwkit(['convert', certDER, '--to', 'jwk']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });

  it('several PEM keys become one JWK Set with --to jwks, and are refused with --to jwk', async () => {
    const a = await openssl(['genpkey', '-algorithm', 'ED25519']);
    const b = await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const set = await jwkit(['convert', '--to', 'jwks', '--public'], { input: a + b });
    expect(set.code).toBe(0);
    const keys = JSON.parse(set.stdout).keys;
    expect(keys.map((k: { kty: string }) => k.kty)).toEqual(['OKP', 'EC']);
    expect(keys.every((k: { d?: string }) => k.d === undefined)).toBe(true);
    const one = await jwkit(['convert', '--to', 'jwk'], { input: a + b });
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('--to jwks');
  });

  it('a JWK Set output is public by default and private only with --private', async () => {
    const a = await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const pub = await jwkit(['convert', '--to', 'jwks'], { input: a });
    expect(pub.code).toBe(0);
    expect(JSON.parse(pub.stdout).keys[0].d).toBeUndefined();
    const priv = await jwkit(['convert', '--to', 'jwks', '--private'], { input: a });
    expect(JSON.parse(priv.stdout).keys[0].d).toEqual(expect.any(String));
  });

  it('an encrypted PKCS#8 key needs --passphrase-file, and the private PEM stays encrypted', async () => {
    const pass = join(tmp.dir, 'pw');
    writeFileSync(pass, 's3cret-passphrase\n');
    const enc = await openssl(['genpkey', '-algorithm', 'ED25519', '-aes-256-cbc', '-pass', `file:${pass}`]);
    const without = await jwkit(['convert', '--to', 'jwk'], { input: enc });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/passphrase/i);
    const jwk = await jwkit(['convert', '--to', 'jwk', '--passphrase-file', pass], { input: enc });
    expect(jwk.code).toBe(0);
    const pem = await jwkit(['convert', '--to', 'pem', '--passphrase-file', pass], { input: jwk.stdout });
    expect(pem.stdout).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const file = join(tmp.dir, 'reenc.pem');
    writeFileSync(file, pem.stdout);
    const check = await runProcess('openssl', [
      'pkey',
      '-check',
      '-noout',
      '-in',
      file,
      '-passin',
      `file:${pass}`,
    ]);
    expect(check.stdout + check.stderr).toContain('Key is valid');
  });

  it('--out writes a private key 0600 and a public key with the usual mode', async () => {
    const jwk = (await jwkit(['generate', '--alg', 'ES256'])).stdout;
    const priv = join(tmp.dir, 'out-private.pem');
    const pub = join(tmp.dir, 'out-public.pem');
    expect((await jwkit(['convert', '--to', 'pem', '--out', priv], { input: jwk })).code).toBe(0);
    expect((await jwkit(['convert', '--to', 'pem', '--public', '--out', pub], { input: jwk })).code).toBe(0);
    expect(statSync(priv).mode & 0o777).toBe(0o600);
    expect(statSync(pub).mode & 0o077).not.toBe(0);
  });

  it('an oct key has no PEM form (exit 1)', async () => {
    const oct = (await jwkit(['generate', '--kty', 'oct'])).stdout;
    const r = await jwkit(['convert', '--to', 'pem'], { input: oct });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('oct');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it.each([
    ['--private with --public', ['--to', 'jwk', '--private', '--public']],
    ['--format with --to jwk', ['--to', 'jwk', '--format', 'pkcs1']],
    ['an unknown --to', ['--to', 'der']],
  ])('%s is a usage error', async (_, args) => {
    const r = await jwkit(['convert', ...args], { input: '{}' });
    expect(r.code).toBe(2);
  });

  it('an OpenSSH key is refused with the command that converts it', async () => {
    const r = await jwkit(['convert', '--to', 'jwk'], {
      input: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ssh-keygen');
  });
});
