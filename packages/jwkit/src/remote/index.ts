/** The remote JWK Set client's public API. */

export type { AddressKind, LookupFunction, PrivateAddressPolicy } from './address-policy.js';
export type { CacheHeaders } from './cache-policy.js';
export type { Clock, TimerHandle } from './clock.js';
export type { RemoteErrorCode } from './errors.js';
export { REMOTE_ERROR_CODES, RemoteJWKSAllFailedError, RemoteJWKSFetchError } from './errors.js';
export type { DroppedKeyCode, RefreshReason, RemoteJWKSEvent, RemoteJWKSEventType } from './events.js';
export type { FetchLike } from './fetch-jwks.js';
export type { RemoteJWKSetOptions } from './options.js';
export { DEFAULTS as REMOTE_JWKS_DEFAULTS } from './options.js';
export { RemoteJWKSet } from './remote-jwks.js';
export type { RemoteJWKSState } from './state.js';
export type { HttpPolicy, RedirectPolicy } from './url-policy.js';
