/**
 * Three replicas on one PostgreSQL, each with its own pool, ticking concurrently on a shared fake
 * clock (with small skews) over many rotation periods: every rotation happens exactly once, no
 * key is made twice, and all replicas serve the same set.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { decodeJWT } from '../../jwkit/src/jwt/decode.js';
import { MasterKey } from '../src/crypto-at-rest.js';
import { KeyManager, type ManagerEvent } from '../src/key-manager.js';
import { checkInvariants } from '../src/schedule.js';
import { openStore } from '../src/stores/open.js';
import type { KeyStore } from '../src/stores/store.js';
import { DAY, dropSchema, FakeClock, HOUR, PG_URL, uniqueSchema } from './helpers.js';

const schemas: string[] = [];
/** Commits that lost the compare-and-set to another replica. */
let conflicts = 0;
const stores: KeyStore[] = [];
const managers: KeyManager[] = [];
afterAll(async () => {
  for (const m of managers) await m.close();
  for (const s of stores) await s.close();
  for (const s of schemas) await dropSchema(s);
});

type Seen = ManagerEvent & { replica: number; at: number };

async function replicas(count: number, clock: FakeClock, events: Seen[], extra = {}) {
  const schema = uniqueSchema('replicas');
  schemas.push(schema);
  const masterKey = MasterKey.generate().key;
  const opened = await Promise.all(
    Array.from({ length: count }, async (_, replica) => {
      const real = await openStore(PG_URL, { schema, maxConnections: 2 });
      stores.push(real);
      const store: KeyStore = {
        ...real,
        load: () => real.load(),
        version: () => real.version(),
        watch: (fn) => real.watch!(fn),
        close: () => real.close(),
        commit: async (v, m) => {
          const ok = await real.commit(v, m);
          if (!ok) conflicts++;
          return ok;
        },
      };
      return KeyManager.open({
        store,
        masterKey,
        clock: { now: () => clock.now() + replica * 40 }, // clocks a little apart
        policies: ['ES256', 'Ed25519'],
        policyDefaults: { rotationPeriod: '1d', prePublish: '6h', maxTokenLifetime: '1h' },
        onEvent: (e) => events.push({ ...e, replica, at: clock.now() }),
        ...extra,
      });
    }),
  );
  managers.push(...opened);
  return opened;
}

describe('three replicas on PostgreSQL', () => {
  it('bootstrap together, then rotate exactly once per period over 30 periods and converge', async () => {
    const clock = new FakeClock();
    const events: Seen[] = [];
    const group = await replicas(3, clock, events);
    const periods = 30;
    const end = clock.now() + periods * DAY;
    let steps = 0;
    while (clock.now() < end) {
      clock.advance(5 * HOUR); // 5 h does not divide the day: ticks land at every phase
      await Promise.all(group.map((m) => m.tick()));
      await Promise.all(group.map((m) => m.refresh()));
      const sets = group.map((m) => JSON.stringify(m.publication().keys));
      expect(new Set(sets).size, 'replicas serve different sets').toBe(1);
      const { keys } = await group[0]!.store.load();
      expect(checkInvariants(keys, group[0]!.settings)).toEqual([]);
      // a token from any replica verifies by kid against the set every replica serves
      for (const m of group) {
        const kid = decodeJWT(await m.sign({ sub: 's' })).header.kid;
        expect(group[1]!.publication().keys.map((k) => k.kid)).toContain(kid);
      }
      steps++;
    }
    expect(steps).toBeGreaterThan(100);
    const created = events.filter((e) => e.type === 'created').map((e) => (e as { kid: string }).kid);
    expect(new Set(created).size, 'a key was created twice').toBe(created.length);
    for (const alg of ['ES256', 'Ed25519']) {
      const rotations = events.filter((e) => e.type === 'rotated' && e.alg === alg);
      expect(new Set(rotations.map((e) => (e as { to: string }).to)).size).toBe(rotations.length);
      // Exactly one rotation per period. With a tick every 5 h, the next key is announced up to
      // 5 h late (its activation then moves so it still gets its 6 h of pre-publication) and the
      // rotation is seen up to 5 h after it falls due: a gap of one period plus at most 10 h.
      for (let i = 1; i < rotations.length; i++) {
        const gap = rotations[i]!.at - rotations[i - 1]!.at;
        expect(gap).toBeGreaterThanOrEqual(DAY);
        expect(gap).toBeLessThan(DAY + 10 * HOUR);
      }
      expect(rotations.length).toBeGreaterThan((periods * 24) / 34);
      expect(created.length).toBeLessThanOrEqual(2 * (rotations.length + 1));
    }
    // the replicas really raced (and lost cleanly), and the work was shared
    expect(conflicts).toBeGreaterThan(0);
    expect(new Set(events.filter((e) => e.type === 'rotated').map((e) => e.replica)).size).toBeGreaterThan(1);
  });

  it('spread a change to the other replicas by notification (and poll) within a bounded delay', async () => {
    const clock = new FakeClock();
    const events: Seen[] = [];
    const [a, b, c] = await replicas(3, clock, events, { pollInterval: '1s', skew: '1m' });
    b!.start();
    c!.start();
    await new Promise((r) => setTimeout(r, 200)); // LISTEN registered
    const seen = (m: KeyManager, kid: string) =>
      new Promise<void>((done) => {
        const check = () =>
          m.publication().keys.some((k) => k.kid === kid) ? done() : setTimeout(check, 20);
        check();
      });
    const [rotated] = await a!.rotate('ES256'); // a new key, signing at once, that b and c have never seen
    // Notification first, the 1 s poll as the bound: the test's timeout is the only clock here.
    await Promise.all([seen(b!, rotated!.kid), seen(c!, rotated!.kid)]);
    expect(b!.list()).toEqual(a!.list());
  });
});
