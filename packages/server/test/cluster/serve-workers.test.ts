/**
 * `jwkit serve --workers 3` as a real process tree (the built CLI, a SQLite file in a temp dir,
 * a 3 s rotation period): worker 1 alone does the first-start work, exactly one rotation per
 * period and all by the rotation leader, the same JWKS bytes and ETag from every worker, a worker
 * killed with SIGKILL is replaced while the port keeps answering, the leader's death makes
 * another worker rotate, a replacement that keeps failing backs off, SIGTERM and SIGINT drain
 * every worker and exit 0, and starts that cannot work stop at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, renameSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { strongETag } from 'jwkit/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../test/helpers/packages.js';
import { openSQLiteStore } from '../../src/stores/sqlite.js';
import type { AuditEntry, StoredKey } from '../../src/stores/store.js';
import { tempDir } from '../helpers.js';

const CLI = join(REPO_ROOT, 'packages', 'cli', 'dist', 'cli.js');
const PERIOD = 3000;
const tmp = tempDir('jwkit-workers-');
const storeFile = join(tmp.dir, 'keys.db');

type Line = { msg: string; worker?: number | string; slot?: number; pid?: number; [k: string]: unknown };
let child: ChildProcess;
let exited: Promise<number | null>;
const lines: Line[] = [];
let raw = '';
let url = '';

function waitFor<T>(what: string, find: () => T | undefined, ms = 15_000): Promise<T> {
  return new Promise((done, fail) => {
    const start = Date.now();
    const timer = setInterval(() => {
      const found = find();
      if (found !== undefined) {
        clearInterval(timer);
        done(found);
      } else if (Date.now() - start > ms) {
        clearInterval(timer);
        fail(new Error(`timed out waiting for ${what}; output:\n${raw.slice(-4000)}`));
      }
    }, 25);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One GET on a new connection: status, worker slot, ETag, body. */
function get(
  path = '/.well-known/jwks.json',
): Promise<{ status: number; worker: string; etag: string; body: string }> {
  return new Promise((done, fail) => {
    const req = request(`${url}${path}`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () =>
        done({
          status: res.statusCode ?? 0,
          worker: String(res.headers['x-jwkit-worker'] ?? ''),
          etag: String(res.headers.etag ?? ''),
          body,
        }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

async function storeState(): Promise<{ keys: readonly StoredKey[]; audit: AuditEntry[] }> {
  const store = openSQLiteStore(storeFile, { readOnly: true });
  try {
    const snapshot = await store.load();
    const audit = (await store.audit?.({ limit: 1000 })) ?? [];
    return { keys: snapshot.keys, audit };
  } finally {
    await store.close();
  }
}

/** The latest pid forked into `slot`. */
function pidOf(slot: number): number {
  const forked = lines.filter((l) => l.msg === 'worker forked' && l.slot === slot);
  return forked[forked.length - 1]!.pid!;
}

/**
 * Exactly one rotation per period: every key after the first activates a period (and less than
 * two) after the one before it, each activation is in the audit trail once, committed within its
 * own period, and no due key is left unactivated.
 */
function checkOneRotationPerPeriod(keys: readonly StoredKey[], audit: AuditEntry[]): AuditEntry[] {
  const activated = audit.filter((e) => e.event === 'activated');
  const kids = activated.map((e) => e.kid);
  expect(new Set(kids).size).toBe(kids.length);
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  const times = activated.map((e) => byKid.get(e.kid!)!.activatesAt);
  // A period is never shorter than the rotation period, and never holds a second rotation (a
  // late timer moves the next activation by its lateness: schedule.ts plans from "now").
  for (let i = 1; i < times.length; i++) {
    expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(PERIOD);
    expect(times[i]! - times[i - 1]!).toBeLessThan(2 * PERIOD);
  }
  for (const e of activated.slice(1)) {
    const due = byKid.get(e.kid!)!.activatesAt;
    expect(e.at).toBeGreaterThanOrEqual(due);
    expect(e.at).toBeLessThan(due + PERIOD);
  }
  // Every key that is due has been activated: none skipped.
  const due = keys.filter((k) => k.activatesAt <= activated[activated.length - 1]!.at);
  expect(activated.length).toBe(due.length);
  return activated;
}

beforeAll(async () => {
  expect(existsSync(CLI), `build first (npm run build): ${CLI}`).toBe(true);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('JWKIT_')) env[k] = v;
  child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--workers',
      '3',
      '--port',
      '0',
      '--store',
      `sqlite:${storeFile}`,
      '--algs',
      'ES256',
      '--rotation-period',
      '3s',
      '--pre-publish',
      '1s',
      '--max-token-lifetime',
      '1s',
      '--skew',
      '1s',
      '--poll-interval',
      '200ms',
      '--log-format',
      'json',
      '--no-web',
    ],
    { cwd: tmp.dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  exited = new Promise((done) => child.once('exit', (code) => done(code)));
  let pending = '';
  const onData = (c: Buffer) => {
    raw += c.toString();
    pending += c.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Line);
      } catch {
        lines.push({ msg: p });
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  url = await waitFor('the primary listening', () => {
    const l = lines.find((x) => x.worker === 'primary' && x.msg.startsWith('listening on'));
    return l ? String(l.url) : undefined;
  });
});

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  tmp.cleanup();
});

describe('jwkit serve --workers 3', () => {
  it('starts worker 1 alone first: one store, one master key file, one stored policy', async () => {
    const created = lines.filter((l) => l.msg.startsWith('created a new master key'));
    expect(created.map((l) => l.worker)).toEqual([1]);
    const ready1 = lines.findIndex((l) => l.msg === 'worker ready' && l.slot === 1);
    const forkedLater = lines.findIndex((l) => l.msg === 'worker forked' && l.slot !== 1);
    expect(ready1).toBeGreaterThanOrEqual(0);
    expect(forkedLater).toBeGreaterThan(ready1);
    const { audit } = await storeState();
    expect(audit.filter((e) => e.event === 'policy-changed')).toHaveLength(1);
    // Only the leader made keys.
    const makers = new Set(lines.filter((l) => l.msg === 'created key').map((l) => l.worker));
    expect([...makers]).toEqual([1]);
  });

  let leaderWriter = '';
  it('rotates exactly once per period, every rotation by the leader', async () => {
    await waitFor(
      'four activations',
      () => (lines.filter((l) => l.msg === 'rotated' && l.worker === 1).length >= 3 ? true : undefined),
      4 * PERIOD + 5000,
    );
    const { keys, audit } = await storeState();
    const activated = checkOneRotationPerPeriod(keys, audit);
    expect(activated.length).toBeGreaterThanOrEqual(4);
    const writers = new Set(audit.filter((e) => e.actor === 'schedule').map((e) => e.writer));
    expect(writers.size).toBe(1);
    leaderWriter = [...writers][0]!;
    // Each follower picked up each rotation from the store (its poll) before the next one.
    for (const e of activated.slice(1, -1)) {
      for (const w of [2, 3]) {
        expect(
          lines.some((l) => l.worker === w && l.msg === 'store event: activated' && l.kid === e.kid),
        ).toBe(true);
      }
    }
    expect(leaderWriter).toContain(`:${pidOf(1)}:`);
  });

  it('serves the same JWKS bytes and ETag from every worker, derived from the body', async () => {
    let seenByAll = false;
    for (let round = 0; round < 6 && !seenByAll; round++) {
      const answers = await Promise.all(Array.from({ length: 30 }, () => get()));
      const byEtag = new Map<string, { bodies: Set<string>; workers: Set<string> }>();
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(['1', '2', '3']).toContain(a.worker);
        expect(a.etag).toBe(strongETag(a.body));
        const g = byEtag.get(a.etag) ?? { bodies: new Set(), workers: new Set() };
        g.bodies.add(createHash('sha256').update(a.body).digest('hex'));
        g.workers.add(a.worker);
        byEtag.set(a.etag, g);
      }
      for (const g of byEtag.values()) expect(g.bodies.size).toBe(1);
      // Between two key changes (one poll after each) every worker answers alike.
      seenByAll = [...byEtag.values()].some((g) => g.workers.size === 3);
      if (!seenByAll) await sleep(300);
    }
    expect(seenByAll).toBe(true);
  });

  it('replaces a worker killed with SIGKILL; the port keeps answering meanwhile', async () => {
    const pid = pidOf(2);
    process.kill(pid, 'SIGKILL');
    const exit = await waitFor('the exit of worker 2', () =>
      lines.find((l) => l.msg === 'worker exited; starting a replacement' && l.pid === pid),
    );
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.slot).toBe(2);
    const during = await Promise.all(Array.from({ length: 10 }, () => get('/healthz')));
    expect(during.map((a) => a.status)).toEqual(Array(10).fill(200));
    await waitFor('a new worker 2', () =>
      lines.find((l) => l.msg === 'worker ready' && l.slot === 2 && l.pid !== pid),
    );
    expect(pidOf(2)).not.toBe(pid);
    const after = await Promise.all(Array.from({ length: 30 }, () => get()));
    expect(new Set(after.map((a) => a.worker))).toEqual(new Set(['1', '2', '3']));
  });

  it('appoints another leader when the leader dies, and that one rotates the next period', async () => {
    const pid = pidOf(1);
    process.kill(pid, 'SIGKILL');
    const appointed = await waitFor('a new leader', () =>
      lines.find((l) => l.msg === 'appointed rotation leader' && l.worker === 'primary'),
    );
    expect(appointed.slot).not.toBe(1);
    const newLeader = appointed.slot!;
    await waitFor(
      'a rotation by the new leader',
      () => lines.find((l) => l.msg === 'rotated' && l.worker === newLeader),
      2 * PERIOD + 5000,
    );
    // The replacement in slot 1 is a follower now.
    const refork = await waitFor('the replacement of worker 1', () =>
      lines.find((l) => l.msg === 'worker forked' && l.slot === 1 && l.pid !== pid),
    );
    expect(refork.leader).toBe(false);
    const { keys, audit } = await storeState();
    checkOneRotationPerPeriod(keys, audit);
    const writers = [...new Set(audit.filter((e) => e.event === 'activated').map((e) => e.writer))];
    expect(writers).toHaveLength(2);
    expect(writers[0]).toBe(leaderWriter);
    expect(writers[1]).toContain(`:${pidOf(newLeader)}:`);
  });

  it('replaces a worker that keeps failing after a doubling delay, not in a loop', async () => {
    // With the store moved away, a replacement cannot start (ERR_STORE_MISSING: only the first
    // worker of a start may create a store); the running workers keep serving from memory.
    renameSync(storeFile, `${storeFile}.away`);
    const pid = pidOf(3);
    process.kill(pid, 'SIGKILL');
    const exits = await waitFor('three failed replacements of worker 3', () => {
      const e = lines.filter((l) => l.msg === 'worker exited; starting a replacement' && l.slot === 3);
      return e.length >= 3 ? e : undefined;
    });
    renameSync(`${storeFile}.away`, storeFile);
    expect(exits.slice(0, 3).map((e) => [e.exitsInARow, e.restartInMs])).toEqual([
      [1, 250],
      [2, 500],
      [3, 1000],
    ]);
    expect(exits[1]!.ready).toBe(false);
    expect(raw).toContain('ERR_STORE_MISSING');
    await waitFor(
      'worker 3 back',
      () => lines.find((l) => l.msg === 'worker ready' && l.slot === 3 && l.pid !== pid),
      10_000,
    );
    const after = await Promise.all(Array.from({ length: 30 }, () => get()));
    expect(new Set(after.map((a) => a.status))).toEqual(new Set([200]));
  });

  it('drains every worker on SIGTERM and exits 0', async () => {
    const pids = [1, 2, 3].map(pidOf);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.filter((l) => l.msg === 'worker stopped')).toHaveLength(3);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

/** Runs the CLI to its exit; `onOutput` sees the output so far and may signal the process. */
function runToExit(
  args: string[],
  extraEnv: Record<string, string>,
  onOutput?: (out: string, p: ChildProcess) => void,
): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('JWKIT_')) env[k] = v;
  const p = spawn(process.execPath, [CLI, ...args], {
    cwd: tmp.dir,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  p.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
    onOutput?.(out, p);
  });
  return new Promise((done) => p.once('exit', (code) => done({ code, out })));
}

describe('jwkit serve --workers: other starts and stops', () => {
  it('drains every worker on SIGINT too and exits 0', async () => {
    let sent = false;
    const { code, out } = await runToExit(
      ['serve', '--workers', '2', '--port', '0', '--store', `sqlite:${join(tmp.dir, 'int', 'keys.db')}`],
      {},
      (text, p) => {
        if (!sent && /listening on \S+ worker=primary/.test(text)) {
          sent = true;
          p.kill('SIGINT');
        }
      },
    );
    expect(sent).toBe(true);
    expect(code).toBe(0);
    expect(out.match(/worker stopped/g)).toHaveLength(2);
  });

  it('stops the whole start when worker 1 cannot start (no crash loop), exit 1 with ERR_WORKER_START', async () => {
    const master = Buffer.alloc(32, 9).toString('base64');
    const { code, out } = await runToExit(
      ['serve', '--workers', '3', '--port', '0', '--store', `sqlite:${join(tmp.dir, 'gone', 'keys.db')}`],
      { JWKIT_MASTER_KEY: master },
    );
    expect(code).toBe(1);
    expect(out).toContain('ERR_STORE_MISSING'); // worker 1's own error
    expect(out).toContain('ERR_WORKER_START');
    expect(out.match(/worker forked/g)).toHaveLength(1); // nothing retried, no follower started
    expect(existsSync(join(tmp.dir, 'gone'))).toBe(false);
  });

  it('refuses an in-memory store, which the workers cannot share', async () => {
    const { code, out } = await runToExit(['serve', '--workers', '2', '--store', 'sqlite::memory:'], {});
    expect(code).not.toBe(0);
    expect(out).toContain('ERR_CONFIG');
    expect(out).not.toContain('worker forked');
  });
});
