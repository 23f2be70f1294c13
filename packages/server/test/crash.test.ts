/**
 * Crash safety: a real server process is killed with SIGKILL at random moments while it rotates
 * (on its own short schedule and on admin requests) and signs; after each kill the store must
 * hold every key, the invariants must hold, and the restarted server must publish every key that
 * signed a still-valid token. Short real-time periods make rotations constant.
 */

import { join } from 'node:path';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePolicies } from '../src/policy.js';
import { checkInvariants, type ScheduleSettings } from '../src/schedule.js';
import type { ServeOptions } from '../src/serve.js';
import { openStore } from '../src/stores/open.js';
import { bundleServeProcess, killHard, removeBundles, startServer } from './fixtures/process.js';
import { dropSchema, PG_URL, tempDir, uniqueSchema } from './helpers.js';

const TOKEN = 'crash-test-admin-token-0123456789';
const TRIALS = Number(process.env.CRASH_TRIALS ?? 14);

// A rotation every 1.5 s, announced 0.7 s ahead; tokens live 3 s.
const SCHEDULE = {
  algs: ['ES256', 'RS256'],
  rotationPeriod: '1500ms',
  prePublish: '700ms',
  maxTokenLifetime: '3s',
  cacheMaxAge: '1s',
  staleWhileRevalidate: '0s',
  skew: '500ms',
  pollInterval: '100ms',
} satisfies ServeOptions;
const SETTINGS: ScheduleSettings = {
  policies: resolvePolicies(SCHEDULE.algs, SCHEDULE),
  cacheMaxAge: 1000,
  staleWhileRevalidate: 0,
  skew: 500,
};

const tmp = tempDir();
let bundle: string;
const schemas: string[] = [];
beforeAll(async () => {
  bundle = await bundleServeProcess();
});
afterAll(async () => {
  removeBundles();
  tmp.cleanup();
  for (const s of schemas) await dropSchema(s);
});

interface Issued {
  token: string;
  kid: string;
  exp: number;
}

/** Rotates (each alg in its own loop), signs and reads the JWKS as fast as the server answers, until stopped. */
async function hammer(url: string, issued: Issued[], stop: { done: boolean }): Promise<void> {
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const post = (path: string, body: unknown) =>
    fetch(`${url}/admin/${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  const loop = async (step: (n: number) => Promise<void>) => {
    try {
      for (let n = 0; !stop.done; n++) await step(n);
    } catch {
      // the server is gone
    }
  };
  const rotate = (alg: string) => async () => {
    await post('rotate', { alg });
  };
  const sign = async (n: number) => {
    const res = await post('sign', { alg: n % 2 === 0 ? 'ES256' : 'RS256' });
    if (res.status === 200) {
      const { token } = (await res.json()) as { token: string };
      issued.push({
        token,
        kid: String(jose.decodeProtectedHeader(token).kid),
        exp: jose.decodeJwt(token).exp! * 1000,
      });
    }
    await fetch(`${url}/jwks.json`);
  };
  await Promise.all([loop(rotate('ES256')), loop(rotate('RS256')), loop(sign), loop(sign)]);
}

async function checkStore(storeUrl: string, schema: string | undefined, issued: Issued[]): Promise<void> {
  const store = await openStore(storeUrl, schema === undefined ? {} : { schema });
  try {
    const snapshot = await store.load();
    if (snapshot.keys.length === 0) {
      // Killed before the first key was committed (the stored policy may already be there, a
      // commit of its own): no token can have been signed, and the next start creates the keys.
      expect(issued).toEqual([]);
      return;
    }
    expect(checkInvariants(snapshot.keys, SETTINGS)).toEqual([]);
    const now = Date.now();
    const publishedKids = new Set(
      snapshot.keys
        .filter((k) => k.state === 'current' || k.state === 'next' || k.state === 'retired')
        .map((k) => k.kid),
    );
    for (const t of issued)
      if (t.exp > now) expect(publishedKids.has(t.kid), `key ${t.kid} of a valid token lost`).toBe(true);
  } finally {
    await store.close();
  }
}

async function trials(storeUrl: string, schema: string | undefined, count: number): Promise<void> {
  const issued: Issued[] = [];
  let killedWhileServing = 0;
  const options: ServeOptions = {
    ...SCHEDULE,
    store: storeUrl,
    ...(schema === undefined ? {} : { schema }),
    port: 0,
    adminToken: TOKEN,
    singleListener: true, // the admin API on the same URL (issue 14.4)
    masterKeyFile: join(tmp.dir, `master-${schema ?? 'sqlite'}.key`),
    webRoot: false,
  };
  for (let trial = 0; trial < count; trial++) {
    const server = startServer(bundle, options, {
      JWKIT_MASTER_KEY: undefined,
      JWKIT_ADMIN_TOKEN: undefined,
    });
    const stop = { done: false };
    // One kill in four lands during start-up (opening, bootstrapping the first keys); the rest
    // while the server rotates and signs under load.
    const url =
      trial % 4 === 0
        ? await Promise.race([
            server.ready,
            new Promise<undefined>((r) => setTimeout(r, Math.random() * 600)),
          ])
        : await server.ready;
    let load: Promise<void> = Promise.resolve();
    if (url !== undefined) {
      // After a restart: every still-valid token verifies against the restarted server's JWKS.
      const jwks = (await (await fetch(`${url}/jwks.json`)).json()) as jose.JSONWebKeySet;
      const keys = jose.createLocalJWKSet(jwks);
      const now = Date.now();
      for (const t of issued.filter((x) => x.exp > now + 200)) {
        await jose.jwtVerify(t.token, keys, { currentDate: new Date(now) });
      }
      load = hammer(url, issued, stop);
      killedWhileServing++;
      await new Promise((r) => setTimeout(r, Math.random() * 700));
    }
    await killHard(server);
    stop.done = true;
    await load;
    await checkStore(storeUrl, schema, issued);
  }
  expect(killedWhileServing).toBeGreaterThan(count / 2);
  expect(issued.length).toBeGreaterThan(count);
  // One clean start at the end: up, serving, and every key of a valid token published.
  const final = startServer(bundle, options, { JWKIT_MASTER_KEY: undefined });
  const url = await final.ready;
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  await killHard(final);
  await checkStore(storeUrl, schema, issued);
}

describe('kill -9 during rotations', () => {
  it(`SQLite: ${TRIALS} kills leave every key and the invariants intact`, async () => {
    await trials(`sqlite:${join(tmp.dir, 'keys.db')}`, undefined, TRIALS);
  });

  it(`PostgreSQL: ${TRIALS} kills leave every key and the invariants intact`, async () => {
    const schema = uniqueSchema('crash');
    schemas.push(schema);
    await trials(PG_URL, schema, TRIALS);
  });
});
