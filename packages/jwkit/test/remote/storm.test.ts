/**
 * A storm of tokens with random unknown kids (an attacker probing, or a misconfigured client)
 * must cost the issuer at most one fetch per cooldown, and must not delay tokens whose kid is
 * known. Real server on 127.0.0.1; the fake clock only drives the cooldown.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { webBackend } from '../../src/crypto/web.js';
import { KeySelectionError } from '../../src/errors/index.js';
import { RemoteJWKSet } from '../../src/remote/remote-jwks.js';
import { FakeClock } from './helpers/fake-clock.js';
import { etagHandler, gate, JWKSServer } from './helpers/jwks-server.js';
import { ecKey, jwks } from './helpers/keys.js';

const STORM = 10_000;
const A = ecKey('a');
const options = { backend: webBackend };

let server: JWKSServer;
let remote: RemoteJWKSet;
let clock: FakeClock;

beforeEach(async () => {
  clock = new FakeClock();
  server = await JWKSServer.start(etagHandler(() => jwks(A), { 'cache-control': 'max-age=3600' }));
  remote = new RemoteJWKSet(server.url(), { clock, cooldown: 30_000 });
});
afterEach(async () => {
  remote.close();
  await server.close();
});

function storm(): Promise<PromiseSettledResult<unknown>[]> {
  return Promise.allSettled(
    Array.from({ length: STORM }, () => remote.selectKey({ alg: 'ES256', kid: randomUUID() }, options)),
  );
}

function expectAllMisses(results: PromiseSettledResult<unknown>[]): void {
  expect(results).toHaveLength(STORM);
  const outcomes = new Set(
    results.map((r) =>
      r.status === 'rejected' && r.reason instanceof KeySelectionError
        ? r.reason.code
        : `unexpected ${r.status}`,
    ),
  );
  expect([...outcomes]).toEqual(['ERR_JWKS_NO_MATCHING_KEY']);
}

it(`${STORM} concurrent random unknown kids cause one fetch per cooldown; known kids resolve meanwhile`, async () => {
  await remote.refresh();
  expect(server.count()).toBe(1);
  clock.advance(30_000);

  // Hold the refresh the storm triggers, to show that known kids do not wait for it.
  const hold = gate();
  const arrived = gate();
  const serve = server.handler;
  server.handler = async (req, res) => {
    arrived.open();
    await hold.promise;
    await serve(req, res);
  };
  let settled = 0;
  const first = storm().then((results) => {
    settled = results.length;
    return results;
  });
  await arrived.promise;
  const known = await Promise.all(
    Array.from({ length: 1_000 }, () => remote.selectKey({ alg: 'ES256', kid: 'a' }, options)),
  );
  expect(known.every((k) => k.jwk.kid === 'a')).toBe(true);
  expect(settled).toBe(0);
  expect(server.count()).toBe(2);
  hold.open();
  expectAllMisses(await first);
  expect(server.count()).toBe(2);

  // Within the cooldown a second storm costs nothing.
  expectAllMisses(await storm());
  expect(server.count()).toBe(2);

  // The next cooldown allows exactly one more fetch.
  clock.advance(30_000);
  expectAllMisses(await storm());
  expect(server.count()).toBe(3);
});
