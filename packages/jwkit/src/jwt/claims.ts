/**
 * JWT claim checks (RFC 7519 §4.1) after the signature has been verified. Every failure has its
 * own code, so callers can tell an expired token from a token for another audience.
 */

import { JWTError } from '../errors/index.js';
import type { JWSHeader } from '../set/key-source.js';
import { seconds } from './seconds.js';

/** The JWT Claims Set (RFC 7519 §4). */
export interface JWTPayload {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

export interface ClaimOptions {
  /** Accepted `iss` value(s); when given, `iss` is required. */
  issuer?: string | readonly string[];
  /** Accepted audience(s); the token's `aud` (string or list) must contain one. When given, `aud` is required. */
  audience?: string | readonly string[];
  /** Required `sub` value. */
  subject?: string;
  /**
   * Required header `typ`, compared as RFC 7515 §4.1.9 says media types compare: case-insensitive,
   * with an optional `application/` prefix (`'at+jwt'` matches `application/at+JWT`).
   */
  typ?: string;
  /** Allowed clock skew for `exp`, `nbf` and `iat`, in seconds or as `'30s'`. Default 0. */
  clockTolerance?: number | string;
  /** Maximum age since `iat` (seconds or `'15m'`); when given, `iat` is required and must not be in the future. */
  maxTokenAge?: number | string;
  /** Claims that must be present (any value). */
  requiredClaims?: readonly string[];
  /** Current time in milliseconds since the epoch. Default `Date.now`. Inject a fake clock in tests. */
  clock?: () => number;
}

const fail = (code: string, message: string) => new JWTError(code, message);

/** Throws the `JWTError` for the first claim check that fails. */
export function checkClaims(payload: JWTPayload, header: Readonly<JWSHeader>, options: ClaimOptions): void {
  if (options.typ !== undefined) checkTyp(header.typ, options.typ);
  const now = Math.floor((options.clock ?? Date.now)() / 1000);
  const tolerance =
    options.clockTolerance === undefined ? 0 : seconds(options.clockTolerance, 'clockTolerance');

  const exp = numericDate(payload, 'exp');
  const nbf = numericDate(payload, 'nbf');
  const iat = numericDate(payload, 'iat');
  // RFC 7519 §4.1.4: the current time must be before exp.
  if (exp !== undefined && now >= exp + tolerance) {
    throw fail(
      'ERR_JWT_EXPIRED',
      `the token expired at ${isoDate(exp)} (now ${isoDate(now)}, tolerance ${tolerance}s)`,
    );
  }
  // RFC 7519 §4.1.5: the current time must be at or after nbf.
  if (nbf !== undefined && now + tolerance < nbf) {
    throw fail(
      'ERR_JWT_NOT_YET_VALID',
      `the token is not valid before ${isoDate(nbf)} (now ${isoDate(now)}, tolerance ${tolerance}s)`,
    );
  }
  if (options.maxTokenAge !== undefined) {
    const maxAge = seconds(options.maxTokenAge, 'maxTokenAge');
    if (iat === undefined) throw missing('iat', 'maxTokenAge needs the token to say when it was issued');
    if (iat > now + tolerance) {
      throw fail(
        'ERR_JWT_IAT_IN_FUTURE',
        `the token claims to be issued at ${isoDate(iat)}, after now (${isoDate(now)})`,
      );
    }
    if (now - iat > maxAge + tolerance) {
      throw fail(
        'ERR_JWT_TOO_OLD',
        `the token was issued at ${isoDate(iat)}, more than ${maxAge}s ago (maxTokenAge)`,
      );
    }
  }

  if (options.issuer !== undefined) {
    const accepted = typeof options.issuer === 'string' ? [options.issuer] : options.issuer;
    if (payload.iss === undefined) throw missing('iss', 'an issuer is required');
    if (typeof payload.iss !== 'string' || !accepted.includes(payload.iss)) {
      throw fail('ERR_JWT_ISS_MISMATCH', `"iss" ${JSON.stringify(payload.iss)} is not an accepted issuer`);
    }
  }
  if (options.subject !== undefined) {
    if (payload.sub === undefined) throw missing('sub', 'a subject is required');
    if (payload.sub !== options.subject) {
      throw fail(
        'ERR_JWT_SUB_MISMATCH',
        `"sub" ${JSON.stringify(payload.sub)} is not ${JSON.stringify(options.subject)}`,
      );
    }
  }
  if (options.audience !== undefined) checkAudience(payload, options.audience);
  for (const claim of options.requiredClaims ?? []) {
    if (payload[claim] === undefined) throw missing(claim, 'it is listed in requiredClaims');
  }
}

function checkTyp(actual: string | undefined, expected: string): void {
  const norm = (t: string) => t.toLowerCase().replace(/^application\//, '');
  if (actual === undefined || norm(actual) !== norm(expected)) {
    throw fail(
      'ERR_JWT_TYP_MISMATCH',
      `header "typ" is ${actual === undefined ? 'missing' : JSON.stringify(actual)}, expected ${JSON.stringify(expected)} (RFC 8725 §3.11)`,
    );
  }
}

/** RFC 7519 §4.1.3: `aud` is a string or an array of strings; one must be accepted. */
function checkAudience(payload: JWTPayload, audience: string | readonly string[]): void {
  const accepted = typeof audience === 'string' ? [audience] : audience;
  const aud: unknown = payload.aud;
  if (aud === undefined) throw missing('aud', 'an audience is required');
  const list = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) {
    throw fail('ERR_JWT_CLAIM_INVALID', '"aud" must be a string or an array of strings (RFC 7519 §4.1.3)');
  }
  if (!list.some((a) => accepted.includes(a))) {
    throw fail('ERR_JWT_AUD_MISMATCH', `"aud" ${JSON.stringify(aud)} holds none of the accepted audiences`);
  }
}

/** RFC 7519 §2: a NumericDate is a JSON number of seconds since the epoch. */
function numericDate(payload: JWTPayload, claim: 'exp' | 'nbf' | 'iat'): number | undefined {
  const v: unknown = payload[claim];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw fail(
      'ERR_JWT_CLAIM_INVALID',
      `"${claim}" must be a NumericDate (a number of seconds, RFC 7519 §2)`,
    );
  }
  return v;
}

function missing(claim: string, why: string): JWTError {
  return fail('ERR_JWT_CLAIM_MISSING', `the token has no "${claim}" claim; ${why}`);
}

function isoDate(s: number): string {
  const d = new Date(s * 1000);
  return Number.isNaN(d.getTime()) ? String(s) : d.toISOString();
}
