/**
 * `serve(options)`: what `jwkit serve` runs.
 *
 * Start-up: check the options (admin token, TLS files), open the store, find the master key, load
 * the keys, start the listeners, and only then make any missing keys, so that `/healthz` answers
 * (and `/readyz` says 503 "starting") while a slow first RSA-8192 key is generated (issue 14.8).
 *
 * Two listeners by default (issue 14.4): the public one (JWKS, discovery, health, web app) and a
 * private one on loopback for `/admin` and `/metrics`; on the public listener those answer 404.
 * `singleListener` serves everything on one port, for development.
 *
 * Signals (with `signals: true`, as the CLI runs it): SIGHUP reloads the TLS files, the admin
 * token file, the config file and the environment, and never exits; SIGTERM/SIGINT stop
 * accepting, let in-flight requests finish within `shutdownTimeout` (default 10 s), close the
 * store and exit 0.
 */

import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JWKitError } from 'jwkit';
import { checkClusterOptions, runPrimary } from './cluster/primary.js';
import { clusterRole } from './cluster/protocol.js';
import { joinCluster, serveAsWorker } from './cluster/worker.js';
import type { ConfigValues } from './config.js';
import { toMillis } from './duration.js';
import { ServerConfigError } from './errors.js';
import { AuthBackoff } from './http/admin.js';
import { ConnectionGuard, connectionCap, DEFAULT_MAX_PER_CLIENT, fileDescriptorLimit } from './http/guard.js';
import { type Listener, loadTLS, startListener, type TLSMaterial } from './http/listeners.js';
import { family, labels } from './http/metrics.js';
import { createNodeListener } from './http/node.js';
import { KeyManager, type ManagerEvent } from './key-manager.js';
import { createLogger, type Logger } from './log.js';
import { type MasterKeyOptions, openWriterStore } from './master-key-file.js';
import { DEFAULT_ALGS } from './policy.js';
import { checkMechanisms, openCustodyToken } from './signer/open-token.js';
import { Pkcs11Custody } from './signer/pkcs11.js';
import { Counter } from './stats.js';
import { DEFAULT_STORE_URL } from './stores/open.js';
import type { AuditEntry, KeyStore } from './stores/store.js';

export interface ServeOptions extends ConfigValues, MasterKeyOptions {
  /** Retire keys of algorithms no longer in `algs`. Default true. */
  retireUnconfigured?: boolean;
  /** Handle SIGHUP (reload), SIGTERM and SIGINT (graceful stop, then exit). Default false (the CLI turns it on). */
  signals?: boolean;
  /** Where finished log lines go. Default: stderr. */
  log?: (line: string) => void;
  /** The jwkit version, for `jwkit_build_info`. */
  version?: string;
  /** SIGHUP: the settings as they are now (the CLI re-reads config file and environment). Default: these options again. */
  reload?: () => ServeOptions | Promise<ServeOptions>;
  /**
   * Per-client backoff of failed admin logins (issue 13.11). Default true; false only for tests
   * that send many wrong tokens on purpose and check each answer.
   */
  adminBackoff?: boolean;
  /** Called once the listeners accept connections, before the first keys exist. */
  onListening?: (running: RunningServer) => void;
}

export interface RunningServer {
  /** The public listener, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The private listener (`/admin`, `/metrics`); equal to `url` with `singleListener`. */
  readonly adminUrl: string;
  readonly adminPort: number;
  readonly manager: KeyManager;
  readonly store: KeyStore;
  readonly logger: Logger;
  /** Resolves when the first keys exist (serve() itself resolves then too). */
  readonly ready: Promise<void>;
  /** What SIGHUP does. */
  reload(): Promise<void>;
  /** Stops accepting, waits for in-flight requests (at most `deadlineMs`, default shutdownTimeout), stops the schedule, closes the store. */
  close(deadlineMs?: number): Promise<void>;
}

/** RFC 6750 bearer tokens guessed at any rate must not be findable: 32 bytes is 256 bits from `openssl rand -base64 32`. */
export const MIN_ADMIN_TOKEN_BYTES = 32;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;

export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  // --workers: in a worker process the body below runs inside cluster/worker.ts's exit guard.
  const asWorker = serveAsWorker(options, serve);
  if (asWorker) return asWorker;
  const logger = createLogger({
    format: options.logFormat ?? 'text',
    level: options.logLevel ?? 'info',
    ...(options.log === undefined ? {} : { write: options.log }),
  });
  let current = options;
  const warn = (msg: string, fields?: Record<string, unknown>) => logger.warn(msg, fields);

  const tlsFiles = tlsFilesOf(options);
  const singleListener = options.singleListener === true;
  const host = options.host ?? '127.0.0.1';
  const adminHost = options.adminHost ?? '127.0.0.1';
  const shutdownMs = () => toMillis(current.shutdownTimeout ?? '10s', 'shutdownTimeout');
  const timeouts = {
    headersTimeout: toMillis(options.headersTimeout ?? '10s', 'headersTimeout'),
    requestTimeout: toMillis(options.requestTimeout ?? '30s', 'requestTimeout'),
    keepAliveTimeout: toMillis(options.keepAliveTimeout ?? '5s', 'keepAliveTimeout'),
  };
  if (timeouts.requestTimeout < timeouts.headersTimeout) {
    throw new ServerConfigError('ERR_CONFIG', 'requestTimeout must be at least headersTimeout');
  }

  // --workers (cluster/): a primary that forks workers returns here before opening the store;
  // each worker runs the rest of serve() on the shared listeners, the first one alone with
  // `init`/`updatePolicy` (cluster/worker.ts), and only the rotation leader runs the schedule.
  const workers = checkClusterOptions(options);
  const role = clusterRole(workers);
  if (role === 'primary') {
    return runPrimary(options, logger, { workers, signals: options.signals === true, shutdownMs });
  }
  const worker = role === 'worker' ? joinCluster(options, logger) : undefined;
  if (worker) options = worker.options;
  // Read here, not before the primary returns: the primary uses none of them, and each worker
  // reads them itself (once per process, and their warnings once per process that serves).
  const adminToken = { value: await resolveAdminToken(options, warn) };
  let tls: TLSMaterial | undefined = tlsFiles ? await loadTLS(tlsFiles) : undefined;
  const storeUrl = await storeUrlWithPassword(options, warn);

  // --pkcs11 (issue 17): the token is opened, logged in and checked for every configured alg's
  // mechanism before the store is opened, so a wrong PIN or a missing mechanism exits creating
  // nothing (no store file, no master key file, no token object).
  const token =
    options.pkcs11 === undefined
      ? undefined
      : await openCustodyToken(options.pkcs11, options.algs ?? [...DEFAULT_ALGS], logger);

  // A missing store while a master key exists is ERR_STORE_MISSING unless --init (issue 13.3,
  // store helper: master-key-file.ts openWriterStore); the very first start creates both. With
  // --pkcs11 a new store given no master key runs without one (issue 17: token keys need none),
  // and jwkit keys already on the token show, as a master key would, that a store existed.
  let opened: Awaited<ReturnType<typeof openWriterStore>>;
  try {
    const onToken = token ? (await token.token.list()).length : 0;
    opened = await openWriterStore(storeUrl, {
      ...options,
      withoutMasterKey: token !== undefined,
      ...(onToken > 0 ? { otherKeySource: `the PKCS#11 token's ${onToken} jwkit key(s)` } : {}),
      // The library default creates a missing store (as before); `jwkit serve` passes init: false
      // unless --init, so there a missing store with a master key present is an error.
      init: options.init ?? true,
      firstStart: true,
      warn: (w) => warn(w),
    });
  } catch (e) {
    await token?.token.close().catch(() => {});
    throw e;
  }
  const { store, masterKey } = opened;
  const custody = token ? new Pkcs11Custody(token.token, { tokenName: token.name, masterKey }) : undefined;
  if (custody && masterKey === undefined)
    logger.info(
      'no master key: every key lives in the PKCS#11 token, and the store holds no private material',
    );
  const storeEvents = new Counter(); // key events by `event alg actor`, any writer
  let manager: KeyManager | undefined;
  const listeners: Listener[] = [];
  try {
    const algs = options.algs ?? [...DEFAULT_ALGS];
    manager = await KeyManager.open({
      store,
      masterKey,
      ...(custody === undefined ? {} : { custody }),
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
      // The stored policy wins; flags that disagree stop the start unless asked (issue 14.1, store helper).
      updatePolicy: options.updatePolicy === true,
      actor: 'serve',
      // The first keys are made after the listeners are up (below).
      schedule: false,
      ...worker?.managerOptions,
      onEvent: (e) => {
        // Changes by the CLI or another replica arrive as audit entries (14.7): log and count them.
        if (e.type === 'audit') {
          const a = e.entry;
          storeEvents.inc(`${a.event} ${a.alg ?? ''} ${a.actor}`);
          logger.info(`store event: ${a.event}`, {
            actor: a.actor,
            writer: a.writer ?? undefined,
            kid: a.kid ?? undefined,
            alg: a.alg ?? undefined,
            at: new Date(a.at).toISOString(),
            detail: a.detail ?? undefined,
          });
          return;
        }
        if (e.type === 'rotated')
          storeEvents.inc(`activated ${e.alg} ${e.forced ? 'admin-api' : 'schedule'}`);
        const line = describe(e);
        if (line) logger[line.level](line.msg, line.fields);
      },
    });
    const keys = manager;
    // The stored policy wins over --algs: its algorithms need their mechanisms too.
    if (custody)
      checkMechanisms(
        custody,
        keys.policies.map((p) => p.alg),
      );

    // ---- listeners ----
    const fdLimit = fileDescriptorLimit();
    const guard = new ConnectionGuard({
      maxConnections: connectionCap(options.maxConnections, fdLimit),
      maxPerClient: options.maxConnectionsPerClient ?? DEFAULT_MAX_PER_CLIENT,
      log: logger,
    });
    const backoff =
      options.adminBackoff === false
        ? new AuthBackoff(Date.now, Number.POSITIVE_INFINITY)
        : new AuthBackoff();
    const signed = new Counter();
    let starting = true;
    const webRoot = options.webRoot === false ? undefined : (options.webRoot ?? defaultWebRoot());
    const common = {
      ...pick(options, ['issuer', 'jwksUri', 'contentType']),
      starting: () => starting,
      ...worker?.appOptions,
      onError: (e: unknown) =>
        logger.error('internal error', { error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
      ...(adminToken.value === undefined ? {} : { adminToken: () => adminToken.value! }),
      admin: {
        log: logger,
        backoff,
        signed,
        ...(store.audit
          ? { audit: (q: { limit: number; after?: string; kid?: string }) => readAudit(keys, q) }
          : {}),
        // Every admin call and every failed admin login goes to the audit trail (14.7).
        onAdminEvent: (ev: {
          type: string;
          client: string;
          method: string;
          path: string;
          status?: number;
        }) => {
          keys
            .recordAudit(ev.type === 'auth-failed' ? 'admin-auth-failed' : 'admin-call', {
              actor: 'admin-api',
              detail: { client: ev.client, method: ev.method, path: ev.path, status: ev.status },
            })
            .catch(() => {});
        },
      },
      metrics: () =>
        extraMetrics({ version: options.version, signed, guard, backoff, storeEvents, fdLimit, starting }),
    };
    const listenerOptions = {
      guard,
      timeouts,
      log: logger,
      accessLog: () => current.accessLog === true,
      ...(tls === undefined ? {} : { tls }),
    };
    const publicListener = await startListener({
      ...listenerOptions,
      name: 'public',
      host,
      port: options.port ?? 8080,
      handler: createNodeListener(keys, {
        ...common,
        surface: singleListener ? 'all' : 'public',
        ...(webRoot === undefined ? {} : { webRoot }),
      }),
    });
    listeners.push(publicListener);
    let adminListener = publicListener;
    if (!singleListener) {
      adminListener = await startListener({
        ...listenerOptions,
        name: 'admin',
        host: adminHost,
        port: options.adminPort ?? (options.port === 0 ? 0 : 8081),
        handler: createNodeListener(keys, { ...common, surface: 'admin' }),
      });
      listeners.push(adminListener);
      if (!LOOPBACK.test(adminHost)) {
        warn(
          'the admin listener is not on a loopback address; keep it on a private network behind a firewall',
          {
            adminHost,
          },
        );
      }
    } else if (!LOOPBACK.test(host)) {
      warn(
        'single-listener mode on a non-loopback address: /admin and /metrics are reachable by anyone who reaches the JWKS; ' +
          'for production drop --single-listener (the admin listener defaults to 127.0.0.1:8081)',
        { host },
      );
    }

    // The listeners answer /healthz and /readyz from here on; "listening on" (what scripts and
    // tests wait for) is logged once the first keys exist and the JWKS can be served.
    logger.info('listeners up; making any missing keys', {
      public: publicListener.url,
      admin: singleListener ? 'public' : adminListener.url,
    });

    // ---- reload and stop ----
    let closing: Promise<void> | undefined;
    const close = (deadlineMs = shutdownMs()) => {
      closing ??= (async () => {
        const results = await Promise.all(listeners.map((l) => l.close(deadlineMs)));
        const forced = results.reduce((n, r) => n + r.forced, 0);
        if (forced > 0)
          logger.warn('shutdown deadline passed; closed connections with requests in flight', { forced });
        await withDeadline(keys.close(), deadlineMs);
        await store.close();
        await custody?.close().catch(() => {});
      })();
      return closing;
    };

    const reload = async () => {
      let next: ServeOptions;
      try {
        next = options.reload ? await options.reload() : current;
      } catch (e) {
        logger.error('reload failed: the configuration does not parse; keeping the running one', {
          error: e,
        });
        return;
      }
      const changed = nonReloadable(current, next);
      if (changed.length > 0) {
        warn('reload: these settings changed but need a restart', { settings: changed.join(',') });
      }
      logger.configure({
        ...(next.logFormat === undefined ? {} : { format: next.logFormat }),
        ...(next.logLevel === undefined ? {} : { level: next.logLevel }),
      });
      guard.configure({
        maxConnections: connectionCap(next.maxConnections, fdLimit),
        maxPerClient: next.maxConnectionsPerClient ?? DEFAULT_MAX_PER_CLIENT,
      });
      const files = tlsFilesOf(next);
      if (files && tls) {
        try {
          tls = await loadTLS(files);
          for (const l of listeners) l.setTLS(tls);
          logger.info('reload: TLS certificate re-read', { cert: files.cert });
        } catch (e) {
          logger.error('reload: keeping the previous TLS certificate', { error: e });
        }
      }
      if (next.adminTokenFile !== undefined || next.adminToken !== undefined) {
        try {
          const token = await resolveAdminToken(next, warn);
          if (token !== undefined && adminToken.value !== undefined) adminToken.value = token;
        } catch (e) {
          logger.error('reload: keeping the previous admin token', { error: e });
        }
      }
      current = { ...next, logFormat: next.logFormat ?? current.logFormat };
      logger.info('reloaded', { config: next.config ?? 'none' });
    };

    let firstKeys!: Promise<void>;
    const running: RunningServer = {
      url: publicListener.url,
      host: publicListener.host,
      port: publicListener.port,
      adminUrl: adminListener.url,
      adminPort: adminListener.port,
      manager: keys,
      store,
      logger,
      get ready() {
        return firstKeys;
      },
      reload,
      close,
    };

    if (options.signals) installSignals(running, logger, shutdownMs);

    firstKeys = (async () => {
      await keys.tick();
      starting = false;
      keys.start();
    })();
    options.onListening?.(running);
    try {
      await firstKeys;
    } catch (e) {
      await close(0);
      throw e;
    }
    logger.info(`listening on ${publicListener.url}`, { listener: 'public', url: publicListener.url });
    if (!singleListener)
      logger.info(`admin listening on ${adminListener.url}`, { listener: 'admin', url: adminListener.url });
    logger.info('serving', {
      jwks: `${publicListener.url}/.well-known/jwks.json`,
      store: store.description,
      keys: custody === undefined ? 'software (sealed in the store)' : custody.description,
      algs: keys.policies.map((p) => p.alg).join(','),
      admin:
        adminToken.value === undefined
          ? 'off (set JWKIT_ADMIN_TOKEN or --admin-token-file)'
          : `${adminListener.url}/admin`,
      metrics: `${adminListener.url}/metrics`,
      web: webRoot === undefined ? 'off' : `${publicListener.url}/`,
      tls: tls === undefined ? 'off' : 'on',
      maxConnections: guard.limits.maxConnections,
      maxConnectionsPerClient: guard.limits.maxPerClient,
      fileDescriptors: fdLimit ?? 'unknown',
    });

    worker?.ready(running);
    return running;
  } catch (e) {
    for (const l of listeners) await l.close(0);
    await manager?.close();
    await store.close().catch(() => {});
    await custody?.close().catch(() => {});
    throw e;
  }
}

let signalsInstalled: RunningServer | undefined;

function installSignals(running: RunningServer, logger: Logger, shutdownMs: () => number): void {
  signalsInstalled = running;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn(`second ${signal}: exiting now`);
      process.exit(1);
    }
    stopping = true;
    const deadline = shutdownMs();
    logger.info('shutting down: finishing in-flight requests', { signal, deadlineSeconds: deadline / 1000 });
    running.close(deadline).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (e) => {
        logger.error('shutdown failed', { error: e });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // SIGHUP's default action ends the process; here it reloads, and never exits (issue 14.8).
  process.on('SIGHUP', () => {
    if (signalsInstalled !== running) return;
    logger.info('SIGHUP: reloading');
    running.reload().catch((e) => logger.error('reload failed', { error: e }));
  });
}

/** Races `p` with a deadline; a slow close is left behind rather than holding the exit. */
async function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => {}),
    new Promise<void>((done) => {
      timer = setTimeout(done, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

const RESTART_SETTINGS: readonly (keyof ServeOptions)[] = [
  'host',
  'port',
  'adminHost',
  'adminPort',
  'singleListener',
  'store',
  'schema',
  'algs',
  'rotationPeriod',
  'prePublish',
  'maxTokenLifetime',
  'rsaBits',
  'cacheMaxAge',
  'staleWhileRevalidate',
  'skew',
  'pollInterval',
  'issuer',
  'jwksUri',
  'contentType',
  'webRoot',
  'headersTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'workers',
  'pkcs11',
];

function nonReloadable(a: ServeOptions, b: ServeOptions): string[] {
  return RESTART_SETTINGS.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map(String);
}

function tlsFilesOf(options: ServeOptions): { cert: string; key: string } | undefined {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new ServerConfigError(
      'ERR_TLS',
      'HTTPS needs both --tls-cert and --tls-key (PEM files); give both, or neither for plain HTTP',
    );
  }
  return options.tlsCert === undefined ? undefined : { cert: options.tlsCert, key: options.tlsKey! };
}

/** The store URL with the PostgreSQL password from JWKIT_STORE_PASSWORD or --store-password-file. */
async function storeUrlWithPassword(
  options: ServeOptions,
  warn: (m: string, f?: Record<string, unknown>) => void,
): Promise<string> {
  const url = options.store ?? DEFAULT_STORE_URL;
  let password = options.storePassword;
  if (password === undefined && options.storePasswordFile !== undefined) {
    try {
      password = (await readFile(options.storePasswordFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (cause) {
      throw new ServerConfigError(
        'ERR_CONFIG',
        `cannot read the store password file ${options.storePasswordFile}: ${(cause as Error).message}`,
        { cause },
      );
    }
    warnIfShared(options.storePasswordFile, 'store password file', warn);
  }
  if (!/^postgres(ql)?:\/\//.test(url)) {
    if (password !== undefined)
      warn('a store password was given but the store is not PostgreSQL; it is ignored');
    return url;
  }
  const parsed = new URL(url);
  if (parsed.password !== '' && password === undefined) {
    warn(
      'the store URL holds a password; anyone on this host can read a command line: use JWKIT_STORE_PASSWORD or --store-password-file',
    );
  }
  if (password === undefined) return url;
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

function warnIfShared(
  file: string,
  what: string,
  warn: (m: string, f?: Record<string, unknown>) => void,
): void {
  try {
    const mode = statSync(file).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      warn(
        `the ${what} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`,
        { file },
      );
    }
  } catch {
    // read above; a stat failure here changes nothing
  }
}

async function resolveAdminToken(
  options: ServeOptions,
  warn: (m: string, f?: Record<string, unknown>) => void,
): Promise<string | undefined> {
  let token = options.adminToken ?? process.env.JWKIT_ADMIN_TOKEN;
  let source = options.adminToken !== undefined ? 'the adminToken option' : 'JWKIT_ADMIN_TOKEN';
  if ((token === undefined || token === '') && options.adminTokenFile !== undefined) {
    source = options.adminTokenFile;
    try {
      token = (await readFile(options.adminTokenFile, 'utf8')).trim();
    } catch (cause) {
      throw new ServerConfigError(
        'ERR_ADMIN_TOKEN',
        `cannot read the admin token file ${options.adminTokenFile}`,
        { cause },
      );
    }
    warnIfShared(options.adminTokenFile, 'admin token file', warn);
  }
  if (token === undefined || token === '') return undefined;
  if (Buffer.byteLength(token, 'utf8') < MIN_ADMIN_TOKEN_BYTES || !/^[\x21-\x7e]+$/.test(token)) {
    throw new ServerConfigError(
      'ERR_ADMIN_TOKEN',
      `the admin token (${source}) must be at least ${MIN_ADMIN_TOKEN_BYTES} bytes of printable ASCII without spaces; make one with: openssl rand -base64 32`,
    );
  }
  return token;
}

async function readAudit(
  manager: KeyManager,
  q: { limit: number; after?: string; kid?: string },
): Promise<AuditEntry[]> {
  const after = q.after === undefined ? undefined : Number(q.after);
  if (after !== undefined && !Number.isSafeInteger(after)) {
    throw new JWKitError('ERR_BAD_REQUEST', '"after" must be an audit entry id (a whole number)');
  }
  return manager.audit({
    limit: q.limit,
    ...(after === undefined ? {} : { after }),
    ...(q.kid === undefined ? {} : { kid: q.kid }),
  });
}

function extraMetrics(m: {
  version: string | undefined;
  signed: Counter;
  guard: ConnectionGuard;
  backoff: AuthBackoff;
  storeEvents: Counter;
  fdLimit: number | undefined;
  starting: boolean;
}): string[] {
  const out: string[] = [];
  family(out, 'jwkit_build_info', 'gauge', 'Always 1; the labels say which jwkit and Node.js run.');
  out.push(`jwkit_build_info${labels({ version: m.version ?? 'unknown', node: process.versions.node })} 1`);
  family(out, 'jwkit_starting', 'gauge', '1 while the first keys are being made.');
  out.push(`jwkit_starting ${m.starting ? 1 : 0}`);
  family(out, 'jwkit_tokens_signed_total', 'counter', 'Tokens signed through POST /admin/sign, by alg.');
  for (const [alg, n] of m.signed.values) out.push(`jwkit_tokens_signed_total${labels({ alg })} ${n}`);
  family(
    out,
    'jwkit_store_rotations_total',
    'counter',
    'Rotations (a key activated) by any writer, read from the store audit trail since this process started, by alg and actor.',
  );
  family(
    out,
    'jwkit_store_events_total',
    'counter',
    'Audit trail entries by any writer since this process started, by event, alg and actor.',
  );
  for (const [key, n] of m.storeEvents.values) {
    const [event = '', alg = '', actor = ''] = key.split(' ');
    out.push(`jwkit_store_events_total${labels({ event, alg, actor })} ${n}`);
    if (event === 'activated') out.push(`jwkit_store_rotations_total${labels({ alg, actor })} ${n}`);
  }
  family(out, 'jwkit_connections', 'gauge', 'Open connections over both listeners.');
  out.push(`jwkit_connections ${m.guard.open}`);
  family(out, 'jwkit_connections_max', 'gauge', 'The connection cap (below the file-descriptor limit).');
  out.push(`jwkit_connections_max ${m.guard.limits.maxConnections}`);
  family(
    out,
    'jwkit_connections_shed_total',
    'counter',
    'Connections closed or refused at a cap, by reason.',
  );
  for (const [reason, n] of m.guard.shed.values)
    out.push(`jwkit_connections_shed_total${labels({ reason })} ${n}`);
  family(
    out,
    'jwkit_admin_auth_refused_total',
    'counter',
    'Admin requests refused: 401 wrong token, 429 during a backoff.',
  );
  for (const [status, n] of m.backoff.refused)
    out.push(`jwkit_admin_auth_refused_total${labels({ status })} ${n}`);
  return out;
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

type Line = { level: 'info' | 'warn' | 'error'; msg: string; fields: Record<string, unknown> };

function describe(e: ManagerEvent): Line | undefined {
  switch (e.type) {
    case 'created':
      return { level: 'info', msg: 'created key', fields: { alg: e.alg, kid: e.kid, state: e.state } };
    case 'rotated':
      if (e.from === null) return undefined; // a first key: its "created key ... current" line says it
      return {
        level: 'info',
        msg: e.forced ? 'rotated (forced)' : 'rotated',
        fields: { alg: e.alg, from: e.from, to: e.to },
      };
    case 'revoked':
      return { level: 'info', msg: 'revoked key', fields: { alg: e.alg, kid: e.kid } };
    case 'removed':
      return { level: 'info', msg: 'removed key', fields: { alg: e.alg, kid: e.kid } };
    case 'imported':
      return { level: 'info', msg: 'imported key', fields: { alg: e.alg, kid: e.kid, state: e.state } };
    case 'store-error':
      return {
        level: 'error',
        msg: 'key store unavailable, serving keys from memory',
        fields: { error: e.error.message },
      };
    case 'store-recovered':
      return { level: 'info', msg: 'key store reachable again', fields: {} };
    case 'integrity-error':
      return {
        level: 'error',
        msg: e.refused ? 'stored key refused: the store does not prove it' : 'stored key check failed',
        fields: { kid: e.kid, reason: e.reason },
      };
    case 'custody':
      return {
        level: e.action === 'destroyed' || e.action === 'foreign' ? 'warn' : 'error',
        msg:
          e.action === 'destroyed'
            ? `PKCS#11: destroyed token object (${e.reason})`
            : e.action === 'missing'
              ? 'PKCS#11: a published key has no object on the token; it is not published'
              : e.action === 'foreign'
                ? 'PKCS#11: a jwkit key on the token this store never made; left alone'
                : 'PKCS#11: destroying a token object failed; the next start retries',
        fields: { kid: e.kid, alg: e.alg ?? undefined, reason: e.reason },
      };
    case 'policy-changed':
      return {
        level: 'info',
        msg: 'stored policy changed',
        fields: { algs: e.policy.policies.map((p) => p.alg).join(',') },
      };
    default:
      return undefined;
  }
}
