/**
 * The leader gate of KeyManager (`jwkit serve --workers`): on one SQLite file, only the leader's
 * schedule commits; a follower's tick reloads what the leader committed, and a follower that is
 * appointed leader takes over the schedule.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyManager } from '../../src/key-manager.js';
import { openSQLiteStore } from '../../src/stores/sqlite.js';
import { FakeClock, SECOND, tempDir, testMasterKey } from '../helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('KeyManager leader option', () => {
  it('commits scheduled changes only while leader() is true; a follower adopts them', async () => {
    const file = join(tmp.dir, 'keys.db');
    const masterKey = testMasterKey();
    const clock = new FakeClock();
    const open = (leader: () => boolean) =>
      KeyManager.open({
        store: openSQLiteStore(file),
        masterKey,
        clock,
        policies: ['ES256'],
        policyDefaults: { rotationPeriod: '10s', prePublish: '2s', maxTokenLifetime: '1s' },
        skew: '1s',
        pollInterval: '1s',
        leader,
      });
    let leads = true;
    const leader = await open(() => leads);
    let followerLeads = false;
    const follower = await open(() => followerLeads);
    const first = leader.snapshot().keys.map((k) => k.kid);
    expect(first).toHaveLength(1);
    expect(follower.snapshot().keys.map((k) => k.kid)).toEqual(first);

    // Due: the next key must be published. The follower does not make it...
    clock.advance(8 * SECOND);
    const version = follower.snapshot().version;
    await follower.tick();
    expect(follower.snapshot().version).toBe(version);
    expect(follower.snapshot().keys).toHaveLength(1);
    // ...the leader does, and the follower's tick adopts the leader's commit.
    await leader.tick();
    expect(leader.snapshot().keys).toHaveLength(2);
    await follower.tick();
    expect(follower.snapshot().version).toBe(leader.snapshot().version);
    expect(follower.publication().keys).toEqual(leader.publication().keys);

    // The leader goes away; the follower is appointed and rotates when the rotation is due.
    leads = false;
    followerLeads = true;
    clock.advance(2 * SECOND);
    await leader.tick();
    expect(leader.snapshot().version).toBe(follower.snapshot().version);
    await follower.tick();
    const current = follower.snapshot().keys.find((k) => k.state === 'current');
    expect(current?.kid).not.toBe(first[0]);
    const audit = await follower.audit({});
    const activated = audit.filter((e) => e.event === 'activated');
    // The first key (made by the leader at open), then the rotation by the appointed follower.
    expect(activated.map((e) => e.writer)).toEqual([leader.writer, follower.writer]);

    await leader.close();
    await follower.close();
    await leader.store.close();
    await follower.store.close();
  });
});
