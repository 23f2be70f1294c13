/**
 * RSA key generation for the key manager, at the lowest CPU priority.
 *
 * node:crypto's async `generateKeyPair` already keeps RSA generation off the event loop (it runs
 * in libuv's thread pool), but an RSA-4096 key still takes a core for one to several seconds.
 * On a small host (two cores, say, shared with a proxy) that core is taken from the thread that
 * answers the JWKS, and the JWKS latency tail grows while a key is made. So RSA keys are made in
 * one worker thread that lowers its own scheduling priority to nice 19 (Linux priorities are per
 * thread): it then runs on cycles the server leaves idle. Keys are made ahead of need (a `next`
 * key is published `prePublish` before it signs), so a slower generation under load costs
 * nothing. Where the priority cannot be lowered (not Linux), the worker runs at normal priority,
 * which is what the thread pool would do.
 *
 * The worker is started on the first RSA key, keeps the process alive only while it has work,
 * and exits after a minute without any.
 */

import { Worker } from 'node:worker_threads';
import type { CryptoBackend, GenerateSpec } from 'jwkit';
import { canonicalOrder, nodeBackend, type OctJWK, type PrivateJWK } from 'jwkit';
import { generateBits } from 'jwkit/internal';

// CommonJS source evaluated in the worker: no file to locate next to a bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { generateKeyPairSync } = require('node:crypto');
try {
  // /proc/thread-self -> <pid>/task/<tid>; setpriority(2) on a tid changes that thread only.
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, 19);
} catch {}
parentPort.on('message', ({ id, bits }) => {
  try {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
    parentPort.postMessage({ id, jwk: privateKey.export({ format: 'jwk' }) });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

const IDLE_EXIT_MS = 60_000;

interface Job {
  resolve(jwk: PrivateJWK): void;
  reject(error: Error): void;
}

let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const jobs = new Map<number, Job>();

function failAll(error: Error): void {
  for (const job of jobs.values()) job.reject(error);
  jobs.clear();
}

function startWorker(): Worker {
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (m: { id: number; jwk?: PrivateJWK; error?: string }) => {
    const job = jobs.get(m.id);
    jobs.delete(m.id);
    if (m.jwk) job?.resolve(canonicalOrder(m.jwk));
    else job?.reject(new Error(`RSA key generation failed: ${m.error}`));
    if (jobs.size === 0) idle(w);
  });
  w.on('error', (e) => {
    if (worker === w) worker = undefined;
    failAll(e);
  });
  w.on('exit', () => {
    if (worker === w) worker = undefined;
    failAll(new Error('the key generation worker exited'));
  });
  return w;
}

/** No work left: let the process exit without waiting for the worker, and stop it after a while. */
function idle(w: Worker): void {
  w.unref();
  idleTimer = setTimeout(() => {
    if (worker === w && jobs.size === 0) {
      worker = undefined;
      void w.terminate();
    }
  }, IDLE_EXIT_MS);
  idleTimer.unref();
}

function generateRSA(bits: number): Promise<PrivateJWK> {
  if (idleTimer) clearTimeout(idleTimer);
  worker ??= startWorker();
  worker.ref();
  const id = nextId++;
  const done = new Promise<PrivateJWK>((resolve, reject) => jobs.set(id, { resolve, reject }));
  worker.postMessage({ id, bits });
  return done;
}

/** node:crypto, with RSA keys made by the low-priority worker. */
export const serverBackend: CryptoBackend = {
  ...nodeBackend,
  generate: async (spec: GenerateSpec): Promise<PrivateJWK | OctJWK> =>
    spec.kty === 'RSA' ? generateRSA(generateBits(spec)) : nodeBackend.generate(spec),
};
