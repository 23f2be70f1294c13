/**
 * `jwkit keys ...`: the key lifecycle and the store's operations without the HTTP admin API.
 * Each function opens the store, does one thing in one transaction, and closes it. A running
 * server sees the change at its next poll (or at once on PostgreSQL, by notification).
 *
 * - Read-only commands (`list`, `policy show`, `audit`, `backup`) open the store read-only: they
 *   create nothing, migrate nothing, and fail with ERR_STORE_MISSING for a store that is not
 *   there (issue 13.16).
 * - Writing commands schedule from the policy stored in the store, never from built-in
 *   defaults (issue 14.1), and never create a store, except `init` and `restore`.
 */

import { randomBytes } from 'node:crypto';
import { link, open, readFile, stat, unlink } from 'node:fs/promises';
import { StoreError } from 'jwkit';
import { loadMasterKey, MasterKey } from './crypto-at-rest.js';
import { ServerConfigError } from './errors.js';
import type { KeyInfo } from './key-manager.js';
import { KEY_CHECK_AAD, KeyManager, reconcilePolicy, toInfo } from './key-manager.js';
import { bindPublic, openMaterial, sealMaterial } from './key-material.js';
import {
  defaultMasterKeyFile,
  type MasterKeyOptions,
  masterKeyForStore,
  openWriterStore,
} from './master-key-file.js';
import {
  describePolicy,
  type PolicyFlags,
  parseStoredPolicy,
  policyFromFlags,
  type StoredPolicy,
} from './policy.js';
import { checkMechanisms, openCustodyToken } from './signer/open-token.js';
import { Pkcs11Custody } from './signer/pkcs11.js';
import { auditEntry, auditText, writerId } from './stores/audit.js';
import { decryptBackup, encryptBackup } from './stores/backup-file.js';
import { DEFAULT_STORE_URL, openStore } from './stores/open.js';
import {
  type AuditEntry,
  type AuditQuery,
  KEY_STATES,
  type KeyStore,
  type NewAuditEntry,
  STATE_RANK,
  type StoredKey,
} from './stores/store.js';

export interface KeysOptions extends MasterKeyOptions {
  /** Store URL. Default `sqlite:./.jwkit/keys.db`. */
  store?: string;
  /** PostgreSQL schema. Default `public`. */
  schema?: string;
  /**
   * The algorithms the caller expects the store's policy to have; a store whose policy differs
   * is refused with ERR_POLICY_MISMATCH (change it with `keysPolicySet`). Default: not compared.
   */
  algs?: string[];
  /** Where warnings go (a new master key file). Default: stderr. */
  log?: (line: string) => void;
}

export interface Pkcs11Options {
  /**
   * RFC 7512 URI of the PKCS#11 token the store's keys live in (`--pkcs11`, default
   * `JWKIT_PKCS11_URI`, the same setting as `jwkit serve --pkcs11`): rotate makes new keys in the
   * token, revoke destroys the key's object, with the key manager's order of operations (object
   * made and recorded, then the commit; commit, then the destroy).
   */
  pkcs11?: string;
}

const logOf = (options: KeysOptions) => options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
const urlOf = (options: KeysOptions) => options.store ?? DEFAULT_STORE_URL;
const schemaOf = (options: KeysOptions) => (options.schema === undefined ? {} : { schema: options.schema });

async function withReadOnlyStore<T>(options: KeysOptions, fn: (store: KeyStore) => Promise<T>): Promise<T> {
  const store = await openStore(urlOf(options), { ...schemaOf(options), readOnly: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function withManager<T>(
  options: KeysOptions & Pkcs11Options,
  fn: (manager: KeyManager) => Promise<T>,
): Promise<T> {
  const log = logOf(options);
  const warn = (w: string) => log(`jwkit keys: warning: ${w}`);
  // The token is opened (and logged in) before the store, as `jwkit serve --pkcs11` does; its
  // mechanisms are checked against the stored policy once the store is open.
  const uri = options.pkcs11 ?? nonEmpty(process.env.JWKIT_PKCS11_URI);
  const token = uri === undefined ? undefined : await openCustodyToken(uri, [], { warn, info: () => {} });
  try {
    const { store, masterKey } = await openWriterStore(urlOf(options), {
      ...options,
      withoutMasterKey: token !== undefined,
      warn,
    });
    try {
      const custody = token
        ? new Pkcs11Custody(token.token, { tokenName: token.name, masterKey })
        : undefined;
      const manager = await KeyManager.open({
        store,
        masterKey,
        ...(custody === undefined ? {} : { custody, reconcileCustody: false }),
        ...(options.algs === undefined ? {} : { policies: options.algs }),
        requireStoredPolicy: true,
        actor: 'cli',
        schedule: false,
      });
      try {
        if (custody)
          checkMechanisms(
            custody,
            manager.policies.map((p) => p.alg),
          );
        return await fn(manager);
      } finally {
        await manager.close();
      }
    } finally {
      await store.close();
    }
  } finally {
    await token?.token.close().catch(() => {});
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Every key in the store (read-only; no master key needed: nothing is decrypted). */
export async function keysList(options: KeysOptions = {}): Promise<KeyInfo[]> {
  return withReadOnlyStore(options, async (store) => {
    return (await store.load()).keys
      .map(toInfo)
      .sort(
        (a, b) =>
          STATE_RANK[a.state] - STATE_RANK[b.state] ||
          a.alg.localeCompare(b.alg) ||
          b.activates.localeCompare(a.activates),
      );
  });
}

/**
 * Creates a new store on purpose (`jwkit keys init`): its policy from `policy` (defaults for
 * what it leaves out), its master key (a new 0600 key file unless one is given), and its first
 * keys. A store that exists already is refused (ERR_STORE_EXISTS).
 */
export async function keysInit(
  options: KeysOptions & { policy?: PolicyFlags } = {},
): Promise<{ policy: StoredPolicy; keys: KeyInfo[] }> {
  const url = urlOf(options);
  try {
    const existing = await openStore(url, { ...schemaOf(options), readOnly: true });
    await existing.close();
    throw new StoreError(
      'ERR_STORE_EXISTS',
      `the store ${existing.description} exists already; \`jwkit keys init\` only creates new stores (see \`jwkit keys policy set\` to change its policy)`,
    );
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ERR_STORE_MISSING') throw e;
  }
  const flags: PolicyFlags = { ...(options.policy ?? {}) };
  if (flags.algs === undefined && options.algs !== undefined) flags.algs = options.algs;
  // Checked before anything is created: a bad policy leaves no half-made store behind.
  const policyOptions = managerPolicyOptions(flags);
  const log = logOf(options);
  const { store, masterKey } = await openWriterStore(url, {
    ...options,
    init: true,
    warn: (w) => log(`jwkit keys: warning: ${w}`),
  });
  try {
    const manager = await KeyManager.open({
      store,
      masterKey,
      ...policyOptions,
      actor: 'cli',
    });
    try {
      return { policy: manager.storedPolicy, keys: manager.list() };
    } finally {
      await manager.close();
    }
  } finally {
    await store.close();
  }
}

function managerPolicyOptions(flags: PolicyFlags) {
  const full = policyFromFlags(flags);
  return {
    policies: full.policies.map((p) => ({
      alg: p.alg,
      rotationPeriod: p.rotationPeriod,
      prePublish: p.prePublish,
      maxTokenLifetime: p.maxTokenLifetime,
      ...(p.size === undefined ? {} : { size: p.size }),
    })),
    cacheMaxAge: full.cacheMaxAge,
    staleWhileRevalidate: full.staleWhileRevalidate,
    skew: full.skew,
  };
}

/** Rotates now (one alg or all) under the stored policy: the next key starts signing. Returns the new current keys. */
export async function keysRotate(
  options: KeysOptions & Pkcs11Options & { alg?: string } = {},
): Promise<KeyInfo[]> {
  return withManager(options, async (m) => {
    await m.tick();
    return m.rotate(options.alg, { actor: 'cli' });
  });
}

/** Imports a private key from JWK or PEM text, as the next key (or the current one with `activate`). */
export async function keysImport(
  options: KeysOptions & Pkcs11Options & { input: string; alg?: string; activate?: boolean },
): Promise<KeyInfo> {
  const text = options.input.trim();
  const input = text.startsWith('{') ? { jwk: text } : { pem: text };
  return withManager(options, async (m) => {
    await m.tick();
    return m.importKey(input, {
      ...(options.alg === undefined ? {} : { alg: options.alg }),
      activate: options.activate === true,
      actor: 'cli',
    });
  });
}

/** Revokes a key: it leaves the published set at once; a revoked current key is replaced. */
export async function keysRevoke(options: KeysOptions & Pkcs11Options & { kid: string }): Promise<KeyInfo> {
  return withManager(options, (m) => m.revoke(options.kid, { actor: 'cli' }));
}

/** The stored policy (read-only), or null for a store that has none yet. */
export async function keysPolicyShow(options: KeysOptions = {}): Promise<StoredPolicy | null> {
  return withReadOnlyStore(options, async (store) => {
    const { policy } = await store.load();
    return policy == null ? null : parseStoredPolicy(policy);
  });
}

/**
 * Changes the stored policy on purpose: the fields `policy` gives, the rest kept. A shorter
 * lifetime keeps every key published as long as tokens it signed can be valid; the keys of a
 * dropped algorithm are retired. One commit, audited as `policy-changed`.
 */
export async function keysPolicySet(
  options: KeysOptions & { policy: PolicyFlags },
): Promise<{ before: StoredPolicy | null; after: StoredPolicy }> {
  const store = await openStore(urlOf(options), { ...schemaOf(options), create: false });
  try {
    const { policy } = await store.load();
    const before = policy == null ? null : parseStoredPolicy(policy);
    const after = await reconcilePolicy(store, options.policy, { update: true, actor: 'cli' });
    return { before, after };
  } finally {
    await store.close();
  }
}

/** The audit trail (read-only), oldest first. */
export async function keysAudit(options: KeysOptions & AuditQuery = {}): Promise<AuditEntry[]> {
  return withReadOnlyStore(options, async (store) => {
    const query: AuditQuery = {};
    if (options.after !== undefined) query.after = options.after;
    if (options.limit !== undefined) query.limit = options.limit;
    if (options.kid !== undefined) query.kid = options.kid;
    return (await store.audit?.(query)) ?? [];
  });
}

/** The audit trail as a table for people; kids and details escaped (they are input). */
export function formatAudit(entries: readonly AuditEntry[]): string {
  const head = ['ID', 'TIME', 'ACTOR', 'EVENT', 'KID', 'DETAIL'];
  const rows = entries.map((e) => [
    String(e.id),
    new Date(e.at).toISOString(),
    auditText(e.actor),
    auditText(e.event),
    e.kid === null ? '-' : auditText(e.kid),
    e.detail === null ? '' : auditText(e.detail),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 5 ? 0 : r[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 5 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

// --- Backup, restore, rekey (issue 14.2, 14.3) -------------------------------------------------

/** The decrypted content of a backup file. */
interface BackupDocument {
  format: 'jwkit-store-backup';
  version: 1;
  created: string;
  source: { kind: string; storeId: string | null; version: number };
  policy: string | null;
  keys: (Omit<StoredKey, 'sealedPrivate' | 'publicMac'> & { material: unknown })[];
  audit: AuditEntry[];
}

/**
 * The backup passphrase: the contents of `file` (one trailing newline removed), else
 * `JWKIT_BACKUP_PASSPHRASE`. Never a command-line argument (argv is visible to every user).
 */
export async function readPassphrase(file?: string): Promise<string> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new StoreError('ERR_BACKUP_PASSPHRASE', `cannot read the passphrase file ${file}`, { cause });
    }
    return text.replace(/\r?\n$/, '');
  }
  const env = process.env.JWKIT_BACKUP_PASSPHRASE;
  if (env !== undefined && env !== '') return env;
  throw new StoreError(
    'ERR_BACKUP_PASSPHRASE',
    'no backup passphrase: give --passphrase-file FILE or set JWKIT_BACKUP_PASSPHRASE (never on the command line)',
  );
}

async function masterKeyOf(options: KeysOptions, store: KeyStore): Promise<MasterKey> {
  const { keyCheck } = await store.load();
  const loaded = await loadMasterKey({
    ...(options.masterKey === undefined ? {} : { value: options.masterKey }),
    file: options.masterKeyFile ?? defaultMasterKeyFile(urlOf(options)),
  });
  for (const w of loaded.warnings) logOf(options)(`jwkit keys: warning: ${w}`);
  if (keyCheck !== null) loaded.key.open(keyCheck, KEY_CHECK_AAD);
  return loaded.key;
}

/** A store that runs without a master key: no key check, and every key held in a PKCS#11 token. */
function tokenOnly(snapshot: { keyCheck: string | null; keys: readonly StoredKey[] }): boolean {
  return (
    snapshot.keyCheck === null && snapshot.keys.length > 0 && snapshot.keys.every((k) => k.custody != null)
  );
}

/** Writes `text` to `file` (mode 0600) whole, refusing to overwrite: temp file + link(2). */
async function writeNewFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new StoreError(
        'ERR_BACKUP_EXISTS',
        `${file} exists; choose a new file name (a backup never overwrites one)`,
      );
    }
    throw e;
  } finally {
    await unlink(tmp);
  }
}

/**
 * `jwkit keys backup`: every key (state, schedule, private material), the policy and the audit
 * trail of a store, in one file encrypted to a passphrase (scrypt + AES-256-GCM, see
 * stores/backup-file.ts). Opens the store read-only; needs the store's master key.
 */
export async function keysBackup(
  options: KeysOptions & { out: string; passphrase: string },
): Promise<{ file: string; keys: number; kids: string[] }> {
  return withReadOnlyStore(options, async (store) => {
    const snapshot = await store.load();
    // A store that runs without a master key (every key in a PKCS#11 token, no key check) has no
    // private material to open: its backup needs only the passphrase.
    const masterKey = tokenOnly(snapshot) ? undefined : await masterKeyOf(options, store);
    const doc: BackupDocument = {
      format: 'jwkit-store-backup',
      version: 1,
      created: new Date().toISOString(),
      source: { kind: store.kind, storeId: store.identity?.().id ?? null, version: snapshot.version },
      policy: snapshot.policy ?? null,
      keys: snapshot.keys.map(({ sealedPrivate, publicMac, ...rest }) => ({
        ...rest,
        material:
          masterKey === undefined
            ? null
            : openMaterial(masterKey, { kid: rest.kid, alg: rest.alg, sealedPrivate }),
      })),
      audit: (await store.audit?.({ limit: 100_000 })) ?? [],
    };
    const text = await encryptBackup(Buffer.from(JSON.stringify(doc), 'utf8'), options.passphrase);
    await writeNewFile(options.out, text);
    return { file: options.out, keys: doc.keys.length, kids: doc.keys.map((k) => k.kid) };
  });
}

function readBackupDocument(bytes: Uint8Array): BackupDocument {
  let doc: BackupDocument;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as BackupDocument;
  } catch {
    throw new StoreError(
      'ERR_BACKUP_CORRUPT',
      'the backup opened but its content is not JSON; nothing was changed',
    );
  }
  const bad = (why: string) =>
    new StoreError('ERR_BACKUP_CORRUPT', `the backup opened but ${why}; nothing was changed`);
  if (doc?.format !== 'jwkit-store-backup' || doc.version !== 1 || !Array.isArray(doc.keys)) {
    throw bad('it is not a jwkit store backup of version 1');
  }
  for (const [i, k] of doc.keys.entries()) {
    const times = [k.createdAt, k.activatesAt, k.retiresAt];
    if (
      typeof k.kid !== 'string' ||
      typeof k.alg !== 'string' ||
      typeof k.kty !== 'string' ||
      !KEY_STATES.includes(k.state) ||
      !times.every(Number.isSafeInteger) ||
      (k.publicJwk !== null && typeof k.publicJwk !== 'string') ||
      // material: the private JWK; null only for a key held in a PKCS#11 token (`custody` set)
      (k.material === null ? typeof k.custody !== 'string' : typeof k.material !== 'object')
    ) {
      throw bad(`keys[${i}] is not a valid key record`);
    }
  }
  if (doc.policy !== null) parseStoredPolicy(doc.policy);
  return doc;
}

/**
 * `jwkit keys restore`: fills an empty store (SQLite or PostgreSQL; created when missing) from a
 * backup, re-sealing every key under the target's master key, in one transaction. A wrong
 * passphrase or a damaged file fails before the store is opened; a store that holds keys is
 * refused (ERR_STORE_NOT_EMPTY). Moving from SQLite to PostgreSQL is backup + restore.
 */
export async function keysRestore(
  options: KeysOptions & { file: string; passphrase: string },
): Promise<{ keys: number; kids: string[]; current: string[] }> {
  let text: string;
  try {
    text = await readFile(options.file, 'utf8');
  } catch (cause) {
    throw new StoreError('ERR_BACKUP_CORRUPT', `cannot read the backup file ${options.file}`, { cause });
  }
  const doc = readBackupDocument(await decryptBackup(text, options.passphrase));
  const url = urlOf(options);
  const log = logOf(options);
  const store = await openStore(url, { ...schemaOf(options), create: true });
  try {
    const masterKey = await masterKeyForStore(store, url, options, (w) => log(`jwkit keys: warning: ${w}`));
    const snapshot = await store.load();
    if (snapshot.keyCheck !== null) masterKey.open(snapshot.keyCheck, KEY_CHECK_AAD);
    if (snapshot.keys.length > 0) {
      throw new StoreError(
        'ERR_STORE_NOT_EMPTY',
        `the store ${store.description} holds ${snapshot.keys.length} keys; restore only fills an empty store (restore into a new one and switch --store)`,
      );
    }
    const keys: StoredKey[] = doc.keys.map(({ material, ...k }) => ({
      ...k,
      // A key held in a PKCS#11 token has no material in the backup (nor in the store).
      sealedPrivate: k.custody != null ? null : sealMaterial(masterKey, k.kid, k.alg, material),
      publicMac: k.publicJwk === null ? null : bindPublic(masterKey, k.kid, k.alg, k.publicJwk),
    }));
    const ctx = { actor: 'cli', writer: writerId(), at: Date.now() };
    const audit: NewAuditEntry[] = doc.audit.map(({ id, ...e }) => e);
    audit.push(
      auditEntry(ctx, 'restored', {
        detail: { from: doc.source, backupCreated: doc.created, keys: keys.length, file: options.file },
      }),
    );
    for (const k of keys)
      audit.push(auditEntry(ctx, 'restored', { kid: k.kid, alg: k.alg, detail: { state: k.state } }));
    const ok = await store.commit(snapshot.version, {
      upsert: keys,
      remove: [],
      ...(snapshot.keyCheck === null ? { keyCheck: masterKey.seal(new Uint8Array(0), KEY_CHECK_AAD) } : {}),
      ...(doc.policy === null ? {} : { policy: doc.policy }),
      audit,
    });
    if (!ok) {
      throw new StoreError(
        'ERR_STORE_CONFLICT',
        `the store ${store.description} changed during the restore; nothing was restored, run it again`,
      );
    }
    return {
      keys: keys.length,
      kids: keys.map((k) => k.kid),
      current: keys.filter((k) => k.state === 'current').map((k) => k.kid),
    };
  } finally {
    await store.close();
  }
}

/**
 * `jwkit keys rekey`: re-seals every key (and the key check, and the public bindings) under a
 * new master key in one transaction, so the store opens with exactly one of the two keys at any
 * moment, even when the process is killed mid-way. Afterwards point JWKIT_MASTER_KEY (or the key
 * file) at the new key and restart every server.
 */
export async function keysRekey(
  options: KeysOptions & { newMasterKeyFile: string },
): Promise<{ keys: number; from: string; to: string }> {
  const store = await openStore(urlOf(options), { ...schemaOf(options), create: false });
  try {
    if (tokenOnly(await store.load())) {
      throw new ServerConfigError(
        'ERR_MASTER_KEY_MISSING',
        `the store ${store.description} runs without a master key (every key lives in a PKCS#11 token, nothing is sealed in the store): there is nothing to re-key`,
      );
    }
    const oldKey = await masterKeyOf(options, store);
    // Read the new key from its file only: JWKIT_MASTER_KEY (the old key, usually) must not win here.
    let newText: string;
    try {
      newText = await readFile(options.newMasterKeyFile, 'utf8');
    } catch (cause) {
      throw new ServerConfigError(
        'ERR_MASTER_KEY_MISSING',
        `cannot read the new master key file ${options.newMasterKeyFile}; make one with: openssl rand -base64 32 > new.key`,
        { cause },
      );
    }
    const mode = (await stat(options.newMasterKeyFile)).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      logOf(options)(
        `jwkit keys: warning: the new master key file ${options.newMasterKeyFile} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${options.newMasterKeyFile}`,
      );
    }
    const newKey = MasterKey.fromText(newText);
    if (newKey.id === oldKey.id) {
      throw new ServerConfigError(
        'ERR_REKEY_SAME_KEY',
        `the new master key is the current one (${oldKey.id}); make a new one with: openssl rand -base64 32 > new.key`,
      );
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      const snapshot = await store.load();
      if (snapshot.keyCheck !== null) oldKey.open(snapshot.keyCheck, KEY_CHECK_AAD);
      const upsert: StoredKey[] = snapshot.keys.map((k) => ({
        ...k,
        sealedPrivate:
          k.sealedPrivate === null ? null : sealMaterial(newKey, k.kid, k.alg, openMaterial(oldKey, k)),
        publicMac: k.publicJwk === null ? null : bindPublic(newKey, k.kid, k.alg, k.publicJwk),
      }));
      const ctx = { actor: 'cli', writer: writerId(), at: Date.now() };
      const ok = await store.commit(snapshot.version, {
        upsert,
        remove: [],
        replaceKeyCheck: newKey.seal(new Uint8Array(0), KEY_CHECK_AAD),
        audit: [
          auditEntry(ctx, 'rekeyed', { detail: { from: oldKey.id, to: newKey.id, keys: upsert.length } }),
        ],
      });
      if (ok) return { keys: upsert.length, from: oldKey.id, to: newKey.id };
    }
    throw new StoreError(
      'ERR_STORE_CONFLICT',
      'the store changed under every attempt to re-key it; stop the writers and retry',
    );
  } finally {
    await store.close();
  }
}

/** The policy as a plain-text block for people. */
export function formatPolicy(policy: StoredPolicy | null): string {
  if (policy === null) return 'no stored policy (set one with: jwkit keys policy set --algs ...)\n';
  const d = describePolicy(policy) as { algs: Record<string, unknown>[] } & Record<string, unknown>;
  const lines = d.algs.map(
    (a) =>
      `${String(a.alg).padEnd(8)} rotation-period ${a.rotationPeriod}  pre-publish ${a.prePublish}  max-token-lifetime ${a.maxTokenLifetime}` +
      (a.size === undefined ? '' : `  rsa-bits ${a.size}`) +
      (a.retainUntil === undefined ? '' : `  retain-until ${a.retainUntil}`),
  );
  lines.push(
    `cache-max-age ${d.cacheMaxAge}  stale-while-revalidate ${d.staleWhileRevalidate}  skew ${d.skew}`,
  );
  return `${lines.join('\n')}\n`;
}

/** A plain-text table of keys for people (the CLI prints JSON with --json instead). */
export function formatKeys(keys: readonly KeyInfo[]): string {
  const head = ['KID', 'ALG', 'STATE', 'ACTIVATES', 'RETIRES', 'EXPIRES'];
  const rows = keys.map((k) => [auditText(k.kid), k.alg, k.state, k.activates, k.retires, k.expires ?? '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
