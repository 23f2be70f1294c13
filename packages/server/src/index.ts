/**
 * `jwkit/server`: the key lifecycle, its stores and its HTTP app, for `jwkit serve` and for a
 * user's own Node app (`createApp(manager)` in Hono or any fetch runtime, `createNodeListener(manager)`
 * in Express, Fastify or node:http).
 * Installs the node:crypto backend, like the Node entry of the core.
 */

import { nodeBackend, setBackend } from 'jwkit';

setBackend(nodeBackend);

export {
  type ConfigSources,
  type ConfigValues,
  helpText,
  parseSetting,
  type ResolvedConfig,
  readConfigFile,
  renderConfigDocs,
  resolveConfig,
  SETTINGS,
  type Setting,
} from './config.js';
export {
  type LoadedMasterKey,
  type LoadMasterKeyOptions,
  loadMasterKey,
  MasterKey,
} from './crypto-at-rest.js';
export { type Duration, toMillis } from './duration.js';
export { KeyLifecycleError, ServerConfigError } from './errors.js';
export { type AppOptions, createApp } from './http/app.js';
export { cacheControl, type PreparedJWKS, prepareJWKS } from './http/jwks.js';
export { createNodeListener, type NodeListener } from './http/node.js';
export {
  type Health,
  type KeyInfo,
  KeyManager,
  type KeyManagerOptions,
  type ManagerClock,
  type ManagerEvent,
  type Publication,
  policyFlagsOf,
  type ReconcileOptions,
  reconcilePolicy,
} from './key-manager.js';
export {
  bindPublic,
  type ImportInput,
  openMaterial,
  type PublicProof,
  provenPublic,
  type SigningJWK,
  sealKey,
  sealMaterial,
} from './key-material.js';
export {
  formatAudit,
  formatKeys,
  formatPolicy,
  type KeysOptions,
  keysAudit,
  keysBackup,
  keysImport,
  keysInit,
  keysList,
  keysPolicySet,
  keysPolicyShow,
  keysRekey,
  keysRestore,
  keysRevoke,
  keysRotate,
  readPassphrase,
} from './keys-command.js';
export { createLogger, escapeText, formatLine, type LogFormat, type Logger, type LogLevel } from './log.js';
export {
  defaultMasterKeyFile,
  type MasterKeyOptions,
  type OpenWriterOptions,
  openWriterStore,
} from './master-key-file.js';
export { openToken, type Pkcs11Token, type Pkcs11Uri, parsePkcs11Uri, TokenError } from './pkcs11/index.js';
export {
  CACHE_DEFAULTS,
  DEFAULT_ALGS,
  describePolicy,
  POLICY_DEFAULTS,
  type Policy,
  type PolicyFlags,
  type PolicyInput,
  policyDifferences,
  resolvePolicies,
  type StoredPolicy,
} from './policy.js';
export { cacheLifetime, checkInvariants, type ScheduleEvent, type ScheduleSettings } from './schedule.js';
export { type RunningServer, type ServeOptions, serve } from './serve.js';
export type {
  CustodyKind,
  CustodyObject,
  CustodyRef,
  KeyCustody,
  KeySigner,
} from './signer/custody.js';
export { Pkcs11Custody } from './signer/pkcs11.js';
export { SoftwareCustody } from './signer/software.js';
export { type AuditActor, auditText } from './stores/audit.js';
export { DEFAULT_STORE_URL, type OpenStoreOptions, openStore } from './stores/open.js';
export type {
  AuditEntry,
  AuditQuery,
  KeyState,
  KeyStore,
  Mutation,
  NewAuditEntry,
  Snapshot,
  StoredKey,
  StoreIdentity,
} from './stores/store.js';
