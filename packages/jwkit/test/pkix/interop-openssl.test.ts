/**
 * Interop with the openssl CLI (3.0): keys openssl writes convert to JWKs that jose and
 * node:crypto accept, and the PEM jwkit writes is what `openssl pkey` accepts (byte for byte the
 * same as openssl's own output where openssl's form is canonical).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenSSL, openssl } from '../../../../test/helpers/openssl.js';
import { UnsupportedError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { jwkToPEM, pemToJWK, pemToJWKs } from '../../src/pkix/convert.js';

interface KeyType {
  readonly name: string;
  readonly genpkey: readonly string[];
  /** The algorithm jose's importJWK takes this key for; `undefined` where jose has no support. */
  readonly jose?: string;
}

const TYPES: readonly KeyType[] = [
  { name: 'RSA', genpkey: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], jose: 'RS256' },
  { name: 'P-256', genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], jose: 'ES256' },
  { name: 'P-384', genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], jose: 'ES384' },
  { name: 'P-521', genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], jose: 'ES512' },
  { name: 'secp256k1', genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'] },
  { name: 'Ed25519', genpkey: ['-algorithm', 'ED25519'], jose: 'Ed25519' },
  { name: 'Ed448', genpkey: ['-algorithm', 'ED448'] },
  { name: 'X25519', genpkey: ['-algorithm', 'X25519'], jose: 'ECDH-ES' },
  { name: 'X448', genpkey: ['-algorithm', 'X448'] },
];

let ssl: OpenSSL;
beforeAll(() => {
  ssl = openssl();
  for (const t of TYPES) {
    ssl.run(['genpkey', ...t.genpkey, '-out', `${t.name}.key`]);
    ssl.run(['pkey', '-in', `${t.name}.key`, '-pubout', '-out', `${t.name}.pub`]);
  }
});
afterAll(() => ssl.cleanup());

/** node:crypto's own JWK export of the same PEM: an independent reading to compare against. */
function nodeJWK(pem: string, isPrivate: boolean): JWK {
  const key = isPrivate ? createPrivateKey(pem) : createPublicKey(pem);
  return key.export({ format: 'jwk' }) as JWK;
}

describe.each(TYPES)('$name from openssl genpkey', (t) => {
  it('PKCS#8 converts to the JWK node:crypto reads, which jose accepts', async () => {
    const pem = ssl.read(`${t.name}.key`);
    const jwk = await pemToJWK(pem);
    expect(jwk).toEqual(nodeJWK(pem, true));
    if (t.jose) await expect(importJWK(jwk, t.jose)).resolves.toBeDefined();
    else expect(() => createPrivateKey({ key: jwk, format: 'jwk' } as never)).not.toThrow();
  });

  it('SPKI converts to the public JWK', async () => {
    const pem = ssl.read(`${t.name}.pub`);
    const jwk = await pemToJWK(pem);
    expect(jwk).toEqual(nodeJWK(pem, false));
    expect(jwk).toEqual(toPublic(await pemToJWK(ssl.read(`${t.name}.key`))));
    if (t.jose) await expect(importJWK(jwk, t.jose)).resolves.toBeDefined();
  });

  it('writes PKCS#8 that openssl pkey -check accepts, identical to openssl output', async () => {
    const pem = await jwkToPEM(await pemToJWK(ssl.read(`${t.name}.key`)));
    expect(pem).toBe(ssl.read(`${t.name}.key`));
    ssl.write(`${t.name}.out.key`, pem);
    const check = t.name === 'X25519' || t.name === 'X448' ? [] : ['-check'];
    expect(() => ssl.run(['pkey', '-in', `${t.name}.out.key`, '-noout', ...check])).not.toThrow();
  });

  it('writes SPKI that openssl pkey -pubin accepts, identical to openssl output', async () => {
    const pem = await jwkToPEM(await pemToJWK(ssl.read(`${t.name}.key`)), { format: 'spki' });
    expect(pem).toBe(ssl.read(`${t.name}.pub`));
    expect(ssl.run(['pkey', '-pubin', '-pubout'], pem)).toBe(pem);
  });

  it('round-trips through an encrypted PKCS#8 that openssl decrypts', async () => {
    const jwk = await pemToJWK(ssl.read(`${t.name}.key`));
    const enc = await jwkToPEM(jwk, { passphrase: 'correct horse', iterations: 2048 });
    expect(enc).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    ssl.write(`${t.name}.enc`, enc);
    expect(ssl.run(['pkey', '-in', `${t.name}.enc`, '-passin', 'pass:correct horse'])).toBe(
      ssl.read(`${t.name}.key`),
    );
    expect(await pemToJWK(enc, { passphrase: 'correct horse' })).toEqual(jwk);
  });
});

describe('traditional and legacy forms', () => {
  it('openssl genrsa -traditional (RSA PRIVATE KEY) reads and writes back identically', async () => {
    const pem = ssl.run(['genrsa', '-traditional', '2048']);
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const jwk = await pemToJWK(pem);
    expect(jwk).toEqual(nodeJWK(pem, true));
    await expect(importJWK(jwk, 'PS256')).resolves.toBeDefined();
    const out = await jwkToPEM(jwk, { format: 'pkcs1' });
    expect(out).toBe(pem);
    expect(ssl.run(['rsa', '-check', '-noout'], out)).toMatch(/RSA key ok/);
  });

  it('RSA PUBLIC KEY (openssl rsa -RSAPublicKey_out) reads and writes back identically', async () => {
    const pem = ssl.run(['rsa', '-in', 'RSA.key', '-RSAPublicKey_out']);
    const jwk = await pemToJWK(pem);
    expect(jwk).toEqual(toPublic(await pemToJWK(ssl.read('RSA.key'))));
    const out = await jwkToPEM(jwk, { format: 'pkcs1' });
    expect(out).toBe(pem);
    expect(() => ssl.run(['rsa', '-RSAPublicKey_in', '-noout'], out)).not.toThrow();
  });

  it.each(['P-256', 'P-384', 'P-521', 'secp256k1'])(
    '%s SEC1 (openssl ec) reads and writes back identically',
    async (crv) => {
      const pem = ssl.run(['ec', '-in', `${crv}.key`]);
      expect(pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
      const jwk = await pemToJWK(pem);
      expect(jwk).toEqual(await pemToJWK(ssl.read(`${crv}.key`)));
      const out = await jwkToPEM(jwk, { format: 'sec1' });
      expect(out).toBe(pem);
      expect(() => ssl.run(['ec', '-check', '-noout'], out)).not.toThrow();
    },
  );

  it('SEC1 without the public key (openssl ec -no_public) gets its point computed from d', async () => {
    const pem = ssl.run(['ec', '-in', 'P-384.key', '-no_public']);
    expect(await pemToJWK(pem)).toEqual(await pemToJWK(ssl.read('P-384.key')));
  });

  it('openssl ecparam -genkey output (EC PARAMETERS + EC PRIVATE KEY) is one key', async () => {
    const pem = ssl.run(['ecparam', '-genkey', '-name', 'secp521r1']);
    expect(pem).toMatch(/BEGIN EC PARAMETERS/);
    const jwk = await pemToJWK(pem);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-521' });
    expect(await pemToJWKs(pem)).toEqual([jwk]);
  });

  it('a compressed EC point (openssl ec -conv_form compressed) is decompressed', async () => {
    const pem = ssl.run(['ec', '-in', 'P-256.key', '-pubout', '-conv_form', 'compressed']);
    expect(await pemToJWK(pem)).toEqual(await pemToJWK(ssl.read('P-256.pub')));
  });

  it('explicit EC parameters are refused with the openssl command that fixes them', async () => {
    const pem = ssl.run(['ec', '-in', 'P-256.key', '-pubout', '-param_enc', 'explicit']);
    await expect(pemToJWK(pem)).rejects.toThrow(/param_enc named_curve/);
  });

  it('legacy PEM encryption (Proc-Type) is refused with the conversion command', async () => {
    const pem = ssl.run(['rsa', '-in', 'RSA.key', '-traditional', '-aes256', '-passout', 'pass:x']);
    await expect(pemToJWK(pem, { passphrase: 'x' })).rejects.toMatchObject({
      code: 'ERR_PEM_LEGACY_ENCRYPTION',
    });
  });
});

describe('encrypted PKCS#8 written by openssl pkcs8 -topk8', () => {
  it.each([
    ['-v2 aes-256-cbc', ['-v2', 'aes-256-cbc']],
    ['-v2 aes-128-cbc -v2prf hmacWithSHA512', ['-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA512']],
    ['-v2 aes-192-cbc -v2prf hmacWithSHA1', ['-v2', 'aes-192-cbc', '-v2prf', 'hmacWithSHA1']],
  ])('%s decrypts with the passphrase', async (_, args) => {
    const pem = ssl.run(['pkcs8', '-topk8', '-in', 'P-256.key', ...args, '-passout', 'pass:pässword']);
    expect(await pemToJWK(pem, { passphrase: 'pässword' })).toEqual(await pemToJWK(ssl.read('P-256.key')));
    await expect(pemToJWK(pem)).rejects.toMatchObject({ code: 'ERR_PASSPHRASE_REQUIRED' });
    await expect(pemToJWK(pem, { passphrase: 'wrong' })).rejects.toMatchObject({
      code: 'ERR_PASSPHRASE_WRONG',
    });
  });

  it.each([
    ['PBES1 (-v1 PBE-SHA1-3DES)', ['-v1', 'PBE-SHA1-3DES']],
    ['scrypt', ['-scrypt']],
    ['3DES-CBC', ['-v2', 'des3']],
  ])('%s is refused as unsupported, naming the fix', async (_, args) => {
    const pem = ssl.run(['pkcs8', '-topk8', '-in', 'Ed25519.key', ...args, '-passout', 'pass:x']);
    const err = await pemToJWK(pem, { passphrase: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(/aes-256-cbc/);
  });
});
