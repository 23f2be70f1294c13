/**
 * HTTP freshness math for a private cache (RFC 9111): how long a fetched JWK Set may be used
 * before it is fetched again. RemoteJWKSet is the end consumer, not a shared cache, so
 * `s-maxage`, `public`/`private` and `proxy-revalidate` do not apply.
 */

/** The response header fields freshness depends on; kept with the set to handle a 304. */
export interface CacheHeaders {
  cacheControl?: string;
  expires?: string;
}

export interface FreshnessLimits {
  /** Lifetime when the response says nothing (no max-age, no Expires). */
  readonly defaultTtl: number;
  readonly minTtl: number;
  readonly maxTtl: number;
}

export type FreshnessSource = 'max-age' | 'expires' | 'no-cache' | 'default';

export interface Freshness {
  /** Milliseconds from now the set stays fresh, clamped to [minTtl, maxTtl]. */
  readonly ttl: number;
  readonly source: FreshnessSource;
}

export interface CacheDirectives {
  /** Seconds, from the first valid `max-age` (RFC 9111 §4.2.1: the first occurrence wins). */
  readonly maxAge: number | undefined;
  readonly noStore: boolean;
  readonly noCache: boolean;
}

/** RFC 9111 §5.2: comma-separated directives, names case-insensitive, `token` or quoted values. */
export function parseCacheControl(value: string | null | undefined): CacheDirectives {
  let maxAge: number | undefined;
  let noStore = false;
  let noCache = false;
  for (const part of (value ?? '').split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const arg =
      eq < 0
        ? undefined
        : part
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    if (name === 'no-store') noStore = true;
    else if (name === 'no-cache') noCache = true;
    else if (name === 'max-age' && maxAge === undefined && arg !== undefined) maxAge = deltaSeconds(arg);
  }
  return { maxAge, noStore, noCache };
}

/**
 * The freshness lifetime of a response received `now` (RFC 9111 §4.2.1), less its current age
 * (§4.2.3, from the `Age` header), clamped to the limits:
 * - `no-store` / `no-cache`: `minTtl`. Honouring them literally would mean a fetch per token,
 *   which turns every verification into load on the issuer; the set is instead refetched as
 *   often as `minTtl` allows (with If-None-Match when there is an ETag);
 * - else `max-age`, else `Expires` - `Date` (an invalid Expires means "already expired",
 *   §5.3), else `defaultTtl`.
 */
export function freshness(
  headers: CacheHeaders & { date?: string | null; age?: string | null },
  now: number,
  limits: FreshnessLimits,
): Freshness {
  const cc = parseCacheControl(headers.cacheControl);
  const clamp = (ms: number) => Math.min(limits.maxTtl, Math.max(limits.minTtl, ms));
  if (cc.noStore || cc.noCache) return { ttl: limits.minTtl, source: 'no-cache' };
  const age = (deltaSeconds(headers.age ?? '') ?? 0) * 1000;
  if (cc.maxAge !== undefined) return { ttl: clamp(cc.maxAge * 1000 - age), source: 'max-age' };
  if (headers.expires) {
    const expires = Date.parse(headers.expires);
    const date = headers.date ? Date.parse(headers.date) : Number.NaN;
    const lifetime = Number.isNaN(expires) ? 0 : expires - (Number.isNaN(date) ? now : date);
    return { ttl: clamp(lifetime - age), source: 'expires' };
  }
  return { ttl: clamp(limits.defaultTtl), source: 'default' };
}

/** `Retry-After` (RFC 9110 §10.2.3) in seconds: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const seconds = deltaSeconds(value.trim());
  if (seconds !== undefined) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** RFC 9111 §1.2.2: a non-negative integer; too large a value means "very large". */
function deltaSeconds(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  return Math.min(Number(text), 2 ** 31);
}
