/**
 * What the primary and the workers of `jwkit serve --workers N` tell each other: three
 * environment variables at fork (which slot, whether it starts as the rotation leader, whether it
 * does the first-start work) and a few messages over the cluster IPC channel. Nothing here
 * carries a secret: the workers read the same options, environment and files as the primary.
 */

import cluster from 'node:cluster';

/** The worker's slot, 1..N; a replacement takes the slot of the worker it replaces. */
export const ENV_SLOT = 'JWKIT_WORKER_SLOT';
/** `1` when the worker starts as the rotation leader. */
export const ENV_LEADER = 'JWKIT_WORKER_LEADER';
/** `1` for the first worker of a start: only it may create the store, the master key file and the policy. */
export const ENV_FIRST = 'JWKIT_WORKER_FIRST';

/** Worker -> primary: the first keys exist and the listeners answer. */
export interface ReadyMessage {
  jwkit: 'ready';
  url: string;
  host: string;
  port: number;
  adminUrl: string;
  adminPort: number;
}

/** Primary -> worker. `leader`: run the schedule from now on; `reload`: what SIGHUP does; `stop`: drain and exit 0. */
export type PrimaryMessage =
  | { jwkit: 'leader' }
  | { jwkit: 'reload' }
  | { jwkit: 'stop'; deadlineMs: number };

export function isReady(m: unknown): m is ReadyMessage {
  return typeof m === 'object' && m !== null && (m as { jwkit?: unknown }).jwkit === 'ready';
}

export function isPrimaryMessage(m: unknown): m is PrimaryMessage {
  const kind = typeof m === 'object' && m !== null ? (m as { jwkit?: unknown }).jwkit : undefined;
  return kind === 'leader' || kind === 'reload' || kind === 'stop';
}

/**
 * `primary` when this process should fork `workers` (> 1) workers, `worker` in a process the
 * jwkit primary forked (a cluster worker with a slot), `single` otherwise: one process serving,
 * which is also what an application's own cluster workers get.
 */
export function clusterRole(workers: number): 'primary' | 'worker' | 'single' {
  if (cluster.isWorker && process.env[ENV_SLOT] !== undefined) return 'worker';
  return workers > 1 ? 'primary' : 'single';
}
