/**
 * Connection limits of `jwkit serve` (issue 13.10). Without them one client that opens ~1,100
 * sockets and sends an unfinished request head exhausts a systemd service's 1,024 file
 * descriptors: `accept()` fails with EMFILE and every new JWKS request gets ECONNRESET.
 *
 * - A global cap below the file-descriptor limit (RLIMIT_NOFILE, read from /proc/self/limits or
 *   `ulimit -n`), so the process always has descriptors left for its store, files and logs.
 * - A per-client cap (by remote address).
 * - At either cap the *oldest idle* connection is closed to make room (idle: no request in
 *   progress, which includes a request head still being trickled in); only when every connection
 *   is busy is the new one refused. An attacker holding idle sockets therefore cannot keep a new
 *   client out: each new connection pushes one of the attacker's out.
 * - Every shed is counted (`jwkit_connections_shed_total`) and logged, one line per burst.
 *
 * The header and request timeouts (seconds, not Node's 60 s / 300 s) are set on the servers in
 * listeners.ts; they close what the caps leave open.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { rateLimited } from '../log.js';
import { Counter } from '../stats.js';

/** The soft RLIMIT_NOFILE of this process, or undefined when it cannot be read. */
export function fileDescriptorLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return m[1] === 'unlimited' ? undefined : Number(m[1]);
  } catch {
    // not Linux: ask the shell, which inherits our limit
  }
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 }).trim();
    return /^\d+$/.test(out) ? Number(out) : undefined;
  } catch {
    return undefined;
  }
}

export const DEFAULT_MAX_CONNECTIONS = 4096;
export const DEFAULT_MAX_PER_CLIENT = 64;

/** The global cap: the configured one, at most 90% of the descriptor limit (and at least 16). */
export function connectionCap(configured: number | undefined, fdLimit: number | undefined): number {
  const wanted = configured ?? DEFAULT_MAX_CONNECTIONS;
  if (fdLimit === undefined) return wanted;
  return Math.max(16, Math.min(wanted, Math.floor(fdLimit * 0.9)));
}

interface Entry {
  readonly socket: Socket;
  readonly client: string;
  busy: number;
}

export interface GuardOptions {
  maxConnections: number;
  maxPerClient: number;
  log?: Logger;
}

export class ConnectionGuard {
  #max: number;
  #perClient: number;
  readonly #entries = new Map<string, Entry>(); // by remote address:port; insertion order = age
  readonly #byClient = new Map<string, Set<Entry>>();
  /** Shed connections by reason: `client-cap`, `global-cap`, `refused`. */
  readonly shed = new Counter();
  readonly #report: () => void;
  #lastReason = '';
  #lastClient = '';

  constructor(options: GuardOptions) {
    this.#max = options.maxConnections;
    this.#perClient = options.maxPerClient;
    const log = options.log;
    this.#report = rateLimited(5000, (n) =>
      log?.warn('shedding connections', {
        reason: this.#lastReason,
        client: this.#lastClient,
        shed: n,
        open: this.#entries.size,
        maxConnections: this.#max,
        maxConnectionsPerClient: this.#perClient,
      }),
    );
  }

  get open(): number {
    return this.#entries.size;
  }

  get limits(): { maxConnections: number; maxPerClient: number } {
    return { maxConnections: this.#max, maxPerClient: this.#perClient };
  }

  configure(options: { maxConnections?: number; maxPerClient?: number }): void {
    if (options.maxConnections !== undefined) this.#max = options.maxConnections;
    if (options.maxPerClient !== undefined) this.#perClient = options.maxPerClient;
  }

  /** Watches a listener: raw TCP connections (before any TLS handshake) and its requests. */
  attach(server: HttpServer): void {
    server.on('connection', (socket: Socket) => this.#admit(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const entry = this.#entries.get(keyOf(req.socket));
      if (!entry) return;
      entry.busy++;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        entry.busy--;
      };
      res.once('finish', finish);
      res.once('close', finish);
    });
  }

  #admit(socket: Socket): void {
    const client = socket.remoteAddress ?? 'unknown';
    const key = keyOf(socket);
    const mine = this.#byClient.get(client);
    if (mine && mine.size >= this.#perClient) {
      if (!this.#evict(mine.values(), 'client-cap', client)) {
        this.#refuse(socket, client);
        return;
      }
    }
    if (this.#entries.size >= this.#max) {
      if (!this.#evict(this.#entries.values(), 'global-cap', client)) {
        this.#refuse(socket, client);
        return;
      }
    }
    const entry: Entry = { socket, client, busy: 0 };
    this.#entries.set(key, entry);
    let set = this.#byClient.get(client);
    if (!set) {
      set = new Set();
      this.#byClient.set(client, set);
    }
    set.add(entry);
    socket.once('close', () => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      const s = this.#byClient.get(client);
      if (s) {
        s.delete(entry);
        if (s.size === 0) this.#byClient.delete(client);
      }
    });
  }

  /** Closes the oldest idle connection among `candidates`; false when all are busy. */
  #evict(candidates: Iterable<Entry>, reason: string, client: string): boolean {
    for (const e of candidates) {
      if (e.busy > 0) continue;
      this.#forget(e);
      e.socket.destroy();
      this.#count(reason, client);
      return true;
    }
    return false;
  }

  #forget(e: Entry): void {
    this.#entries.delete(keyOf(e.socket));
    const s = this.#byClient.get(e.client);
    s?.delete(e);
    if (s?.size === 0) this.#byClient.delete(e.client);
  }

  #refuse(socket: Socket, client: string): void {
    socket.destroy();
    this.#count('refused', client);
  }

  #count(reason: string, client: string): void {
    this.shed.inc(reason);
    this.#lastReason = reason;
    this.#lastClient = client;
    this.#report();
  }
}

function keyOf(socket: Socket): string {
  return `${socket.remoteAddress}|${socket.remotePort}|${socket.localPort}`;
}
