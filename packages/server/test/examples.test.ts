/**
 * The examples in examples/server run as they are (bundled, with `jwkit/server` mapped to the
 * source): each starts, publishes its keys and signs a token that verifies against them.
 */

import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as jose from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, killHard, removeBundles, startProcess } from './fixtures/process.js';
import { tempDir } from './helpers.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const tmp = tempDir();
afterAll(() => {
  tmp.cleanup();
  removeBundles();
});
const env = { JWKIT_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'), PORT: '0' };

async function loginAndVerify(example: string, external: string[] = []): Promise<void> {
  const server = startProcess(
    await bundle(join(root, 'examples', 'server', example), external),
    [],
    env,
    // Each example in a directory of its own: they keep their store at ./.jwkit/example-keys.db
    // with different algorithms, and a stored policy is not changed by another app's flags.
    mkdtempSync(join(tmp.dir, `${example}-`)),
  );
  try {
    const url = await server.ready;
    const jwks = jose.createLocalJWKSet(
      (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as jose.JSONWebKeySet,
    );
    const { token } = (await (await fetch(`${url}/login`, { method: 'POST' })).json()) as { token: string };
    const { payload } = await jose.jwtVerify(token, jwks);
    expect(payload.sub).toBe('alice');
    expect(payload.exp! - payload.iat!).toBe(900);
  } finally {
    server.child.kill('SIGTERM');
    await killHard(server);
  }
}

describe('examples/server', () => {
  it('hono.ts: the jwkit routes inside a Hono app, signing at /login', () => loginAndVerify('hono.ts'));

  it('sign-with-jose.ts: signs with the current key through jose', async () => {
    const proc = startProcess(
      await bundle(join(root, 'examples', 'server', 'sign-with-jose.ts')),
      [],
      env,
      tmp.dir,
    );
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toMatch(/^verified alice \(kid [\w-]+\)$/m);
  });

  // Express and Fastify are devDependencies (not dependencies of jwkit); kept external, as a user's app has them.
  it('express.ts: the node:http listener inside an Express app', () =>
    loginAndVerify('express.ts', ['express']));
  it('fastify.ts: the node:http listener behind a hijacked Fastify reply', () =>
    loginAndVerify('fastify.ts', ['fastify']));
});
