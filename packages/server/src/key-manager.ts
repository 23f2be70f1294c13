/**
 * The key manager: the key lifecycle on a store, for `jwkit serve` and for a user's own app.
 *
 * Every change follows one pattern: load a snapshot, plan the change on it (schedule.ts), make
 * any new keys (asynchronously, outside any transaction), then commit the whole change with a
 * compare-and-set on the snapshot's version. A crash at any point leaves either the old or the
 * new state; a replica that loses the race reloads, re-plans, and finds nothing left to do.
 *
 * Requests are served from memory: the published set and the signing keys are replaced only
 * after a commit (or a reload), so a store outage never stops the JWKS endpoint.
 */

import type { JWTPayload, PublicJWK } from 'jwkit';
import { nodeBackend, StoreError, signJWT, thumbprint } from 'jwkit';
import { seconds, signJWTWith } from 'jwkit/internal';
import type { MasterKey } from './crypto-at-rest.js';
import { type Duration, formatMillis, toMillis } from './duration.js';
import { KeyLifecycleError, ServerConfigError } from './errors.js';
import {
  type ImportInput,
  type PublicProof,
  provenPublic,
  readImportedKey,
  type SigningJWK,
} from './key-material.js';
import { TokenError } from './pkcs11/errors.js';
import {
  applyPolicyFlags,
  describePolicy,
  type Policy,
  type PolicyFlags,
  type PolicyInput,
  parseStoredPolicy,
  policyDifferences,
  policyFromFlags,
  type StoredPolicy,
  serializePolicy,
} from './policy.js';
import {
  cacheLifetime,
  Draft,
  type FreshKey,
  isPublished,
  nextEventAt,
  retention,
  type ScheduleEvent,
  type ScheduleSettings,
  settingsOf,
} from './schedule.js';
import {
  type CustodyKind,
  type CustodyObject,
  custodyKindOf,
  custodyRefOf,
  type KeyCustody,
  type KeySigner,
} from './signer/custody.js';
import { faultPoint } from './signer/fault.js';
import { provenByToken } from './signer/pkcs11.js';
import { SoftwareCustody } from './signer/software.js';
import { Counter, Histogram, type ManagerStats } from './stats.js';
import { type AuditActor, type AuditContext, auditEntry, keyEvents, writerId } from './stores/audit.js';
import {
  type AuditEntry,
  type AuditQuery,
  type KeyState,
  type KeyStore,
  type Mutation,
  type NewAuditEntry,
  type Snapshot,
  STATE_RANK,
  type StoredKey,
} from './stores/store.js';

export interface ManagerClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface KeyManagerOptions {
  store: KeyStore;
  /**
   * The master key software keys are sealed under. Optional only with a PKCS#11 custody on a
   * store that has no key check (issue 17: "the master key is not needed for such keys"): then
   * every key lives in the token, is proven by the token alone (no `public_mac`), the store's key
   * check stays null, and what needs a master key (importing a private key, software keys, HS*)
   * is refused with ERR_MASTER_KEY_MISSING. A store made with a master key always needs it.
   */
  masterKey?: MasterKey | undefined;
  /**
   * Where new keys are made (signer/custody.ts): default software keys sealed under `masterKey`.
   * A PKCS#11 custody (`jwkit serve --pkcs11`) makes them in the token; keys already in the store
   * keep the custody they were made in. A store holding PKCS#11 keys refuses to open without one
   * (ERR_PKCS11_REQUIRED). The custody is the caller's: `close()` does not close it.
   */
  custody?: KeyCustody;
  /**
   * Algorithms (or full policies) to keep keys for. These and the other policy options
   * (`policyDefaults`, `cacheMaxAge`, `staleWhileRevalidate`, `skew`) set the policy of a store
   * that has none; a store's stored policy wins over them, and any of them that disagrees with it
   * makes `open` throw `ERR_POLICY_MISMATCH` unless `updatePolicy` is set (issue 14.1). Options
   * left out are not compared. Default for a new store `['ES256', 'RS256']`.
   */
  policies?: readonly (string | PolicyInput)[];
  /** Policy values for algorithms given by name only. Default: `POLICY_DEFAULTS`. */
  policyDefaults?: Partial<Omit<PolicyInput, 'alg'>>;
  /** Change the stored policy to what the options give (on purpose: `jwkit serve --update-policy`). Default false. */
  updatePolicy?: boolean;
  /** Refuse a store with no stored policy (ERR_POLICY_MISSING) instead of setting one from the options. Default false. */
  requireStoredPolicy?: boolean;
  /** Who this manager's own method calls are audited as. Default `library` (the schedule is always `schedule`). */
  actor?: AuditActor;
  /** Default: the system clock. Tests inject a fake one and call `tick()`. */
  clock?: ManagerClock;
  /** The longest `max-age` of a JWKS response. Default `15m`. */
  cacheMaxAge?: Duration;
  /** `stale-while-revalidate` of a JWKS response. Default `1m`. */
  staleWhileRevalidate?: Duration;
  /** Allowance for clock skew and replica delay, added to every retention and cache bound. Default `1m`. */
  skew?: Duration;
  /** How often `start()` checks the store for changes by other processes. Default `5s`; at most `skew`. */
  pollInterval?: Duration;
  /** Retire the keys of algorithms not in `policies` (current -> retired). Default false: leave them. */
  retireUnconfigured?: boolean;
  /** Run the schedule once while opening (creates the first keys). Default true. */
  schedule?: boolean;
  /**
   * Whether this process runs the schedule now (`jwkit serve --workers`: only the rotation
   * leader does; cluster/worker.ts). When it returns false, `tick()` only reloads what the store
   * holds, as `refresh()` does, and the background loop polls every `pollInterval`. Explicit
   * calls (`rotate`, `revoke`, ...) still commit. Default: always true.
   */
  leader?: () => boolean;
  /**
   * Reconcile the custody with the store at open (issue 17.3: destroy pending and unknown token
   * objects). Default true. `jwkit keys --pkcs11` passes false: a short-lived writer beside a
   * running server must not destroy an object that server made and is about to commit; the
   * server's own reconcile at its next start does that work.
   */
  reconcileCustody?: boolean;
  onEvent?: (event: ManagerEvent) => void;
}

export type ManagerEvent =
  | ScheduleEvent
  | { type: 'published'; revision: number; kids: string[] }
  | { type: 'store-error'; error: Error }
  | { type: 'store-recovered' }
  /** An audit entry written by another process (the CLI, another replica) since the last reload. */
  | { type: 'audit'; entry: AuditEntry }
  /** A stored key the store does not prove (issue 13.2); `refused`: it is not published. */
  | { type: 'integrity-error'; kid: string; reason: string; refused: boolean }
  /** The stored policy changed (by this or another writer). */
  | { type: 'policy-changed'; policy: StoredPolicy }
  /**
   * Key custody outside the store (PKCS#11): `destroyed` a token object (reason: `revoked`,
   * `removed`, `unused`, `unrecorded`, or at the reconcile `pending` / `unknown`), `missing` a
   * published key's object, `destroy-failed` (left for the reconcile at the next start),
   * `foreign` a jwkit object this store never made (another store's: left alone).
   */
  | {
      type: 'custody';
      action: 'destroyed' | 'missing' | 'destroy-failed' | 'foreign';
      kid: string;
      alg: string | null;
      reason: string;
    };

/** One key as reported by `list()`, `GET /admin/keys` and `jwkit keys list`. */
export interface KeyInfo {
  kid: string;
  alg: string;
  kty: string;
  state: KeyState;
  origin: 'generated' | 'imported';
  published: boolean;
  created: string;
  activates: string;
  retires: string;
  expires: string | null;
  revoked?: string;
  /** Set for a key whose private half is held outside the store (`pkcs11`); absent for software keys. */
  custody?: Exclude<CustodyKind, 'software'>;
}

export interface Publication {
  /** Increases whenever the published keys change; the HTTP layer re-prepares its body then. */
  readonly revision: number;
  /** Public JWKs, current keys first. */
  readonly keys: readonly PublicJWK[];
}

export interface Health {
  /** Every configured algorithm has a signing key and the store answered the last time it was asked. */
  ready: boolean;
  store: 'ok' | 'unavailable';
  error?: string;
  /** When the store last answered (ISO-8601), null before it ever did. */
  lastSync: string | null;
  missing: string[];
  /** The error code behind `error` (ERR_STORE_MISSING, ERR_STORE_REPLACED, ERR_MASTER_KEY_MISMATCH, ...). */
  code?: string;
  /** The store's identity (random id; SQLite file device and inode) as opened. */
  storeId?: string;
  /** Stored keys the store does not prove; `refused` ones are not published. */
  integrity: { kid: string; reason: string; refused: boolean }[];
  /** Where new keys are made: `software`, or `pkcs11` with the token's description. */
  custody: { kind: CustodyKind; description: string };
}

/** The additional data of the store's key check: an empty message sealed under the master key that made the store. */
export const KEY_CHECK_AAD = 'jwkit master key check';
const MAX_ATTEMPTS = 8;

export class KeyManager {
  readonly store: KeyStore;
  readonly clock: ManagerClock;
  /** This process's writer id in the audit trail. */
  readonly writer: string = writerId();
  readonly stats: ManagerStats = {
    rotations: new Counter(),
    storeLatency: new Map(),
    storeErrors: new Counter(),
  };
  readonly #masterKey: MasterKey | undefined;
  readonly #pollInterval: number;
  readonly #options: KeyManagerOptions;
  #snapshot: Snapshot = { version: -1, keys: [], keyCheck: null };
  #publication: Publication = { revision: 0, keys: [] };
  #publishedFingerprint = '';
  #signers = new Map<string, KeySigner>();
  /** Software custody (keys sealed in the store), always there: a PKCS#11 store may hold imported or older software keys. */
  readonly #software: SoftwareCustody;
  /** The custody new keys are made in. */
  readonly #custody: KeyCustody;
  /** The custody outside the store (PKCS#11), when there is one. */
  readonly #external: KeyCustody | undefined;
  /** Public keys read back from the external custody, by label (= kid): what proves its stored keys. */
  #onToken = new Map<string, PublicJWK>();
  #queue: Promise<unknown> = Promise.resolve();
  #storeError: Error | undefined;
  #lastSync: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #closed = false;
  #unwatch: (() => void) | undefined;
  #loopRun: Promise<void> = Promise.resolve();
  #policy: StoredPolicy;
  #policyText: string;
  #settings: ScheduleSettings;
  #masterKeyError: Error | undefined;
  #proofs = new Map<string, { fingerprint: string; proof: PublicProof }>();
  #integrity: { kid: string; reason: string; refused: boolean }[] = [];
  #auditCursor = 0;
  #auditPull: Promise<void> = Promise.resolve();

  private constructor(options: KeyManagerOptions, policy: StoredPolicy) {
    this.#options = options;
    this.store = options.store;
    this.#masterKey = options.masterKey;
    this.#software = new SoftwareCustody(options.masterKey);
    this.#custody = options.custody ?? this.#software;
    this.#external = this.#custody.kind === 'software' ? undefined : this.#custody;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.#policy = policy;
    this.#policyText = serializePolicy(policy);
    this.#settings = settingsOf(policy);
    this.#pollInterval = toMillis(options.pollInterval ?? '5s', 'pollInterval');
    if (this.#pollInterval <= 0 || this.#pollInterval > this.settings.skew) {
      throw new ServerConfigError(
        'ERR_BAD_POLICY',
        `pollInterval (${formatMillis(this.#pollInterval)}) must be positive and at most skew (${formatMillis(this.settings.skew)}): ` +
          'a replica may keep signing with a key another replica retired for that long',
      );
    }
  }

  /**
   * Loads the store, checks the master key against it, reconciles the stored policy with the
   * options (see `policies`), and (by default) creates the first keys.
   */
  static async open(options: KeyManagerOptions): Promise<KeyManager> {
    const first = await options.store.load();
    if (first.keyCheck !== null) options.masterKey?.open(first.keyCheck, KEY_CHECK_AAD);
    requireCustody(first, options.custody, options.store);
    if (options.masterKey === undefined) requireMasterKey(first, options.custody, options.store);
    const policy = await reconcilePolicy(options.store, policyFlagsOf(options), {
      update: options.updatePolicy === true,
      requireStored: options.requireStoredPolicy === true,
      actor: options.actor ?? 'library',
      ...(options.clock ? { now: options.clock.now() } : {}),
    });
    const manager = new KeyManager(options, policy);
    const snapshot = await manager.#timed('load', () => manager.store.load());
    manager.#checkMasterKey(snapshot);
    await manager.#reconcileCustody(snapshot);
    manager.#adopt(snapshot);
    const last = await manager.store.audit?.({ limit: 1 }).catch(() => []);
    manager.#auditCursor = last?.[0]?.id ?? 0;
    if (options.schedule !== false) await manager.tick();
    return manager;
  }

  /** The stored policy this manager schedules from (updated when another writer changes it). */
  get storedPolicy(): StoredPolicy {
    return this.#policy;
  }

  get policies(): readonly Policy[] {
    return this.#policy.policies;
  }

  get settings(): ScheduleSettings {
    return this.#settings;
  }

  /** The audit trail, oldest first (`GET /admin/audit`); `[]` for a store without one. */
  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    return (await this.store.audit?.(query)) ?? [];
  }

  /**
   * Appends an audit entry that describes no key change: an admin call, a failed admin
   * authentication. Kids and details are stored as given (escaped when printed).
   */
  async recordAudit(
    event: string,
    fields: { actor?: AuditActor; kid?: string | null; alg?: string | null; detail?: unknown } = {},
  ): Promise<void> {
    if (!this.store.appendAudit) return;
    const ctx: AuditContext = {
      actor: fields.actor ?? this.#options.actor ?? 'library',
      writer: this.writer,
      at: this.clock.now(),
    };
    const entry = auditEntry(ctx, event, fields);
    return new Promise<void>((resolve, reject) => {
      this.#auditBatch.push({ entry, resolve, reject });
      // Group commit: every entry recorded in one turn of the event loop goes into one store
      // transaction. Under load (POST /admin/sign from many connections) one write per admin
      // call was the cost of the call; each caller still waits for its own entry's commit.
      if (this.#auditBatch.length === 1) setImmediate(() => void this.#flushAudit());
    });
  }

  /** Entries recorded and not yet committed (`recordAudit`), with their callers' settlements. */
  #auditBatch: Array<{ entry: NewAuditEntry; resolve: () => void; reject: (e: unknown) => void }> = [];

  async #flushAudit(): Promise<void> {
    const batch = this.#auditBatch;
    if (batch.length === 0) return;
    this.#auditBatch = [];
    try {
      await this.store.appendAudit!(batch.map((b) => b.entry));
      for (const b of batch) b.resolve();
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  /** Starts the background schedule: a timer for the next due change, a poll, and store notifications. */
  start(): void {
    if (this.#running || this.#closed) return;
    this.#running = true;
    this.#unwatch = this.store.watch?.(() => {
      this.refresh().catch(() => {});
    });
    this.#loopRun = this.#loop();
  }

  /** Stops the background work and waits for a change in progress. The store stays open (it is the caller's). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#unwatch?.();
    await this.#loopRun;
    await this.#queue.catch(() => {});
    await this.#flushAudit();
  }

  /**
   * Brings the schedule up to date: promotes, pre-publishes, removes what is due (or loads what
   * another process changed). Cheap when nothing is due: one version read.
   */
  async tick(): Promise<void> {
    if (this.#options.leader?.() === false) return this.refresh();
    const version = await this.#timed('version', () => this.store.version());
    const due = nextEventAt(this.#snapshot.keys, this.settings) <= this.clock.now();
    const unconfigured = this.#options.retireUnconfigured && this.#unconfiguredAlgs().length > 0;
    if (version === this.#snapshot.version && !due && !unconfigured) return;
    await this.#mutate((d) => {
      if (this.#options.retireUnconfigured) {
        for (const alg of new Set(d.keys().map((k) => k.alg))) if (!d.policy(alg)) d.retireAlg(alg);
      }
      d.schedule();
    }, 'schedule');
  }

  /** Reloads the store when another process changed it. */
  async refresh(): Promise<void> {
    const version = await this.#timed('version', () => this.store.version());
    if (version === this.#snapshot.version) return;
    const snapshot = await this.#timed('load', () => this.store.load());
    // A store re-keyed by `jwkit keys rekey` no longer opens with this process's master key:
    // keep serving what is in memory and report not-ready, rather than publish nothing.
    this.#checkMasterKey(snapshot);
    if (this.#external) await this.#readCustody();
    this.#adopt(snapshot);
  }

  /** Rotates now: the next key of `alg` (or of every configured alg) starts signing. Returns the new current keys. */
  async rotate(alg?: string, options: { actor?: AuditActor } = {}): Promise<KeyInfo[]> {
    const algs = alg === undefined ? this.policies.map((p) => p.alg) : [this.#policyOf(alg).alg];
    return this.#mutate((d) => {
      for (const a of algs) d.rotate(a);
      d.schedule();
      if (d.missing.size > 0) return []; // run again once the missing keys exist
      return algs.map((a) => toInfo(d.keys().find((k) => k.alg === a && k.state === 'current')!));
    }, options.actor);
  }

  /** Revokes a key: out of the published set at once; a revoked current key is replaced at once. */
  async revoke(kid: string, options: { actor?: AuditActor } = {}): Promise<KeyInfo> {
    return this.#mutate((d) => {
      const key = d.get(kid);
      if (!key)
        throw new KeyLifecycleError('ERR_KEY_UNKNOWN', `no key with kid ${JSON.stringify(kid)} in the store`);
      if (key.state === 'revoked') {
        throw new KeyLifecycleError('ERR_KEY_REVOKED', `key ${JSON.stringify(kid)} is already revoked`);
      }
      const revoked = d.revoke(kid);
      d.schedule();
      return toInfo(revoked);
    }, options.actor);
  }

  /**
   * Adds a key made elsewhere (already sealed with `sealKey`): as the next key of its alg, or
   * with `activate` as the current key now.
   */
  async addKey(fresh: FreshKey, options: { activate?: boolean; actor?: AuditActor } = {}): Promise<KeyInfo> {
    this.#policyOf(fresh.alg);
    if (fresh.custody == null) this.#requireMasterKey('adding a key sealed under a master key');
    return this.#mutate((d) => {
      if (d.get(fresh.kid)) {
        throw new KeyLifecycleError(
          'ERR_KEY_EXISTS',
          `a key with kid ${JSON.stringify(fresh.kid)} is already in the store`,
        );
      }
      const added = d.add(fresh, options.activate === true);
      d.schedule();
      return toInfo(added);
    }, options.actor);
  }

  /**
   * Imports a private key (JWK or PEM): as the next key of its alg (published for `prePublish`
   * before it signs), or with `activate` as the current key at once.
   */
  async importKey(
    input: ImportInput,
    options: { alg?: string; activate?: boolean; actor?: AuditActor } = {},
  ): Promise<KeyInfo> {
    const algs = this.policies.map((p) => p.alg);
    const fresh = await readImportedKey(
      input,
      options.alg,
      algs,
      this.#requireMasterKey('importing a private key'),
    );
    return this.addKey(fresh, options);
  }

  /**
   * Signs a JWT with the current key of `alg` (default: the first configured alg). Sets `iat`,
   * `exp` (`expiresIn`, seconds or `'15m'`; default and maximum: the policy's maxTokenLifetime,
   * since a retired key stays published only that long) and `iss` when the claims have none.
   */
  async sign(
    claims: JWTPayload,
    options: { alg?: string; expiresIn?: number | string; issuer?: string } = {},
  ): Promise<string> {
    const { signer, alg, policy } = this.signer(options.alg);
    const max = policy.maxTokenLifetime / 1000;
    const lifetime = options.expiresIn === undefined ? max : seconds(options.expiresIn, 'expiresIn');
    if (lifetime > max || lifetime <= 0) {
      throw new KeyLifecycleError(
        'ERR_TOKEN_LIFETIME',
        `expiresIn must be more than 0 and at most ${formatMillis(policy.maxTokenLifetime)} (the ${alg} policy's maxTokenLifetime); ` +
          'a token may not outlive the publication of its key',
      );
    }
    const now = this.clock.now();
    const issuer = claims.iss === undefined ? options.issuer : undefined;
    const signOptions = {
      expiresIn: lifetime,
      clock: () => now,
      ...(issuer === undefined ? {} : { issuer }),
    };
    // Software keys sign through jwkit's cached fast path; keys held elsewhere get the same
    // header and claims, with the signature from their custody (signJWTWith).
    return signer.jwk
      ? signJWT(claims, signer.jwk, { ...signOptions, alg, backend: nodeBackend })
      : signJWTWith(claims, signer, signOptions);
  }

  /** Every stored key, current keys first. */
  list(): KeyInfo[] {
    return this.#sorted(this.#snapshot.keys).map(toInfo);
  }

  /** The keys served at the JWKS endpoint. */
  publication(): Publication {
    return this.#publication;
  }

  /** Seconds a JWKS response served now may be cached and served stale (see schedule.ts `cacheLifetime`). */
  cacheLifetime(): { maxAge: number; staleWhileRevalidate: number } {
    return cacheLifetime(this.#snapshot.keys, this.settings, this.clock.now());
  }

  /**
   * The key that signs for `alg` (default: the first configured alg) now, as a private JWK.
   * Throws `ERR_NO_SIGNING_KEY` when the alg has none, or when its rotation is overdue by more
   * than the skew allowance (the store has been unreachable: another replica may have retired it).
   */
  signingKey(alg?: string): { kid: string; alg: string; jwk: SigningJWK; policy: Policy } {
    const { kid, signer, policy } = this.signer(alg);
    if (!signer.jwk) {
      throw new KeyLifecycleError(
        'ERR_PKCS11_NOT_EXPORTABLE',
        `the current ${policy.alg} key ${kid} is held in a PKCS#11 token and never leaves it; sign with KeyManager.sign (POST /admin/sign) or use signer()`,
      );
    }
    return { kid, alg: policy.alg, jwk: signer.jwk, policy };
  }

  /**
   * The signer of the key that signs for `alg` now (same rules as `signingKey`), whatever its
   * custody. A key held in a token signs only while the token proves it (it is published).
   */
  signer(alg?: string): { kid: string; alg: string; signer: KeySigner; policy: Policy } {
    const policy = this.#policyOf(alg ?? this.policies[0]!.alg);
    const key = this.#snapshot.keys.find((k) => k.alg === policy.alg && k.state === 'current');
    if (!key) {
      throw new KeyLifecycleError(
        'ERR_NO_SIGNING_KEY',
        `no current ${policy.alg} key; the store has not been scheduled yet`,
      );
    }
    if (this.clock.now() > key.retiresAt + this.settings.skew) {
      throw new KeyLifecycleError(
        'ERR_NO_SIGNING_KEY',
        `the ${policy.alg} key ${key.kid} was due to retire at ${iso(key.retiresAt)} and the store could not be reached to rotate it; ` +
          'signing stops until the store is back',
      );
    }
    let signer = this.#signers.get(key.kid);
    if (!signer) {
      signer = this.#custodyOf(key).signer(key);
      this.#signers.set(key.kid, signer);
    }
    if (signer.kind !== 'software') {
      const proof = this.#proofs.get(key.kid)?.proof;
      if (!proof?.ok) {
        throw new KeyLifecycleError(
          'ERR_NO_SIGNING_KEY',
          `the current ${policy.alg} key ${key.kid} is not proven by its token (${proof ? proof.reason : 'not checked yet'}); ` +
            'it is not published and does not sign: rotate (POST /admin/rotate) to make a new key in the token',
        );
      }
    }
    return { kid: key.kid, alg: policy.alg, signer, policy };
  }

  /**
   * Readiness (`/readyz`): every configured alg has a signing key, the store answered the last
   * time it was asked and is still the store this process opened (a deleted or replaced SQLite
   * file or PostgreSQL store is ERR_STORE_MISSING / ERR_STORE_REPLACED, issue 13.3), and it
   * still opens with this process's master key.
   */
  health(): Health {
    const missing = this.policies
      .filter((p) => !this.#snapshot.keys.some((k) => k.alg === p.alg && k.state === 'current'))
      .map((p) => p.alg);
    // A current key its token does not prove cannot sign: not ready until a rotation replaces it.
    const unproven = this.#snapshot.keys.filter(
      (k) =>
        k.state === 'current' &&
        custodyKindOf(k) !== 'software' &&
        this.#integrity.some((p) => p.kid === k.kid && p.refused),
    );
    const custodyError =
      unproven.length === 0
        ? undefined
        : new TokenError(
            'ERR_PKCS11_KEY_MISSING',
            `the current key ${unproven.map((k) => `${k.alg} ${k.kid}`).join(', ')} is not proven by the PKCS#11 token ` +
              `(${this.#integrity.find((p) => p.kid === unproven[0]!.kid)?.reason}); rotate to make a new key in the token`,
          );
    const error = this.#storeError ?? this.#masterKeyError ?? custodyError;
    const health: Health = {
      ready: missing.length === 0 && error === undefined,
      store: this.#storeError ? 'unavailable' : 'ok',
      lastSync: this.#lastSync === null ? null : iso(this.#lastSync),
      missing,
      integrity: [...this.#integrity],
      custody: { kind: this.#custody.kind, description: this.#custody.description },
    };
    const id = this.store.identity?.();
    if (id) health.storeId = id.file ? `${id.id} (dev ${id.file.dev}, inode ${id.file.ino})` : id.id;
    if (error) {
      health.error = error.message;
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string') health.code = code;
    }
    return health;
  }

  /** The last snapshot this process saw (tests check invariants on it). */
  snapshot(): Snapshot {
    return this.#snapshot;
  }

  #policyOf(alg: string): Policy {
    const p = this.policies.find((x) => x.alg === alg);
    if (!p) {
      throw new KeyLifecycleError(
        'ERR_ALG_NOT_CONFIGURED',
        `${alg} is not configured here (configured: ${this.policies.map((x) => x.alg).join(', ')}); add it to the server's algorithms`,
      );
    }
    return p;
  }

  #unconfiguredAlgs(): string[] {
    const algs = new Set<string>();
    for (const k of this.#snapshot.keys) {
      if ((k.state === 'current' || k.state === 'next') && !this.policies.some((p) => p.alg === k.alg))
        algs.add(k.alg);
    }
    return [...algs];
  }

  /**
   * Runs `op` on a draft of the latest snapshot and commits it; serialised within this process.
   * The keys `op` will need are made first, outside the queue (planned on the snapshot in
   * memory), so a slow RSA generation for one alg does not hold up changes to the others.
   */
  async #mutate<T>(
    op: (draft: Draft) => T,
    actor: AuditActor = this.#options.actor ?? 'library',
  ): Promise<T> {
    const pool = new Map<string, FreshKey[]>();
    const dry = new Draft(this.#snapshot.keys, this.clock.now(), this.settings, () => undefined);
    try {
      op(dry);
    } catch {
      // the real run below reports it
    }
    await this.#generate(dry.missing, pool);
    // Token objects to destroy once the commit that stops needing them is durable.
    const gone: { key: StoredKey; reason: string }[] = [];
    const run = this.#queue.then(async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const snapshot = await this.#timed('load', () => this.store.load());
        this.#checkMasterKey(snapshot);
        // Plan on the policy of the snapshot this commit is based on: a policy changed by another
        // writer is adopted here, and the version check makes the plan and the policy agree.
        this.#adoptPolicy(snapshot);
        let draft: Draft;
        let result: T;
        for (;;) {
          const used = new Map<string, number>();
          draft = new Draft(snapshot.keys, this.clock.now(), this.settings, (alg) => {
            const i = used.get(alg) ?? 0;
            const key = pool.get(alg)?.[i];
            if (key) used.set(alg, i + 1);
            return key;
          });
          result = op(draft);
          if (draft.missing.size === 0) break;
          await this.#generate(draft.missing, pool);
        }
        if (!draft.changed) {
          this.#adopt(snapshot);
          await this.#destroyUnused(pool, gone);
          return result;
        }
        // The first commit also records a value sealed under this master key (see #checkMasterKey);
        // without a master key (PKCS#11 custody only) the key check stays null.
        const keyCheck = snapshot.keyCheck ?? this.#masterKey?.seal(new Uint8Array(0), KEY_CHECK_AAD) ?? null;
        const planned = draft.mutation();
        const ctx: AuditContext = { actor, writer: this.writer, at: draft.now };
        const mutation: Mutation = {
          ...planned,
          ...(snapshot.keyCheck === null && keyCheck !== null ? { keyCheck } : {}),
          ...(snapshot.policy == null ? { policy: this.#policyText } : {}),
          audit: keyEvents(snapshot.keys, planned, ctx),
        };
        const committed = await this.#timed('commit', () => this.store.commit(snapshot.version, mutation));
        if (!committed) continue;
        for (const kid of planned.remove) {
          const old = snapshot.keys.find((k) => k.kid === kid);
          if (old && custodyKindOf(old) !== 'software') gone.push({ key: old, reason: 'removed' });
        }
        for (const k of planned.upsert) {
          const old = snapshot.keys.find((o) => o.kid === k.kid);
          if (k.state === 'revoked' && old?.state !== 'revoked' && custodyKindOf(k) !== 'software')
            gone.push({ key: k, reason: 'revoked' });
        }
        this.#adopt({
          version: snapshot.version + 1,
          keys: draft.keys(),
          keyCheck,
          policy: this.#policyText,
        });
        for (const e of draft.events) {
          if (e.type === 'rotated') this.stats.rotations.inc(e.alg);
          this.#emit(e);
        }
        await this.#destroyUnused(pool, gone);
        return result;
      }
      throw new StoreError(
        'ERR_STORE_CONFLICT',
        `the store changed under every one of ${MAX_ATTEMPTS} attempts to commit; another process is writing constantly`,
      );
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * After a commit (or a plan that needed no commit): destroys the token objects of keys the
   * commit revoked or removed, and of generated keys no commit used (another writer rotated
   * first). The store changed first, so a crash here leaves only objects the store no longer
   * needs, which the reconcile at the next start destroys (issue 17.3).
   */
  async #destroyUnused(
    pool: Map<string, FreshKey[]>,
    gone: { key: StoredKey; reason: string }[],
  ): Promise<void> {
    for (const fresh of [...pool.values()].flat()) {
      if (fresh.custody == null || this.#snapshot.keys.some((k) => k.kid === fresh.kid)) continue;
      gone.push({ key: { ...fresh, state: 'retired' } as StoredKey, reason: 'unused' });
    }
    pool.clear();
    if (gone.length === 0 || !this.#external) return;
    faultPoint('key-commit');
    for (const { key, reason } of gone.splice(0)) {
      await this.#destroyObject(custodyRefOf(key)?.label ?? key.kid, key.alg, reason);
      faultPoint('token-destroy');
    }
  }

  /** Destroys one token object; logged (event) and audited; a failure is left for the next reconcile. */
  async #destroyObject(label: string, alg: string | null, reason: string): Promise<void> {
    const external = this.#external!;
    try {
      await external.destroy(label);
    } catch (e) {
      this.#emit({
        type: 'custody',
        action: 'destroy-failed',
        kid: label,
        alg,
        reason: `${reason}: ${(e as Error).message}`,
      });
      return;
    }
    this.#onToken.delete(label);
    this.#emit({ type: 'custody', action: 'destroyed', kid: label, alg, reason });
    if (!this.store.readOnly) {
      await this.recordAudit('token-object-destroyed', {
        actor: this.#options.actor ?? 'library',
        kid: label,
        alg,
        detail: { reason, custody: external.description },
      }).catch(() => {});
    }
  }

  /** Re-reads the public keys the external custody holds (start, reload). */
  async #readCustody(): Promise<CustodyObject[]> {
    const objects = await this.#external!.inventory();
    this.#onToken = new Map();
    for (const o of objects) if (!o.pending && o.publicJwk) this.#onToken.set(o.label, o.publicJwk);
    return objects;
  }

  /**
   * The reconcile at start (issue 17.3), by label: pending objects (a generation a crash cut
   * short), objects the store does not know (made, then a crash before the commit; or a removal
   * whose destroy a crash cut short) and objects of revoked keys are destroyed; a published key
   * whose object is missing is reported (it is not published: see #adopt). Each action is one
   * log line (event) and one audit entry. Replicas sharing one token: see docs/guides/hsm.md.
   */
  async #reconcileCustody(snapshot: Snapshot): Promise<void> {
    if (!this.#external) return;
    const objects = await this.#readCustody();
    if (this.#options.reconcileCustody === false) return;
    const rows = new Map<string, StoredKey>();
    for (const k of snapshot.keys) {
      const ref = custodyRefOf(k);
      if (ref) rows.set(ref.label, k);
    }
    for (const o of objects) {
      const row = rows.get(o.label);
      // A half-made pair under a stored kid is not destroyed: the row is refused (not proven) instead.
      if (o.pending && row !== undefined) continue;
      const reason = o.pending
        ? 'pending'
        : row === undefined
          ? 'unknown'
          : row.state === 'revoked'
            ? 'revoked'
            : undefined;
      // Only a writer that runs the schedule destroys (with --workers: the rotation leader), so
      // a follower never destroys a key the leader made and is about to commit.
      if (reason === undefined || this.store.readOnly || this.#options.leader?.() === false) continue;
      if (reason === 'unknown' && !(await this.#madeHere(o.label))) {
        // Another store's key on a shared token (or a crash in the instant between the token's
        // generate and this store's record of it): left alone, said once per start.
        this.#emit({
          type: 'custody',
          action: 'foreign',
          kid: o.label,
          alg: o.alg,
          reason:
            'a jwkit key on the token that this store never made (another store on the same token?): left alone',
        });
        continue;
      }
      await this.#destroyObject(o.label, row?.alg ?? o.alg, reason);
    }
    for (const [label, k] of rows) {
      if (!isPublished(k) || this.#onToken.has(label)) continue;
      const reason = 'its PKCS#11 object is missing from the token: the key is not published';
      this.#emit({ type: 'custody', action: 'missing', kid: k.kid, alg: k.alg, reason });
      if (!this.store.readOnly) {
        await this.recordAudit('token-object-missing', {
          actor: this.#options.actor ?? 'library',
          kid: k.kid,
          alg: k.alg,
          detail: { reason, custody: this.#external.description },
        }).catch(() => {});
      }
    }
  }

  /** True when this store's audit trail names `kid` (made, created, removed...): the store made that object. */
  async #madeHere(kid: string): Promise<boolean> {
    if (!this.store.audit) return true; // a store without a trail cannot tell: it owns the token
    return (await this.store.audit({ kid, limit: 1 })).length > 0;
  }

  /** The master key, for `what`; ERR_MASTER_KEY_MISSING when this manager runs without one (PKCS#11 only). */
  #requireMasterKey(what: string): MasterKey {
    if (this.#masterKey) return this.#masterKey;
    throw new ServerConfigError(
      'ERR_MASTER_KEY_MISSING',
      `${what} needs a master key, and the store ${this.store.description} runs without one: its keys live in the PKCS#11 token only. ` +
        'Keep keys in the token (rotate makes them there), or use a store made with a master key (JWKIT_MASTER_KEY or --master-key-file)',
    );
  }

  /** The custody that holds a stored key's private half. */
  #custodyOf(key: StoredKey): KeyCustody {
    if (custodyKindOf(key) === 'software') return this.#software;
    if (!this.#external) {
      throw new ServerConfigError(
        'ERR_PKCS11_REQUIRED',
        `the key ${key.kid} is held in a PKCS#11 token and this process was started without one; start with --pkcs11 '<RFC 7512 URI of the token>'`,
      );
    }
    return this.#external;
  }

  /** Takes the snapshot's stored policy as this manager's when it differs. */
  #adoptPolicy(snapshot: Snapshot): void {
    if (snapshot.policy == null || snapshot.policy === this.#policyText) return;
    const policy = parseStoredPolicy(snapshot.policy);
    this.#policy = policy;
    this.#policyText = snapshot.policy;
    this.#settings = settingsOf(policy);
    this.#emit({ type: 'policy-changed', policy });
  }

  /** Reports audit entries other processes wrote since the last look (serialised; best effort). */
  #pullAudit(): void {
    if (!this.store.audit) return;
    this.#auditPull = this.#auditPull.then(async () => {
      try {
        for (;;) {
          const entries = (await this.store.audit?.({ after: this.#auditCursor, limit: 500 })) ?? [];
          for (const entry of entries) {
            this.#auditCursor = Math.max(this.#auditCursor, entry.id);
            if (entry.writer !== this.writer) this.#emit({ type: 'audit', entry });
          }
          if (entries.length < 500) return;
        }
      } catch {
        // reported by the next store call that fails
      }
    });
  }

  async #generate(missing: Map<string, number>, pool: Map<string, FreshKey[]>): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const [alg, count] of missing) {
      const policy = this.#policyOf(alg);
      for (let i = 0; i < count; i++) {
        jobs.push(
          this.#custody.generate(policy).then(async (k) => {
            if (k.custody != null) await this.#claim(k);
            pool.set(alg, [...(pool.get(alg) ?? []), k]);
          }),
        );
      }
    }
    await Promise.all(jobs);
  }

  /**
   * Records in this store's audit trail that it made the token object `fresh` (before the commit
   * that inserts its row). The reconcile destroys an object the store has no row for only when
   * the store's trail names it: objects another store made on the same token are never
   * destroyed. When the record cannot be written the object is destroyed at once.
   */
  async #claim(fresh: FreshKey): Promise<void> {
    try {
      await this.recordAudit('token-object-made', {
        actor: this.#options.actor ?? 'library',
        kid: fresh.kid,
        alg: fresh.alg,
        detail: { custody: this.#external?.description },
      });
    } catch (e) {
      await this.#destroyObject(fresh.kid, fresh.alg, 'unrecorded');
      throw e;
    }
    if (fresh.publicJwk !== null) this.#onToken.set(fresh.kid, JSON.parse(fresh.publicJwk));
    faultPoint('token-generate');
  }

  #checkMasterKey(snapshot: Snapshot): void {
    if (snapshot.keyCheck !== null && snapshot.keyCheck !== this.#snapshot.keyCheck) {
      // Throws ERR_MASTER_KEY_MISMATCH (naming both key ids) when the store was made under
      // another key, or was re-keyed (`jwkit keys rekey`) while this process ran; without a
      // master key, ERR_MASTER_KEY_MISSING once another writer gave the store one.
      try {
        if (this.#masterKey === undefined) requireMasterKey(snapshot, this.#custody, this.store);
        this.#masterKey?.open(snapshot.keyCheck, KEY_CHECK_AAD);
      } catch (e) {
        if (this.#masterKeyError === undefined) this.#emit({ type: 'store-error', error: e as Error });
        this.#masterKeyError = e as Error;
        throw e;
      }
    }
    this.#masterKeyError = undefined;
  }

  /** Makes `snapshot` the served state when it is not older than the one served. */
  #adopt(snapshot: Snapshot): void {
    if (snapshot.version < this.#snapshot.version) return;
    const foreign = snapshot.version > this.#snapshot.version && this.#snapshot.version >= 0;
    this.#adoptPolicy(snapshot);
    this.#snapshot = snapshot;
    // Publish only what the store proves (issue 13.2): each key's public JWK derived from its
    // decrypted private key (or checked against its public_mac binding); a row that fails is
    // left out and reported.
    const published: { kid: string; jwk: PublicJWK }[] = [];
    const integrity: { kid: string; reason: string; refused: boolean }[] = [];
    const seen = new Set<string>();
    for (const k of this.#sorted(snapshot.keys).filter(isPublished)) {
      seen.add(k.kid);
      const external = custodyKindOf(k) !== 'software';
      const onToken = external ? this.#onToken.get(custodyRefOf(k)!.label) : undefined;
      const fingerprint = `${k.sealedPrivate}\0${k.publicJwk}\0${k.publicMac ?? ''}\0${k.custody ?? ''}\0${
        external ? (onToken ? thumbprint(onToken) : 'missing') : ''
      }`;
      let cached = this.#proofs.get(k.kid);
      const fresh = cached?.fingerprint !== fingerprint;
      if (!cached || fresh) {
        // Keys held in a token are proven by the token (signer/pkcs11.ts provenByToken).
        const proof: PublicProof = !external
          ? this.#masterKey
            ? provenPublic(k, this.#masterKey)
            : {
                ok: false,
                reason: 'it is a software key sealed under a master key, and this process runs without one',
              }
          : this.#external
            ? provenByToken(k, onToken, this.#masterKey)
            : {
                ok: false,
                reason: 'it is held in a PKCS#11 token and this process was started without --pkcs11',
              };
        cached = { fingerprint, proof };
        this.#proofs.set(k.kid, cached);
      }
      const proof = cached.proof;
      if (proof.ok) published.push({ kid: k.kid, jwk: proof.jwk });
      const reason = proof.ok ? proof.mismatch : proof.reason;
      if (reason !== undefined) {
        const problem = { kid: k.kid, reason, refused: !proof.ok };
        integrity.push(problem);
        if (fresh) {
          this.#emit({ type: 'integrity-error', ...problem });
          void this.recordAudit('integrity-error', {
            actor: 'schedule',
            kid: k.kid,
            alg: k.alg,
            detail: { reason, refused: !proof.ok },
          }).catch(() => {});
        }
      }
    }
    for (const kid of this.#proofs.keys()) if (!seen.has(kid)) this.#proofs.delete(kid);
    this.#integrity = integrity;
    const fingerprint = published.map((k) => JSON.stringify(k.jwk)).join('\n');
    if (fingerprint !== this.#publishedFingerprint) {
      this.#publishedFingerprint = fingerprint;
      this.#publication = {
        revision: this.#publication.revision + 1,
        keys: published.map((k) => k.jwk),
      };
      this.#emit({
        type: 'published',
        revision: this.#publication.revision,
        kids: published.map((k) => k.kid),
      });
    }
    if (foreign) this.#pullAudit();
    for (const kid of this.#signers.keys()) {
      if (!snapshot.keys.some((k) => k.kid === kid && k.state === 'current')) this.#signers.delete(kid);
    }
  }

  /** Current keys first (in policy order), then next, retired, revoked; newest first within a state. */
  #sorted(keys: readonly StoredKey[]): StoredKey[] {
    const order = (alg: string) => {
      const i = this.policies.findIndex((p) => p.alg === alg);
      return i < 0 ? this.policies.length : i;
    };
    return [...keys].sort(
      (a, b) =>
        STATE_RANK[a.state] - STATE_RANK[b.state] ||
        order(a.alg) - order(b.alg) ||
        b.activatesAt - a.activatesAt ||
        (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0),
    );
  }

  async #timed<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    let histogram = this.stats.storeLatency.get(op);
    if (!histogram) {
      histogram = new Histogram();
      this.stats.storeLatency.set(op, histogram);
    }
    try {
      const out = await fn();
      histogram.observe((performance.now() - start) / 1000);
      this.#lastSync = this.clock.now();
      if (this.#storeError) {
        this.#storeError = undefined;
        this.#emit({ type: 'store-recovered' });
      }
      return out;
    } catch (e) {
      histogram.observe((performance.now() - start) / 1000);
      this.stats.storeErrors.inc(op);
      if (e instanceof StoreError && e.code !== 'ERR_STORE_INTEGRITY') {
        const first = this.#storeError === undefined;
        this.#storeError = e;
        if (first) this.#emit({ type: 'store-error', error: e });
      }
      throw e;
    }
  }

  async #loop(): Promise<void> {
    if (!this.#running) return;
    let ok = true;
    try {
      await this.tick();
    } catch {
      ok = false; // reported through health() and the store-error event
    }
    if (!this.#running) return;
    // A follower (see `leader`) waits for the leader's commit: polling, not the due time.
    const due =
      this.#options.leader?.() === false
        ? this.#pollInterval
        : nextEventAt(this.#snapshot.keys, this.settings) - this.clock.now();
    // Never spin: at least 25 ms between runs, and the poll interval after a failure.
    const delay = Math.min(
      ok ? Math.max(25, Math.min(this.#pollInterval, due)) : this.#pollInterval,
      2 ** 31 - 1,
    );
    this.#timer = setTimeout(() => {
      this.#loopRun = this.#loop();
    }, delay);
    this.#timer.unref();
  }

  #emit(event: ManagerEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // A listener's failure must not break a committed change.
    }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function toInfo(k: StoredKey): KeyInfo {
  const info: KeyInfo = {
    kid: k.kid,
    alg: k.alg,
    kty: k.kty,
    state: k.state,
    origin: k.origin,
    published: isPublished(k),
    created: iso(k.createdAt),
    activates: iso(k.activatesAt),
    retires: iso(k.retiresAt),
    expires: k.expiresAt === null ? null : iso(k.expiresAt),
  };
  if (k.revokedAt !== null) info.revoked = iso(k.revokedAt);
  const custody = custodyKindOf(k);
  if (custody !== 'software') info.custody = custody;
  return info;
}

/**
 * A store holding keys in a PKCS#11 token cannot sign without the token (issue 17.4): a manager
 * without a PKCS#11 custody refuses it, naming PKCS#11, before anything is written.
 */
function requireCustody(snapshot: Snapshot, custody: KeyCustody | undefined, store: KeyStore): void {
  if (custody !== undefined && custody.kind !== 'software') return;
  const held = snapshot.keys.filter((k) => k.state !== 'revoked' && custodyKindOf(k) !== 'software');
  if (held.length === 0) return;
  const tokens = [...new Set(held.map((k) => custodyRefOf(k)!.token).filter((t) => t !== ''))];
  throw new ServerConfigError(
    'ERR_PKCS11_REQUIRED',
    `the store ${store.description} holds ${held.length} key(s) in a PKCS#11 token${tokens.length > 0 ? ` (${tokens.join(', ')})` : ''}, ` +
      "and a store without its token cannot sign: start with --pkcs11 '<RFC 7512 URI of that token>' (or JWKIT_PKCS11_URI)",
  );
}

/**
 * Without a master key (issue 17: PKCS#11 keys need none) a manager opens only a store whose keys
 * all live in a token, with a PKCS#11 custody, and no key check (a store made with a master key
 * keeps needing it: its software keys, its public_mac bindings).
 */
function requireMasterKey(snapshot: Snapshot, custody: KeyCustody | undefined, store: KeyStore): void {
  const sealed = snapshot.keys.filter((k) => custodyKindOf(k) === 'software' && k.state !== 'revoked').length;
  const why =
    custody === undefined || custody.kind === 'software'
      ? 'software keys are sealed under it (only a PKCS#11 custody, --pkcs11, runs without one)'
      : snapshot.keyCheck !== null
        ? 'the store was made with a master key (it holds its key check)'
        : sealed > 0
          ? `the store holds ${sealed} software key(s) sealed under one`
          : undefined;
  if (why === undefined) return;
  throw new ServerConfigError(
    'ERR_MASTER_KEY_MISSING',
    `no master key for the store ${store.description}, and ${why}: set JWKIT_MASTER_KEY or give --master-key-file (the key it was made with)`,
  );
}

/** The policy values a manager's options give explicitly (what `reconcilePolicy` compares). */
export function policyFlagsOf(options: KeyManagerOptions): PolicyFlags {
  const flags: PolicyFlags = {};
  if (options.policies !== undefined) flags.algs = options.policies;
  const d = options.policyDefaults ?? {};
  if (d.rotationPeriod !== undefined) flags.rotationPeriod = d.rotationPeriod;
  if (d.prePublish !== undefined) flags.prePublish = d.prePublish;
  if (d.maxTokenLifetime !== undefined) flags.maxTokenLifetime = d.maxTokenLifetime;
  if (d.size !== undefined) flags.rsaBits = d.size;
  if (options.cacheMaxAge !== undefined) flags.cacheMaxAge = options.cacheMaxAge;
  if (options.staleWhileRevalidate !== undefined) flags.staleWhileRevalidate = options.staleWhileRevalidate;
  if (options.skew !== undefined) flags.skew = options.skew;
  return flags;
}

export interface ReconcileOptions {
  /** Change the stored policy to what `flags` give (`--update-policy`, `jwkit keys policy set`). Default false. */
  update?: boolean;
  /** Throw ERR_POLICY_MISSING for a store without a stored policy instead of setting one. Default false. */
  requireStored?: boolean;
  actor?: AuditActor;
  writer?: string;
  /** Default `Date.now()`. */
  now?: number;
}

/**
 * The policy a writer must schedule from (issue 14.1): the store's. A store without one gets
 * `flags` (with defaults; a store that already holds keys keeps their algorithms when `flags`
 * name none). When `flags` disagree with the stored policy this throws `ERR_POLICY_MISMATCH`
 * naming each difference, and changes nothing; with `update` it commits the new policy instead
 * (one compare-and-set commit with its audit entry): lifetimes that shrink leave a retention
 * floor, and the keys of algorithms the new policy drops are retired (never removed at once).
 */
export async function reconcilePolicy(
  store: KeyStore,
  flags: PolicyFlags,
  options: ReconcileOptions = {},
): Promise<StoredPolicy> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const snapshot = await store.load();
    const now = options.now ?? Date.now();
    const ctx: AuditContext = {
      actor: options.actor ?? 'library',
      writer: options.writer ?? writerId(),
      at: now,
    };
    if (snapshot.policy == null) {
      if (options.requireStored) {
        throw new ServerConfigError(
          'ERR_POLICY_MISSING',
          `the store ${store.description} has no stored policy yet (it was made by an older jwkit): ` +
            'set it once with `jwkit keys policy set --algs ... --rotation-period ... --max-token-lifetime ...` ' +
            '(the values the server runs with), or start `jwkit serve` with its usual flags',
        );
      }
      let f = flags;
      if (f.algs === undefined) {
        const inStore = [
          ...new Set(
            snapshot.keys.filter((k) => k.state === 'current' || k.state === 'next').map((k) => k.alg),
          ),
        ];
        if (inStore.length > 0) f = { ...f, algs: inStore };
      }
      const policy = policyFromFlags(f);
      const ok = await store.commit(snapshot.version, {
        upsert: [],
        remove: [],
        policy: serializePolicy(policy),
        audit: [auditEntry(ctx, 'policy-changed', { detail: { set: describePolicy(policy) } })],
      });
      if (ok) return policy;
      continue;
    }
    const stored = parseStoredPolicy(snapshot.policy);
    const differences = policyDifferences(stored, flags);
    if (differences.length === 0) return stored;
    if (!options.update) {
      throw new ServerConfigError(
        'ERR_POLICY_MISMATCH',
        `the flags disagree with the policy stored in ${store.description}: ${differences.join('; ')}. ` +
          'The stored policy is what every writer schedules from; drop these flags, or change the policy on purpose ' +
          'with `jwkit keys policy set ...` or `jwkit serve --update-policy`',
      );
    }
    const next = applyPolicyFlags(stored, flags, now, (alg, p) => retention(alg, settingsOf(p)));
    const draft = new Draft(snapshot.keys, now, settingsOf(next), () => undefined);
    const live = new Set(
      snapshot.keys.filter((k) => k.state === 'current' || k.state === 'next').map((k) => k.alg),
    );
    for (const alg of live) if (!draft.policy(alg)) draft.retireAlg(alg);
    const planned = draft.mutation();
    const ok = await store.commit(snapshot.version, {
      ...planned,
      policy: serializePolicy(next),
      audit: [
        auditEntry(ctx, 'policy-changed', { detail: { changes: differences, policy: describePolicy(next) } }),
        ...keyEvents(snapshot.keys, planned, ctx),
      ],
    });
    if (ok) return next;
  }
  throw new StoreError(
    'ERR_STORE_CONFLICT',
    `the store changed under every one of ${MAX_ATTEMPTS} attempts to commit; another process is writing constantly`,
  );
}
