/**
 * Decoding of base64url members (RFC 7515 §2) with the leniency real providers need: `=` padding
 * and the standard alphabet (`+`, `/`) are warnings and get a canonical spelling; anything a
 * decoder would have to guess at (other characters, impossible lengths, non-zero trailing bits)
 * is an error.
 */

import { checkBase64url, decode, describeBase64urlIssue, encode } from '../../encoding/base64url.js';
import type { KeyContext } from './context.js';

const STD_ONLY = /[+/]/;
const URL_ONLY = /[-_]/;

/**
 * The decoded octets of a base64url member, or `undefined` when it is absent, not a string (the
 * common rules report that) or not decodable (reported here, once per member).
 */
export function memberBytes(ctx: KeyContext, member: string): Uint8Array | undefined {
  const cached = ctx.decoded.get(member);
  if (cached !== undefined) return cached ?? undefined;
  const bytes = decodeMember(ctx, member);
  ctx.decoded.set(member, bytes ?? null);
  return bytes;
}

function decodeMember(ctx: KeyContext, member: string): Uint8Array | undefined {
  const value = ctx.string(member);
  if (value === undefined) return undefined;
  let text = value;
  let lenient = false;
  if (STD_ONLY.test(text)) {
    if (URL_ONLY.test(text)) {
      ctx.report(
        'B64URL_INVALID',
        member,
        `"${member}" mixes the base64url alphabet (- _) with the standard one (+ /); re-encode the value as base64url`,
      );
      return undefined;
    }
    // Some providers publish standard base64 (battle.net, Azure AD 2015): same octets, other letters.
    text = text.replace(/\+/g, '-').replace(/\//g, '_');
    lenient = true;
  }
  const issue = checkBase64url(text);
  if (issue === 'alphabet' || issue === 'length') {
    ctx.report(
      'B64URL_INVALID',
      member,
      `"${member}" ${describeBase64urlIssue(issue)}; re-encode it as base64url`,
    );
    return undefined;
  }
  if (issue === 'noncanonical') {
    ctx.report(
      'B64URL_NONCANONICAL',
      member,
      `"${member}" ${describeBase64urlIssue(issue)}, so two different strings would stand for the same key; re-encode it`,
    );
    return undefined;
  }
  if (lenient) {
    ctx.report(
      'B64URL_STD_ALPHABET',
      member,
      `"${member}" uses the standard base64 alphabet (+ /) instead of base64url (- _); accepted, but the publisher should re-encode it`,
    );
  }
  if (issue === 'padding') {
    lenient = true;
    ctx.report(
      'B64URL_PADDING',
      member,
      `"${member}" ${describeBase64urlIssue(issue)}; accepted, but the publisher should drop the "=" characters`,
    );
  }
  const bytes = decode(text, { allowPadding: true });
  if (lenient) ctx.canonical.set(member, encode(bytes));
  return bytes;
}
