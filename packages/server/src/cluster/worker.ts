/**
 * One worker of `jwkit serve --workers N`: it runs the whole of serve() (opens the store itself,
 * starts the listeners on the ports the primary shares, loads the keys), with three differences:
 *
 * - Only the rotation leader runs the key schedule (KeyManager `leader`); the others reload
 *   what the store holds every `pollInterval`, the path PostgreSQL replicas already use. The
 *   primary names the leader at fork (ENV_LEADER) and appoints another over IPC when it dies.
 *   Explicit changes through the admin API commit from whichever worker took the request: every
 *   commit is a compare-and-set on the store version it planned on (key-manager.ts #mutate), so
 *   two writers can never both apply a change, whoever they are.
 * - Only the first worker of a start (ENV_FIRST) may create anything: the store (`--init` or a
 *   first start), the master key file, the stored policy (`--update-policy`). The primary starts
 *   the others once it is ready, and they open with `init` and `updatePolicy` off, so a missing
 *   store or a policy another writer changed stops them instead of being "fixed" N times.
 * - Every log line carries `worker=<slot>`, and every answer of the app an `x-jwkit-worker: <slot>`
 *   header (the slot number only: which of the N processes answered, for diagnostics). It is part
 *   of the JWKS's prepared header sets (AppOptions.headers), so it adds nothing per request.
 */

import cluster from 'node:cluster';
import type { Logger } from '../log.js';
import type { RunningServer, ServeOptions } from '../serve.js';
import { ENV_FIRST, ENV_LEADER, ENV_SLOT, isPrimaryMessage, type ReadyMessage } from './protocol.js';

export interface ClusterWorker {
  /** The options this worker serves with (without `init` and `updatePolicy` unless it is the first). */
  readonly options: ServeOptions;
  /** Spread into KeyManager.open: the leader gate. */
  readonly managerOptions: { leader: () => boolean };
  /** Spread into the app options: the headers that mark this worker's answers with its slot. */
  readonly appOptions: { headers: Readonly<Record<string, string>> };
  /** Tells the primary the first keys exist and the listeners answer. */
  ready(running: RunningServer): void;
}

/** Adds `fields` to every line `logger` writes (in place: serve() holds it in a const). */
export function tagLogger(logger: Logger, fields: Readonly<Record<string, unknown>>): void {
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    const write = logger[level].bind(logger);
    logger[level] = (msg, more) => write(msg, more === undefined ? fields : { ...fields, ...more });
  }
}

let guarded = false;

/**
 * In a worker, runs `serve(options)` once inside a guard and returns its promise; elsewhere (and
 * inside the guard) undefined. The IPC channel keeps a cluster worker alive by itself: without
 * the guard a serve() that fails (a missing store, a bad certificate) would print its error and
 * leave the process hanging, so the primary would never see the exit. On failure the guard lets
 * go of the channel (it is needed until then: a worker's `listen` goes through the primary).
 */
export function serveAsWorker(
  options: ServeOptions,
  serve: (options: ServeOptions) => Promise<RunningServer>,
): Promise<RunningServer> | undefined {
  if (guarded || !cluster.isWorker || process.env[ENV_SLOT] === undefined) return undefined;
  guarded = true;
  return serve(options).catch((e: unknown) => {
    process.channel?.unref();
    throw e;
  });
}

export function joinCluster(options: ServeOptions, logger: Logger): ClusterWorker {
  const slot = Number(process.env[ENV_SLOT]);
  const first = process.env[ENV_FIRST] === '1';
  let leader = process.env[ENV_LEADER] === '1';
  let running: RunningServer | undefined;
  tagLogger(logger, { worker: slot });
  logger.info(leader ? 'worker started (rotation leader)' : 'worker started', { pid: process.pid });

  process.on('message', (m: unknown) => {
    if (!isPrimaryMessage(m)) return;
    switch (m.jwkit) {
      case 'leader':
        if (leader) return;
        leader = true;
        logger.info('appointed rotation leader');
        // Catch up at once on what fell due while no worker led (the loop would within a poll).
        running?.manager.tick().catch(() => {});
        return;
      case 'reload':
        running?.reload().catch((e) => logger.error('reload failed', { error: e }));
        return;
      case 'stop':
        if (!running) process.exit(0);
        running.close(m.deadlineMs).then(
          () => process.exit(0),
          (e) => {
            logger.error('shutdown failed', { error: e });
            process.exit(1);
          },
        );
        return;
    }
  });

  return {
    options: first ? options : { ...options, init: false, updatePolicy: false },
    managerOptions: { leader: () => leader },
    appOptions: { headers: { 'x-jwkit-worker': String(slot) } },
    ready(r) {
      running = r;
      const message: ReadyMessage = {
        jwkit: 'ready',
        url: r.url,
        host: r.host,
        port: r.port,
        adminUrl: r.adminUrl,
        adminPort: r.adminPort,
      };
      process.send?.(message);
    },
  };
}
