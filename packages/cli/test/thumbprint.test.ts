/** `jwkit thumbprint`, black-box, against the RFC 7638 and RFC 8037 published values. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJSON } from '../../../test/helpers/vectors.js';
import { assertBuilt, jwkit, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

const rfc7638 = readJSON<{ input_jwk: object }>('vectors', 'rfc', 'rfc7638-thumbprint.json');
const rfc8037 = readJSON<Record<string, { thumbprint_b64u?: string }>>('vectors', 'rfc', 'rfc8037-okp.json');
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'; // RFC 7638 §3.1

describe('jwkit thumbprint', () => {
  it('gives the RFC 7638 §3.1 thumbprint, from stdin and from a file', async () => {
    const text = JSON.stringify(rfc7638.input_jwk);
    const file = join(tmp.dir, 'rfc7638.json');
    writeFileSync(file, text);
    for (const r of await Promise.all([
      jwkit(['thumbprint'], { input: text }),
      jwkit(['thumbprint', file]),
      jwkit(['thumbprint', '-'], { input: text }),
    ])) {
      expect(r).toEqual({ code: 0, stdout: `${RFC7638_THUMBPRINT}\n`, stderr: '' });
    }
  });

  it('gives the RFC 8037 §A.3 thumbprint for the Ed25519 private and public key alike', async () => {
    const expected = rfc8037['A.3_thumbprint']!.thumbprint_b64u;
    const [priv, pub] = await Promise.all([
      jwkit(['thumbprint'], { input: JSON.stringify(rfc8037['A.1_ed25519_private_jwk']) }),
      jwkit(['thumbprint'], { input: JSON.stringify(rfc8037['A.2_ed25519_public_jwk']) }),
    ]);
    expect(priv.stdout).toBe(`${expected}\n`);
    expect(pub.stdout).toBe(`${expected}\n`);
  });

  it('--uri prints the RFC 9278 URI; --hash picks SHA-384 or SHA-512', async () => {
    const input = JSON.stringify(rfc7638.input_jwk);
    const uri = await jwkit(['thumbprint', '--uri'], { input });
    expect(uri.stdout).toBe(`urn:ietf:params:oauth:jwk-thumbprint:sha-256:${RFC7638_THUMBPRINT}\n`);
    const s384 = await jwkit(['thumbprint', '--hash', 'sha384'], { input });
    expect(Buffer.from(s384.stdout.trim(), 'base64url')).toHaveLength(48);
    const u512 = await jwkit(['thumbprint', '--hash', 'sha512', '--uri'], { input });
    expect(u512.stdout).toMatch(/^urn:ietf:params:oauth:jwk-thumbprint:sha-512:[\w-]{86}\n$/);
  });

  it('prints one line per key of a set with its kid, and JSON with --json', async () => {
    const set = JSON.stringify({ keys: [rfc7638.input_jwk, rfc8037['A.2_ed25519_public_jwk']] });
    const r = await jwkit(['thumbprint'], { input: set });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`${RFC7638_THUMBPRINT}  2011-04-29`);
    const json = await jwkit(['thumbprint', '--json', '--uri'], { input: set });
    const rows = JSON.parse(json.stdout);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      kid: '2011-04-29',
      thumbprint: RFC7638_THUMBPRINT,
      uri: `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${RFC7638_THUMBPRINT}`,
    });
  });

  it('takes PEM input', async () => {
    const jwk = (await jwkit(['generate', '--alg', 'ES384'])).stdout;
    const pem = (await jwkit(['convert', '--to', 'pem', '--public'], { input: jwk })).stdout;
    const r = await jwkit(['thumbprint'], { input: pem });
    expect(r.stdout.trim()).toBe(JSON.parse(jwk).kid);
  });

  it('a set with an unusable key still prints the others, warns, and exits 1', async () => {
    const set = JSON.stringify({ keys: [rfc7638.input_jwk, { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] });
    const r = await jwkit(['thumbprint'], { input: set });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(RFC7638_THUMBPRINT);
    expect(r.stderr).toContain('keys[1]');
  });

  it('an unknown --hash is a usage error', async () => {
    expect((await jwkit(['thumbprint', '--hash', 'md5'], { input: '{}' })).code).toBe(2);
  });
});
