/**
 * What a RemoteJWKSet reports through `onEvent`. Events are for logs and metrics: every
 * refresh, every failure (with the error and when the next attempt is due), every key dropped
 * from a fetched set, and transitions into serving a stale set or having none.
 */

import type { Problem, RemoteJWKSError } from '../errors/index.js';

/** Why a key of a fetched set was not kept. */
export type DroppedKeyCode =
  /** The key failed validation; `problems` says how. */
  | 'REMOTE_KEY_INVALID'
  /** The key carries private members: its secret is public, so its signatures prove nothing. */
  | 'REMOTE_KEY_PRIVATE'
  /** An `oct` key: a verifier must never use a symmetric key published by someone else. */
  | 'REMOTE_KEY_SYMMETRIC';

/** What started a refresh. */
export type RefreshReason = 'initial' | 'background' | 'expired' | 'unknown-kid' | 'manual';

export type RemoteJWKSEvent =
  /** A refresh succeeded: 200 with a new set, or 304 keeping the current one. */
  | {
      readonly type: 'refreshed';
      readonly time: number;
      readonly reason: RefreshReason;
      readonly url: string;
      readonly status: 200 | 304;
      readonly keys: number;
      readonly expiresAt: number;
    }
  /** One URL failed (with several URLs the next one is tried). */
  | {
      readonly type: 'fetch-failed';
      readonly time: number;
      readonly url: string;
      readonly error: RemoteJWKSError;
    }
  /** A refresh failed on every URL; the last good set (if any) is kept until `staleUntil`. */
  | {
      readonly type: 'refresh-failed';
      readonly time: number;
      readonly reason: RefreshReason;
      readonly error: RemoteJWKSError;
      readonly failures: number;
      readonly retryAt: number;
    }
  /** A key of a fetched (or imported) set was not kept. */
  | {
      readonly type: 'key-dropped';
      readonly time: number;
      readonly url: string;
      readonly code: DroppedKeyCode;
      readonly index: number | undefined;
      readonly kid: string | undefined;
      readonly problems: readonly Problem[];
    }
  /** The set passed its expiry and is now served stale while refreshes are attempted. */
  | { readonly type: 'stale'; readonly time: number; readonly expiresAt: number; readonly staleUntil: number }
  /** The stale bound passed: the set was discarded; selection fails until a refresh succeeds. */
  | { readonly type: 'expired'; readonly time: number; readonly staleUntil: number }
  /** A state from `importState` was adopted. */
  | { readonly type: 'state-imported'; readonly time: number; readonly url: string; readonly keys: number };

export type RemoteJWKSEventType = RemoteJWKSEvent['type'];
