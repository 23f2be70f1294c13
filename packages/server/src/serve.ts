/**
 * `serve(options)`: what `jwkit serve` runs. Opens the store (SQLite by default), finds or
 * creates the master key, opens the key manager, starts its schedule and the HTTP server, and
 * prints where it listens.
 */

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Duration } from './duration.js';
import { ServerConfigError } from './errors.js';
import { createNodeListener } from './http/node.js';
import { KeyManager, type ManagerEvent } from './key-manager.js';
import { type MasterKeyOptions, masterKeyForStore } from './master-key-file.js';
import { DEFAULT_ALGS } from './policy.js';
import { DEFAULT_STORE_URL, openStore } from './stores/open.js';
import type { KeyStore } from './stores/store.js';

export interface ServeOptions extends MasterKeyOptions {
  /** Store URL. Default `sqlite:./.jwkit/keys.db`. */
  store?: string;
  /** PostgreSQL schema (also `?schema=` in the URL). Default `public`. */
  schema?: string;
  /** Default `127.0.0.1` (loopback only). */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Signing algorithms to keep keys for. Default `['ES256', 'RS256']`. */
  algs?: string[];
  rotationPeriod?: Duration;
  prePublish?: Duration;
  maxTokenLifetime?: Duration;
  /** RSA modulus bits for RSA algs. Default 2048. */
  rsaBits?: number;
  cacheMaxAge?: Duration;
  staleWhileRevalidate?: Duration;
  skew?: Duration;
  pollInterval?: Duration;
  issuer?: string;
  jwksUri?: string;
  /** Admin API token. Default: `JWKIT_ADMIN_TOKEN`, else the contents of `adminTokenFile`; none disables `/admin`. */
  adminToken?: string;
  adminTokenFile?: string;
  /** Directory of the built web app; `false` serves none. Default: `dist/web` when it exists. */
  webRoot?: string | false;
  contentType?: 'jwk-set+json' | 'json';
  /** Retire keys of algorithms no longer in `algs`. Default true. */
  retireUnconfigured?: boolean;
  /** Close cleanly on SIGINT and SIGTERM. Default false (the CLI turns it on). */
  signals?: boolean;
  /** Where status lines go. Default: stderr. */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8080` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly manager: KeyManager;
  readonly store: KeyStore;
  /** Stops accepting requests, stops the schedule, closes the store. */
  close(): Promise<void>;
}

const MIN_ADMIN_TOKEN = 16;

export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const storeUrl = options.store ?? DEFAULT_STORE_URL;
  const adminToken = await resolveAdminToken(options);
  const store = await openStore(storeUrl, options.schema === undefined ? {} : { schema: options.schema });
  let manager: KeyManager | undefined;
  let server: Server | undefined;
  try {
    const masterKey = await masterKeyForStore(store, storeUrl, options, (w) =>
      log(`jwkit serve: warning: ${w}`),
    );
    const algs = options.algs ?? [...DEFAULT_ALGS];
    manager = await KeyManager.open({
      store,
      masterKey,
      policies: algs,
      policyDefaults: {
        ...(options.rotationPeriod === undefined ? {} : { rotationPeriod: options.rotationPeriod }),
        ...(options.prePublish === undefined ? {} : { prePublish: options.prePublish }),
        ...(options.maxTokenLifetime === undefined ? {} : { maxTokenLifetime: options.maxTokenLifetime }),
      },
      ...(options.rsaBits === undefined
        ? {}
        : { policies: algs.map((alg) => rsaPolicy(alg, options.rsaBits!)) }),
      ...pick(options, ['cacheMaxAge', 'staleWhileRevalidate', 'skew', 'pollInterval']),
      retireUnconfigured: options.retireUnconfigured ?? true,
      onEvent: (e) => {
        const line = describe(e);
        if (line) log(`jwkit serve: ${line}`);
      },
    });
    manager.start();

    const webRoot = options.webRoot === false ? undefined : (options.webRoot ?? defaultWebRoot());
    const listener = createNodeListener(manager, {
      ...pick(options, ['issuer', 'jwksUri', 'contentType']),
      onError: (e) =>
        log(`jwkit serve: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      ...(adminToken === undefined ? {} : { adminToken }),
      ...(webRoot === undefined ? {} : { webRoot }),
    });
    const host = options.host ?? '127.0.0.1';
    server = createServer(listener);
    const port = await listen(server, host, options.port ?? 8080);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    log(`jwkit serve: listening on ${url}`);
    log(
      `jwkit serve: JWKS ${url}/.well-known/jwks.json; store ${store.description}; algs ${manager.policies.map((p) => p.alg).join(', ')}; ` +
        `admin API ${adminToken === undefined ? 'off (set JWKIT_ADMIN_TOKEN to enable)' : `${url}/admin`}` +
        (webRoot === undefined ? '' : `; web app ${url}/`),
    );

    const running = makeRunning(url, host, port, manager, store, server);
    if (options.signals) {
      const stop = () => {
        log('jwkit serve: shutting down');
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
    return running;
  } catch (e) {
    server?.close();
    await manager?.close();
    await store.close();
    throw e;
  }
}

function makeRunning(
  url: string,
  host: string,
  port: number,
  manager: KeyManager,
  store: KeyStore,
  server: Server,
): RunningServer {
  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    manager,
    store,
    close() {
      closing ??= (async () => {
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeIdleConnections();
        });
        await manager.close();
        await store.close();
      })();
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((done, fail) => {
    const onError = (e: NodeJS.ErrnoException) => {
      fail(
        new ServerConfigError(
          'ERR_LISTEN',
          e.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use; pick another with --port (0 for any free port)`
            : `cannot listen on ${host}:${port}: ${e.message}`,
          { cause: e },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      done((server.address() as AddressInfo).port);
    });
  });
}

async function resolveAdminToken(options: ServeOptions): Promise<string | undefined> {
  let token = options.adminToken ?? process.env.JWKIT_ADMIN_TOKEN;
  if ((token === undefined || token === '') && options.adminTokenFile !== undefined) {
    try {
      token = (await readFile(options.adminTokenFile, 'utf8')).trim();
    } catch (cause) {
      throw new ServerConfigError(
        'ERR_ADMIN_TOKEN',
        `cannot read the admin token file ${options.adminTokenFile}`,
        { cause },
      );
    }
  }
  if (token === undefined || token === '') return undefined;
  if (token.length < MIN_ADMIN_TOKEN || !/^[\x21-\x7e]+$/.test(token)) {
    throw new ServerConfigError(
      'ERR_ADMIN_TOKEN',
      `the admin token must be at least ${MIN_ADMIN_TOKEN} printable characters without spaces; make one with: openssl rand -base64 32`,
    );
  }
  return token;
}

/** The built web app: `web/` beside the bundle (dist/web), or `dist/web` under the working directory. */
function defaultWebRoot(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, 'web'), join(here, '..', 'web'), resolve('dist/web')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

function rsaPolicy(alg: string, size: number): string | { alg: string; size: number } {
  return alg.startsWith('RS') || alg.startsWith('PS') ? { alg, size } : alg;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function describe(e: ManagerEvent): string | undefined {
  switch (e.type) {
    case 'created':
      return `created ${e.alg} key ${e.kid} (${e.state})`;
    case 'rotated':
      if (e.from === null) return undefined; // a first key: its "created ... (current)" line says it
      return `${e.forced ? 'rotated (forced)' : 'rotated'} ${e.alg}: ${e.from} -> ${e.to}`;
    case 'revoked':
      return `revoked ${e.alg} key ${e.kid}`;
    case 'removed':
      return `removed ${e.alg} key ${e.kid}`;
    case 'imported':
      return `imported ${e.alg} key ${e.kid} (${e.state})`;
    case 'store-error':
      return `warning: key store unavailable, serving keys from memory: ${e.error.message}`;
    case 'store-recovered':
      return 'key store reachable again';
    default:
      return undefined;
  }
}
