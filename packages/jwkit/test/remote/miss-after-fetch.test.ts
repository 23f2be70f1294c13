/**
 * Issue 13.9: a lookup miss that finds a fetch already in flight must not be answered by it
 * when that fetch started before the lookup: its response can predate the key's publication,
 * and before the fix the miss was refused, and the cooldown counted from that older fetch, so
 * the new key stayed unusable for the whole cooldown. Real server on 127.0.0.1; the fake clock
 * only drives the cooldown (it never moves here unless a test says so).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { KeySelectionError } from '../../src/errors/index.js';
import { RemoteJWKSet } from '../../src/remote/remote-jwks.js';
import { EventLog } from './helpers/events.js';
import { FakeClock } from './helpers/fake-clock.js';
import { etagHandler, gate, JWKSServer, sendJSON } from './helpers/jwks-server.js';
import { ecKey, jwks, type TestKey } from './helpers/keys.js';

const A = ecKey('a');
const B = ecKey('b');
const C = ecKey('c');
const header = (key: TestKey) => ({ alg: key.alg, kid: key.kid });

let server: JWKSServer;
let clock: FakeClock;
let log: EventLog;
let published: unknown;
let remote: RemoteJWKSet;

beforeEach(async () => {
  clock = new FakeClock();
  log = new EventLog();
  published = jwks(A);
  server = await JWKSServer.start(etagHandler(() => published, { 'cache-control': 'max-age=600' }));
  remote = new RemoteJWKSet(server.url(), { clock, cooldown: 30_000, onEvent: log.onEvent });
});
afterEach(async () => {
  remote.close();
  await server.close();
});

/**
 * Makes the next request answer with the set published when it ARRIVES, but only once the test
 * releases it; later requests are answered normally.
 */
function holdNextRequest(): { arrived: Promise<void>; release: () => void } {
  const arrived = gate();
  const release = gate();
  const normal = server.handler;
  server.handler = async (_req: IncomingMessage, res: ServerResponse) => {
    server.handler = normal;
    const snapshot = JSON.stringify(published);
    arrived.open();
    await release.promise;
    sendJSON(res, snapshot, { 'cache-control': 'max-age=600' });
  };
  return { arrived: arrived.promise, release: release.open };
}

it('a miss during a fetch that started before it gets a fetch of its own (shared by every such miss)', async () => {
  await remote.refresh();
  expect(server.count()).toBe(1);

  // A refresh starts (here by hand; a timer or an expiry does the same) and reads the set ...
  const held = holdNextRequest();
  const refresh = remote.refresh();
  await held.arrived;
  // ... then the issuer publishes B and tokens signed with B arrive while that fetch is in flight.
  published = jwks(A, B);
  const lookups = Promise.all(Array.from({ length: 20 }, () => remote.getKey(header(B))));
  held.release();
  await refresh;

  const keys = await lookups;
  expect(keys.every((k) => k.kid === 'b')).toBe(true);
  // Initial, the refresh in flight, and ONE fetch answering all twenty misses.
  expect(server.count()).toBe(3);
  expect(log.of('refreshed').map((e) => e.reason)).toEqual(['initial', 'manual', 'unknown-kid']);
});

it('a miss-caused fetch still bounds misses to one fetch per cooldown', async () => {
  await remote.refresh();
  clock.advance(30_000);
  // A miss for an unknown kid starts a fetch; more misses arrive while it is in flight.
  const held = holdNextRequest();
  const first = remote.getKey(header(C)).catch((e: unknown) => e);
  await held.arrived;
  const later = Promise.all(
    Array.from({ length: 20 }, () => remote.getKey(header(C)).catch((e: unknown) => e)),
  );
  held.release();
  const outcomes = [await first, ...(await later)];
  expect(outcomes.every((e) => e instanceof KeySelectionError && e.code === 'ERR_JWKS_NO_MATCHING_KEY')).toBe(
    true,
  );
  // The later misses waited for the fetch in flight; the cooldown then refused another one.
  expect(server.count()).toBe(2);

  clock.advance(30_000);
  published = jwks(A, C);
  expect((await remote.getKey(header(C))).kid).toBe('c');
  expect(server.count()).toBe(3);
});

it('the fetch a lookup itself waited for answers its miss: no second request', async () => {
  // First use: the lookup starts the initial fetch, so that fetch began after the lookup did.
  const err = await remote.getKey(header(B)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(KeySelectionError);
  expect(server.count()).toBe(1);
});
