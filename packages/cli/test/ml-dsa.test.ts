/**
 * ML-DSA through the CLI (issue 16 point 5), black-box: generate, public, inspect, thumbprint,
 * convert (PEM both ways) and jwt sign | verify, against the RFC 9964 draft's example key.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, jwkit, runProcess, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const tmp = tempDir();
afterAll(tmp.cleanup);

const example = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '..', '..', 'jwkit', 'test', 'vectors', 'ml-dsa', 'ML_DSA_44.jose.json'),
    'utf8',
  ),
) as { jwk: { kid: string; pub: string } };

/** A Node older than 24 on PATH (the machine's Node 20), for the pure-JS ML-DSA path; else undefined. */
function olderNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const bin = join(dir, 'node');
    try {
      const v = execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      if (Number(v.split('.')[0]) < 24) return bin;
    } catch {
      // not there
    }
  }
  return undefined;
}
const node20 = olderNode();

const joseFixture = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '..', '..', 'jwkit', 'test', 'vectors', 'ml-dsa', 'jose-interop.json'),
    'utf8',
  ),
) as { keys: { alg: string; jwk: object; thumbprint: string; token: string }[] };

describe.runIf(node20)('on Node 20/22 (pure-JS ML-DSA), jose-made tokens verify and jwkit signs', () => {
  it.each(joseFixture.keys.map((k) => [k.alg, k] as const))('%s', async (_alg, k) => {
    const jwks = join(tmp.dir, `jose-${k.alg}.json`);
    // jose's token names the key by its thumbprint (the kid jwkit would give it, RFC 9964 §6).
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...k.jwk, kid: k.thumbprint }] }));
    const r = await runProcess(node20!, [CLI, 'jwt', 'verify', '--jwks', jwks], { input: k.token });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sub).toBe('from-jose');
  });
  it('generate and jwt sign on Node 20, verify on this Node', async () => {
    const key = join(tmp.dir, 'n20.json');
    expect((await runProcess(node20!, [CLI, 'generate', '--alg', 'ML-DSA-87', '--out', key])).code).toBe(0);
    const pub = JSON.parse((await runProcess(node20!, [CLI, 'public', key])).stdout);
    const jwks = join(tmp.dir, 'n20-jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [pub] }));
    const token = await runProcess(node20!, [CLI, 'jwt', 'sign', '--key', key, '--claims', '{"sub":"n20"}']);
    const r = await jwkit(['jwt', 'verify', '--jwks', jwks], { input: token.stdout.trim() });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sub).toBe('n20');
  });
});

describe('jwkit with ML-DSA keys', () => {
  it('thumbprint gives the RFC 9964 example kid', async () => {
    const r = await jwkit(['thumbprint'], { input: JSON.stringify(example.jwk) });
    expect(r).toEqual({ code: 0, stdout: `${example.jwk.kid}\n`, stderr: '' });
  });

  it('generate --alg ML-DSA-65, public, inspect, convert, jwt sign | verify', async () => {
    const key = join(tmp.dir, 'k.json');
    const gen = await jwkit(['generate', '--alg', 'ML-DSA-65', '--out', key]);
    expect(gen.code, gen.stderr).toBe(0);
    const priv = JSON.parse(readFileSync(key, 'utf8'));
    expect(priv).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-65' });
    const pub = await jwkit(['public', key]);
    expect(pub.code).toBe(0);
    const pubJWK = JSON.parse(pub.stdout);
    expect(pubJWK).not.toHaveProperty('priv');
    expect(pubJWK.pub).toBe(priv.pub);
    const inspect = await jwkit(['inspect', key]);
    expect(inspect.stdout).toContain('AKP ML-DSA-65');
    const pem = await jwkit(['convert', key, '--to', 'pem']);
    expect(pem.stdout).toContain('BEGIN PRIVATE KEY');
    const back = await jwkit(['convert', '-', '--to', 'jwk'], { input: pem.stdout });
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(back.stdout).pub).toBe(priv.pub);
    const jwks = join(tmp.dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [pubJWK] }));
    const token = await jwkit(['jwt', 'sign', '--key', key, '--claims', '{"sub":"pq"}']);
    expect(token.code, token.stderr).toBe(0);
    const verified = await jwkit(['jwt', 'verify', '--jwks', jwks], { input: token.stdout.trim() });
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout).sub).toBe('pq');
  });
});
