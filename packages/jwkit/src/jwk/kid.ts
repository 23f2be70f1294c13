/**
 * The one rule for a key id that jwkit stores, publishes or logs (issue 13.11), applied at every
 * entry: the admin API (`POST /admin/keys`, `/admin/keys/{kid}/...`), `jwkit keys import`, and
 * JWK Set files read by `jwkit set` and the stores.
 *
 * RFC 7517 §4.5 leaves `kid` an arbitrary case-sensitive string. jwkit narrows it to what real
 * key ids use (thumbprints, UUIDs, dates, URLs with a fragment): 1 to 256 printable ASCII
 * characters, no space, no control character. A kid with CR/LF/ESC forges log lines and drives
 * terminals; a 60,000-character kid pushes a JWK Set past verifiers' size caps (jose and others
 * refuse sets above ~1 MiB after a few such keys).
 */

import { JWKitError, type Problem, problem } from '../errors/index.js';

export const KID_MAX_LENGTH = 256;
const KID_CHARS = /^[\x21-\x7e]+$/;

/** The problem with `kid`, or undefined when it is acceptable. `path` names where it was found. */
export function checkKid(kid: unknown, path = 'kid'): Problem | undefined {
  if (typeof kid !== 'string')
    return problem('error', 'KID_INVALID', path, 'kid must be a string (RFC 7517 §4.5)', 'RFC 7517 §4.5');
  if (kid.length === 0)
    return problem(
      'error',
      'KID_INVALID',
      path,
      'kid must not be empty; leave it out to get a thumbprint kid',
      'RFC 7517 §4.5',
    );
  if (kid.length > KID_MAX_LENGTH) {
    return problem(
      'error',
      'KID_TOO_LONG',
      path,
      `kid is ${kid.length} characters; jwkit accepts at most ${KID_MAX_LENGTH} (use a thumbprint: jwkit thumbprint)`,
    );
  }
  if (!KID_CHARS.test(kid)) {
    const bad = [...kid].find((c) => !KID_CHARS.test(c)) ?? '';
    const code = bad.codePointAt(0) ?? 0;
    return problem(
      'error',
      'KID_INVALID',
      path,
      `kid holds U+${code.toString(16).toUpperCase().padStart(4, '0')}; jwkit accepts printable ASCII (U+0021-U+007E) without spaces or control characters`,
    );
  }
  return undefined;
}

/** Throws `ERR_KID_INVALID` (with the rule, the path and what to do) when `kid` breaks the rule. */
export function assertKid(kid: unknown, path = 'kid'): asserts kid is string {
  const p = checkKid(kid, path);
  if (p) throw new JWKitError('ERR_KID_INVALID', `${p.path}: ${p.message} [${p.code}]`);
}
