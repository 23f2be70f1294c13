/**
 * `jwkit/server`: the key lifecycle, its stores and its HTTP app, for `jwkit serve` and for a
 * user's own Node app (`createApp(manager)` in Hono or any fetch runtime, `createNodeListener(manager)`
 * in Express, Fastify or node:http).
 * Installs the node:crypto backend, like the Node entry of the core.
 */

import { nodeBackend, setBackend } from 'jwkit';

setBackend(nodeBackend);

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
} from './key-manager.js';
export { type ImportInput, type SigningJWK, sealKey } from './key-material.js';
export {
  formatKeys,
  type KeysOptions,
  keysImport,
  keysList,
  keysRevoke,
  keysRotate,
} from './keys-command.js';
export { defaultMasterKeyFile, type MasterKeyOptions } from './master-key-file.js';
export { DEFAULT_ALGS, POLICY_DEFAULTS, type Policy, type PolicyInput, resolvePolicies } from './policy.js';
export { cacheLifetime, checkInvariants, type ScheduleEvent, type ScheduleSettings } from './schedule.js';
export { type RunningServer, type ServeOptions, serve } from './serve.js';
export { DEFAULT_STORE_URL, type OpenStoreOptions, openStore } from './stores/open.js';
export type { KeyState, KeyStore, Mutation, Snapshot, StoredKey } from './stores/store.js';
