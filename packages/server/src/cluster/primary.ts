/**
 * The primary of `jwkit serve --workers N` (node:cluster): it holds the listening sockets and
 * hands connections to N worker processes (round-robin on Linux), and does nothing else with the
 * keys: it never opens the store. It starts worker 1 first, as rotation leader and as the only
 * one allowed to create the store, the master key file and the stored policy; once worker 1 has
 * its first keys it starts the others (cluster/worker.ts says what they do differently).
 *
 * Why node:cluster and not `reusePort` with N independent processes: the primary keeps the
 * listening socket, so a worker that dies loses only its own connections (with SO_REUSEPORT the
 * connections queued on a dead process's socket are reset), `--port 0` gives every worker the
 * same port, and the IPC channel that names the leader comes with it.
 *
 * A worker that exits is replaced in its slot after a backoff (backoff.ts); when it was the
 * leader, the primary first appoints the lowest ready slot. A worker that exits before it is
 * ready during the start stops the whole start (serve() rejects with ERR_WORKER_START): its own
 * error is in the log above, and retrying a configuration that cannot work would be a crash loop.
 *
 * SIGTERM/SIGINT (with `signals`): every worker drains (`stop` over IPC, the same close as a
 * single process), then the primary exits 0 (1 if a worker had to be killed at the deadline).
 * SIGHUP: every worker reloads.
 */

import cluster, { type Worker } from 'node:cluster';
import { ServerConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RunningServer, ServeOptions } from '../serve.js';
import { RestartBackoff } from './backoff.js';
import {
  ENV_FIRST,
  ENV_LEADER,
  ENV_SLOT,
  isReady,
  type PrimaryMessage,
  type ReadyMessage,
} from './protocol.js';
import { tagLogger } from './worker.js';

interface Slot {
  readonly n: number;
  readonly backoff: RestartBackoff;
  worker?: Worker;
  readyAt?: number;
  restart?: NodeJS.Timeout;
}

export interface PrimaryOptions {
  workers: number;
  signals: boolean;
  /** The drain deadline (shutdownTimeout) as it is now. */
  shutdownMs: () => number;
}

/** Checks `workers` and the store for a cluster: N processes must share one store. */
export function checkClusterOptions(options: ServeOptions): number {
  const n = options.workers ?? 1;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ServerConfigError('ERR_CONFIG', `workers must be a whole number of at least 1, not ${n}`);
  }
  if (n > 1 && /^sqlite:(\/\/)?:memory:$/.test(options.store ?? '')) {
    throw new ServerConfigError(
      'ERR_CONFIG',
      '--workers needs a store the workers share: sqlite::memory: would give each worker its own keys; use a SQLite file or PostgreSQL',
    );
  }
  if (n > 1 && cluster.isWorker && process.env[ENV_SLOT] === undefined) {
    throw new ServerConfigError(
      'ERR_CONFIG',
      'workers > 1 in a process that is itself a cluster worker of another primary: only a primary can fork; ' +
        'run serve() with workers: 1 in your own workers, or let jwkit serve --workers fork them',
    );
  }
  return n;
}

export async function runPrimary(
  options: ServeOptions,
  logger: Logger,
  primary: PrimaryOptions,
): Promise<RunningServer> {
  tagLogger(logger, { worker: 'primary' });
  const slots: Slot[] = Array.from({ length: primary.workers }, (_, i) => ({
    n: i + 1,
    backoff: new RestartBackoff(),
  }));
  let leader: Slot | undefined;
  let starting = true;
  let stopping: Promise<number> | undefined;
  let first: ReadyMessage | undefined;
  const waiting = new Map<Slot, { done: () => void; fail: (e: Error) => void }>();

  const send = (slot: Slot, m: PrimaryMessage) => {
    if (slot.worker?.isConnected()) slot.worker.send(m, undefined, () => {});
  };
  const reload = async () => {
    for (const slot of slots) send(slot, { jwkit: 'reload' });
  };

  const fork = (slot: Slot, asFirst: boolean): Promise<void> => {
    const asLeader = leader === undefined;
    if (asLeader) leader = slot;
    slot.readyAt = undefined;
    const worker = cluster.fork({
      [ENV_SLOT]: String(slot.n),
      [ENV_LEADER]: asLeader ? '1' : '0',
      [ENV_FIRST]: asFirst ? '1' : '0',
    });
    slot.worker = worker;
    logger.info('worker forked', { slot: slot.n, pid: worker.process.pid, leader: asLeader });
    worker.on('error', () => {}); // an IPC send to a worker that just died; its exit is handled below
    worker.on('message', (m: unknown) => {
      if (!isReady(m) || slot.worker !== worker) return;
      slot.readyAt = Date.now();
      first ??= m;
      logger.info('worker ready', { slot: slot.n, pid: worker.process.pid });
      waiting.get(slot)?.done();
      waiting.delete(slot);
    });
    worker.once('exit', (code, signal) => exited(slot, worker, code, signal));
    return new Promise<void>((done, fail) => waiting.set(slot, { done, fail }));
  };

  const appoint = () => {
    const next = slots.find((s) => s.worker !== undefined && s.readyAt !== undefined);
    if (!next) return; // the next worker forked leads (see fork)
    leader = next;
    send(next, { jwkit: 'leader' });
    logger.info('appointed rotation leader', { slot: next.n, pid: next.worker!.process.pid });
  };

  const exited = (slot: Slot, worker: Worker, code: number | null, signal: string | null) => {
    if (slot.worker !== worker) return;
    const upMs = slot.readyAt === undefined ? 0 : Date.now() - slot.readyAt;
    const wasReady = slot.readyAt !== undefined;
    slot.worker = undefined;
    slot.readyAt = undefined;
    const pending = waiting.get(slot);
    waiting.delete(slot);
    const fields = {
      slot: slot.n,
      pid: worker.process.pid,
      code: code ?? undefined,
      signal: signal ?? undefined,
    };
    if (stopping) {
      logger.info('worker stopped', fields);
      return;
    }
    if (leader === slot) leader = undefined;
    if (starting && pending) {
      pending.fail(
        new ServerConfigError(
          'ERR_WORKER_START',
          `worker ${slot.n} exited (${signal ?? `code ${code}`}) before it was ready; its error is logged above. ` +
            'Nothing is retried during a start: fix what it says and start again',
        ),
      );
      return;
    }
    const delay = slot.backoff.exited(upMs);
    logger.warn('worker exited; starting a replacement', {
      ...fields,
      ready: wasReady,
      restartInMs: delay,
      exitsInARow: slot.backoff.failures,
    });
    if (leader === undefined) appoint();
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      if (stopping) return;
      fork(slot, false).catch(() => {}); // its exit, if any, is handled above
    }, delay);
  };

  const stop = (deadlineMs: number): Promise<number> => {
    stopping ??= (async () => {
      const live: Promise<number | null>[] = [];
      for (const slot of slots) {
        if (slot.restart) clearTimeout(slot.restart);
        const w = slot.worker;
        if (!w) continue;
        live.push(new Promise((done) => w.once('exit', (code) => done(code))));
        send(slot, { jwkit: 'stop', deadlineMs });
      }
      // A worker that does not finish by the deadline (plus its store close) is killed.
      let killed = 0;
      const timer = setTimeout(() => {
        for (const slot of slots) {
          if (slot.worker && !slot.worker.isDead()) {
            killed++;
            slot.worker.process.kill('SIGKILL');
          }
        }
      }, deadlineMs + 2000);
      const codes = await Promise.all(live);
      clearTimeout(timer);
      return killed === 0 && codes.every((c) => c === 0) ? 0 : 1;
    })();
    return stopping;
  };

  // Installed before the first fork: a SIGTERM during the start drains what has started.
  if (primary.signals) {
    let signalled = false;
    const onStop = (signal: string) => {
      if (signalled) {
        logger.warn(`second ${signal}: exiting now`);
        for (const s of slots) s.worker?.process.kill('SIGKILL');
        process.exit(1);
      }
      signalled = true;
      const deadline = primary.shutdownMs();
      logger.info('shutting down: draining every worker', { signal, deadlineSeconds: deadline / 1000 });
      stop(deadline).then((code) => {
        logger.info('stopped');
        process.exit(code);
      });
    };
    process.on('SIGINT', () => onStop('SIGINT'));
    process.on('SIGTERM', () => onStop('SIGTERM'));
    process.on('SIGHUP', () => {
      logger.info('SIGHUP: reloading every worker');
      void reload();
    });
  }

  try {
    await fork(slots[0]!, true);
    await Promise.all(slots.slice(1).map((s) => fork(s, false)));
  } catch (e) {
    await stop(0);
    throw e;
  }
  starting = false;
  const at = first!;

  const noStore = (): never => {
    throw new ServerConfigError(
      'ERR_CLUSTER_PRIMARY',
      'with workers > 1 the keys live in the worker processes; the primary opens no store. ' +
        'Use the admin API or `jwkit keys` to read or change them',
    );
  };
  const running: RunningServer = {
    url: at.url,
    host: at.host,
    port: at.port,
    adminUrl: at.adminUrl,
    adminPort: at.adminPort,
    get manager() {
      return noStore();
    },
    get store() {
      return noStore();
    },
    logger,
    ready: Promise.resolve(),
    reload,
    close: async (deadlineMs = primary.shutdownMs()) => {
      await stop(deadlineMs);
    },
  };

  options.onListening?.(running);
  logger.info(`listening on ${at.url}`, { listener: 'public', url: at.url, workers: slots.length });
  if (at.adminUrl !== at.url) {
    logger.info(`admin listening on ${at.adminUrl}`, { listener: 'admin', url: at.adminUrl });
  }
  logger.info('serving with several worker processes', {
    workers: slots.length,
    leader: leader?.n,
    jwks: `${at.url}/.well-known/jwks.json`,
  });
  return running;
}
