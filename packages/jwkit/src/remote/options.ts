/**
 * RemoteJWKSet options and their defaults. All durations are milliseconds. The defaults are
 * documented, with the reasoning, in docs/api/remote.md; keep the two in step.
 */

import type { MultipleMatchPolicy } from '../set/key-source.js';
import { type LookupFunction, type PrivateAddressPolicy, systemLookup } from './address-policy.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { remoteError } from './errors.js';
import type { RemoteJWKSEvent } from './events.js';
import type { FetchLike } from './fetch-jwks.js';
import type { HttpPolicy, RedirectPolicy } from './url-policy.js';

export interface RemoteJWKSetOptions {
  /** The fetch to use. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Extra request headers (e.g. authorization, user-agent). Default: none. */
  headers?: Record<string, string>;
  /** Deadline of one request, headers and body together. Default 5 000. */
  timeout?: number;
  /** Largest accepted body in bytes, enforced while streaming. Default 1 048 576 (1 MiB). */
  maxBytes?: number;
  /** Largest accepted number of keys in the set. Default 100. */
  maxKeys?: number;
  /** Which http:// URLs may be fetched. Default `'loopback'`. */
  http?: HttpPolicy;
  /** Which redirects are followed. Default `'refuse'`. */
  redirects?: RedirectPolicy;
  /**
   * `'refuse'`: fetch only from public addresses; the host of the URL and of every redirect is
   * resolved and each of its addresses checked (loopback, private, link-local, ... refused with
   * `ERR_REMOTE_JWKS_PRIVATE_ADDRESS`). Opt in where the URL comes from someone else. Default
   * `'allow'`.
   */
  privateAddresses?: PrivateAddressPolicy;
  /** Resolves hostnames for `privateAddresses: 'refuse'`. Default: node:dns `lookup` (all addresses). */
  lookup?: LookupFunction;
  /** Freshness when the response has neither max-age nor Expires. Default 600 000 (10 min). */
  defaultTtl?: number;
  /** Lower clamp of the freshness lifetime. Default 60 000 (1 min). */
  minTtl?: number;
  /** Upper clamp of the freshness lifetime. Default 86 400 000 (24 h). */
  maxTtl?: number;
  /** How long after expiry the last good set is still served while refreshes fail. Default 3 600 000 (1 h). */
  maxStale?: number;
  /** Least time between two fetches caused by unknown `kid`s. Default 30 000. */
  cooldown?: number;
  /** First retry delay after a failed refresh. Default 1 000. */
  minBackoff?: number;
  /** Longest retry delay. Default 300 000 (5 min). */
  maxBackoff?: number;
  /** Refresh on a timer before expiry (and retry on a timer after failures). Default true. */
  backgroundRefresh?: boolean;
  /** Receives every event; exceptions it throws are ignored. Default: none. */
  onEvent?: (event: RemoteJWKSEvent) => void;
  /** What to do when several keys match a header (see `MultipleMatchPolicy`). Default `'reject'`. */
  multipleMatches?: MultipleMatchPolicy;
  /** Time source and timers. Default: the system clock, timers unref'd. */
  clock?: Clock;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

export interface ResolvedOptions {
  readonly fetch: FetchLike;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeout: number;
  readonly maxBytes: number;
  readonly maxKeys: number;
  readonly http: HttpPolicy;
  readonly redirects: RedirectPolicy;
  /** Set when `privateAddresses` is `'refuse'`: how hostnames are resolved for the check. */
  readonly lookup: LookupFunction | undefined;
  readonly defaultTtl: number;
  readonly minTtl: number;
  readonly maxTtl: number;
  readonly maxStale: number;
  readonly cooldown: number;
  readonly minBackoff: number;
  readonly maxBackoff: number;
  readonly backgroundRefresh: boolean;
  readonly onEvent: ((event: RemoteJWKSEvent) => void) | undefined;
  readonly multipleMatches: MultipleMatchPolicy;
  readonly clock: Clock;
  readonly random: () => number;
}

export const DEFAULTS = Object.freeze({
  timeout: 5_000,
  maxBytes: 1_048_576,
  maxKeys: 100,
  http: 'loopback',
  redirects: 'refuse',
  privateAddresses: 'allow',
  defaultTtl: 600_000,
  minTtl: 60_000,
  maxTtl: 86_400_000,
  maxStale: 3_600_000,
  cooldown: 30_000,
  minBackoff: 1_000,
  maxBackoff: 300_000,
  backgroundRefresh: true,
} as const);

const HTTP_POLICIES: readonly HttpPolicy[] = ['refuse', 'loopback', 'allow'];
const REDIRECT_POLICIES: readonly RedirectPolicy[] = ['refuse', 'same-origin', 'any'];
const PRIVATE_ADDRESS_POLICIES: readonly PrivateAddressPolicy[] = ['allow', 'refuse'];
const MULTIPLE_MATCH_POLICIES: readonly MultipleMatchPolicy[] = ['reject', 'first', 'try-all'];

export function resolveOptions(options: RemoteJWKSetOptions = {}): ResolvedOptions {
  const fetchFn = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchFn !== 'function') {
    throw remoteError('ERR_REMOTE_JWKS_OPTIONS', 'no global fetch in this runtime; pass the fetch option');
  }
  const resolved: ResolvedOptions = {
    // Called unbound: some runtimes' fetch throws "Illegal invocation" when detached from globalThis.
    fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    headers: { ...options.headers },
    timeout: duration('timeout', options.timeout, DEFAULTS.timeout, 1),
    maxBytes: duration('maxBytes', options.maxBytes, DEFAULTS.maxBytes, 1),
    maxKeys: duration('maxKeys', options.maxKeys, DEFAULTS.maxKeys, 1),
    http: oneOf('http', options.http, HTTP_POLICIES, DEFAULTS.http),
    redirects: oneOf('redirects', options.redirects, REDIRECT_POLICIES, DEFAULTS.redirects),
    lookup: lookupFor(options),
    defaultTtl: duration('defaultTtl', options.defaultTtl, DEFAULTS.defaultTtl),
    minTtl: duration('minTtl', options.minTtl, DEFAULTS.minTtl),
    maxTtl: duration('maxTtl', options.maxTtl, DEFAULTS.maxTtl),
    maxStale: duration('maxStale', options.maxStale, DEFAULTS.maxStale),
    cooldown: duration('cooldown', options.cooldown, DEFAULTS.cooldown),
    minBackoff: duration('minBackoff', options.minBackoff, DEFAULTS.minBackoff),
    maxBackoff: duration('maxBackoff', options.maxBackoff, DEFAULTS.maxBackoff),
    backgroundRefresh: options.backgroundRefresh ?? DEFAULTS.backgroundRefresh,
    onEvent: options.onEvent,
    multipleMatches: oneOf('multipleMatches', options.multipleMatches, MULTIPLE_MATCH_POLICIES, 'reject'),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
  if (resolved.minTtl > resolved.maxTtl)
    invalid(`minTtl (${resolved.minTtl}) exceeds maxTtl (${resolved.maxTtl})`);
  if (resolved.minBackoff > resolved.maxBackoff) {
    invalid(`minBackoff (${resolved.minBackoff}) exceeds maxBackoff (${resolved.maxBackoff})`);
  }
  return resolved;
}

function lookupFor(options: RemoteJWKSetOptions): LookupFunction | undefined {
  const policy = oneOf(
    'privateAddresses',
    options.privateAddresses,
    PRIVATE_ADDRESS_POLICIES,
    DEFAULTS.privateAddresses,
  );
  if (options.lookup !== undefined && typeof options.lookup !== 'function')
    invalid('lookup must be a function (hostname) => Promise<string[]>');
  if (policy === 'allow') return undefined;
  const lookup = options.lookup ?? systemLookup();
  if (lookup === undefined) {
    invalid(
      "privateAddresses: 'refuse' needs to resolve hostnames and this runtime has no node:dns; pass the lookup option",
    );
  }
  return lookup;
}

function duration(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    invalid(`${name} must be a finite number >= ${min}, not ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value))
    invalid(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, not ${String(value)}`);
  return value;
}

function invalid(message: string): never {
  throw remoteError('ERR_REMOTE_JWKS_OPTIONS', message);
}
