import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freshness, parseCacheControl, parseRetryAfter } from '../../src/remote/cache-policy.js';

const limits = { defaultTtl: 600_000, minTtl: 60_000, maxTtl: 86_400_000 };
const now = Date.UTC(2026, 0, 1);
const runs = Number(process.env.FUZZ_RUNS ?? 200);

describe('parseCacheControl', () => {
  it('reads max-age, no-store and no-cache case-insensitively, with quoted values', () => {
    expect(parseCacheControl('public, Max-Age="3600", must-revalidate')).toEqual({
      maxAge: 3600,
      noStore: false,
      noCache: false,
    });
    expect(parseCacheControl('NO-STORE')).toMatchObject({ noStore: true });
    expect(parseCacheControl('no-cache="set-cookie"')).toMatchObject({ noCache: true });
  });

  it('uses the first valid max-age and ignores invalid ones (RFC 9111 §4.2.1)', () => {
    expect(parseCacheControl('max-age=10, max-age=99').maxAge).toBe(10);
    expect(parseCacheControl('max-age=-5, max-age=1.5, max-age=abc').maxAge).toBeUndefined();
  });

  it('ignores s-maxage, which only shared caches honour', () => {
    expect(parseCacheControl('s-maxage=5').maxAge).toBeUndefined();
  });

  it('never throws on arbitrary header text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        parseCacheControl(text);
      }),
      { numRuns: runs },
    );
  });
});

describe('freshness', () => {
  it('uses max-age less the Age header', () => {
    expect(freshness({ cacheControl: 'max-age=3600', age: '600' }, now, limits)).toEqual({
      ttl: 3_000_000,
      source: 'max-age',
    });
  });

  it('clamps max-age to [minTtl, maxTtl]', () => {
    expect(freshness({ cacheControl: 'max-age=1' }, now, limits).ttl).toBe(60_000);
    expect(freshness({ cacheControl: 'max-age=31536000' }, now, limits).ttl).toBe(86_400_000);
  });

  it('treats no-store and no-cache as minTtl rather than a fetch per token', () => {
    expect(freshness({ cacheControl: 'no-store, max-age=3600' }, now, limits)).toEqual({
      ttl: 60_000,
      source: 'no-cache',
    });
    expect(freshness({ cacheControl: 'no-cache' }, now, limits).source).toBe('no-cache');
  });

  it('falls back to Expires - Date, and an invalid Expires means already expired', () => {
    const date = new Date(now).toUTCString();
    const expires = new Date(now + 7_200_000).toUTCString();
    expect(freshness({ expires, date }, now, limits)).toEqual({ ttl: 7_200_000, source: 'expires' });
    expect(freshness({ expires: '0', date }, now, limits)).toEqual({ ttl: 60_000, source: 'expires' });
  });

  it('uses defaultTtl when the response says nothing', () => {
    expect(freshness({}, now, limits)).toEqual({ ttl: 600_000, source: 'default' });
  });

  it('always lands within the limits', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string()), fc.option(fc.string()), (cc, age, expires) => {
        const { ttl } = freshness(
          { cacheControl: cc, age, ...(expires === null ? {} : { expires }) },
          now,
          limits,
        );
        expect(ttl).toBeGreaterThanOrEqual(limits.minTtl);
        expect(ttl).toBeLessThanOrEqual(limits.maxTtl);
      }),
      { numRuns: runs },
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates (RFC 9110 §10.2.3)', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30);
    expect(parseRetryAfter(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
