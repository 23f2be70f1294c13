/** exportState/importState: a serverless cold start without a fetch, and untrusted input. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteJWKSet } from '../../src/remote/remote-jwks.js';
import type { RemoteJWKSState } from '../../src/remote/state.js';
import { EventLog } from './helpers/events.js';
import { FakeClock } from './helpers/fake-clock.js';
import { etagHandler, JWKSServer } from './helpers/jwks-server.js';
import { ecKey, jwks } from './helpers/keys.js';

const A = ecKey('a');
const B = ecKey('b');

let server: JWKSServer;
let clock: FakeClock;
const opened: RemoteJWKSet[] = [];

beforeEach(async () => {
  clock = new FakeClock();
  server = await JWKSServer.start(etagHandler(() => jwks(A, B), { 'cache-control': 'max-age=600' }));
});
afterEach(async () => {
  for (const r of opened.splice(0)) r.close();
  await server.close();
});

function open(log?: EventLog): RemoteJWKSet {
  const r = new RemoteJWKSet(server.url(), { clock, ...(log ? { onEvent: log.onEvent } : {}) });
  opened.push(r);
  return r;
}

async function exported(): Promise<RemoteJWKSState> {
  const r = open();
  await r.refresh();
  // Through JSON, as it would travel to a cache or a file.
  return JSON.parse(JSON.stringify(r.exportState()));
}

describe('exportState / importState', () => {
  it('starts a new instance from an exported state without fetching', async () => {
    const state = await exported();
    expect(state).toMatchObject({
      version: 1,
      url: server.url(),
      fetchedAt: clock.now(),
      expiresAt: clock.now() + 600_000,
    });
    expect(state.jwks.keys.map((k) => k.kid)).toEqual(['a', 'b']);
    expect(open().exportState()).toBeUndefined();

    const log = new EventLog();
    const cold = open(log);
    expect(cold.importState(state)).toBe(true);
    expect(log.of('state-imported')).toEqual([expect.objectContaining({ keys: 2, url: server.url() })]);
    expect((await cold.getKey({ alg: 'ES256', kid: 'b' })).kid).toBe('b');
    expect(cold.fresh).toBe(true);
    expect(server.count()).toBe(1);
    // The background refresh is scheduled, and revalidates with the imported ETag.
    expect(clock.pending).toHaveLength(2);
  });

  it('revalidates an imported stale state with its ETag and revives it on 304', async () => {
    const state = await exported();
    clock.advance(600_000 + 1);
    const log = new EventLog();
    const cold = open(log);
    expect(cold.importState(state)).toBe(true);
    expect(cold.stale).toBe(true);
    const refreshed = log.next('refreshed');
    expect((await cold.getKey({ alg: 'ES256', kid: 'a' })).kid).toBe('a');
    expect(await refreshed).toMatchObject({ status: 304, reason: 'expired' });
    expect(server.requests.at(-1)?.headers['if-none-match']).toBe(state.etag);
    expect(cold.fresh).toBe(true);
  });

  it('keeps a newer set and ignores a state past its stale bound', async () => {
    const state = await exported();
    const current = open();
    clock.advance(1_000);
    await current.refresh();
    expect(current.importState(state)).toBe(false);
    expect(current.lastFetch).toBe(clock.now());
    clock.advance(600_000 + 3_600_000);
    expect(open().importState(state)).toBe(false);
  });

  it('validates the state as untrusted input', async () => {
    const state = await exported();
    const bad: unknown[] = [
      null,
      'state',
      { ...state, version: 2 },
      { ...state, url: 'https://other.example/jwks.json' },
      { ...state, jwks: { keys: 'none' } },
      { ...state, fetchedAt: clock.now() + 3_600_000, expiresAt: clock.now() + 4_000_000 },
      { ...state, expiresAt: state.fetchedAt + 7 * 86_400_000 },
      { ...state, expiresAt: state.fetchedAt - 1 },
      { ...state, etag: 42 },
      { ...state, jwks: { keys: [{ kty: 'oct', kid: 's', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' }] } },
      { ...state, jwks: { keys: [{ ...A.private }] } },
    ];
    for (const input of bad) {
      const r = open();
      expect(() => r.importState(input)).toThrow(expect.objectContaining({ code: 'ERR_REMOTE_JWKS_STATE' }));
      expect(r.exportState()).toBeUndefined();
    }
  });

  it('drops private keys smuggled into a state, with a report', async () => {
    const state = await exported();
    const log = new EventLog();
    const r = open(log);
    expect(r.importState({ ...state, jwks: { keys: [A.public, { ...B.private }] } })).toBe(true);
    expect(r.keyCount).toBe(1);
    expect(log.of('key-dropped')).toEqual([
      expect.objectContaining({ kid: 'b', code: 'REMOTE_KEY_PRIVATE' }),
    ]);
  });
});
