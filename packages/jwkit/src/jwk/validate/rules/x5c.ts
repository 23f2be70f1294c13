/**
 * X.509 members (RFC 7517 §4.6-4.9): `x5u` is an https URL; `x5c` is a chain of standard base64
 * DER certificates whose leaf holds this key; `x5t` / `x5t#S256` are the SHA-1 / SHA-256 of the
 * leaf's DER. Thumbprint mismatches are warnings: real providers publish wrong ones (Auth0's hex
 * `x5t`, WorkOS's `x5t#S256`) while their keys are fine.
 */

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeStd } from '../../../encoding/base64url.js';
import { equalBytes, toHex } from '../../../encoding/bytes.js';
import { type CertificateInfo, chainLinks, parseCertificate } from '../../../pkix/x509/index.js';
import { isKty, THUMBPRINT_MEMBERS } from '../../../registry.js';
import type { KeyContext, Rule } from '../context.js';
import { memberBytes } from '../decode.js';

/** RFC 7517 §4.6: the URL "MUST" use TLS. */
export const x5u: Rule = (ctx) => {
  const value = ctx.string('x5u');
  if (value === undefined) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.report(
      'X5U_INVALID',
      'x5u',
      `"x5u" is not an absolute URL; give the https URL of the certificate chain`,
    );
    return;
  }
  if (url.protocol !== 'https:') {
    ctx.report(
      'X5U_NOT_HTTPS',
      'x5u',
      `"x5u" uses ${url.protocol.replace(/:$/, '')}; the certificate chain must be fetched over https`,
    );
  }
};

/** The parsed `x5c` chain of a key, computed once per key by `x5cChain`. */
const chains = new WeakMap<KeyContext, CertificateInfo[] | undefined>();

/** x5c decoded and parsed, leaf first; `undefined` when absent or when any certificate is bad. */
export function x5cChain(ctx: KeyContext): CertificateInfo[] | undefined {
  if (chains.has(ctx)) return chains.get(ctx);
  const chain = readChain(ctx);
  chains.set(ctx, chain);
  return chain;
}

function readChain(ctx: KeyContext): CertificateInfo[] | undefined {
  const list = ctx.jwk.x5c;
  if (!Array.isArray(list)) return undefined;
  if (list.length === 0) {
    ctx.report(
      'X5C_EMPTY',
      'x5c',
      '"x5c" is an empty array; it must hold at least the certificate of this key, or be omitted',
    );
    return undefined;
  }
  const chain: CertificateInfo[] = [];
  list.forEach((item, i) => {
    if (typeof item !== 'string') return; // memberTypes reported it
    let der: Uint8Array;
    try {
      der = decodeStd(item);
    } catch {
      ctx.report(
        'X5C_ENCODING',
        ['x5c', i],
        `"x5c" entries are standard base64 (with + / and = padding, not base64url) of DER certificates; entry ${i} is not`,
      );
      return;
    }
    try {
      chain.push(parseCertificate(der));
    } catch (e) {
      ctx.report(
        'X5C_CERT_INVALID',
        ['x5c', i],
        `certificate ${i} of "x5c" cannot be parsed (${e instanceof Error ? e.message : String(e)}); publish a well-formed DER certificate`,
      );
    }
  });
  return chain.length === list.length ? chain : undefined;
}

/** RFC 7517 §4.7: "The key in the first certificate MUST match the public key represented by other members." */
export const x5cLeafKey: Rule = (ctx) => {
  const chain = x5cChain(ctx);
  const leaf = chain?.[0];
  if (leaf === undefined || ctx.kty === undefined) return;
  const key = leaf.publicKey as unknown as Record<string, unknown>;
  const members = isKty(key.kty) ? THUMBPRINT_MEMBERS[ctx.kty] : [];
  const same = key.kty === ctx.kty && members.every((m) => key[m] === (ctx.canonical.get(m) ?? ctx.jwk[m]));
  if (!same) {
    ctx.report(
      'X5C_KEY_MISMATCH',
      ['x5c', 0],
      `the first certificate of "x5c" ("${leaf.subject}") holds a different key from this JWK; publish the certificate of this key, leaf first`,
    );
  }
};

/** x5t / x5t#S256 against the leaf's DER (or, without x5c, their lengths). */
export const x5cThumbprints: Rule = (ctx) => {
  const leaf = x5cChain(ctx)?.[0];
  for (const [member, hash, size, code] of [
    ['x5t', sha1, 20, 'X5T_MISMATCH'],
    ['x5t#S256', sha256, 32, 'X5T_S256_MISMATCH'],
  ] as const) {
    const given = memberBytes(ctx, member);
    if (given === undefined) continue;
    const hashName = size === 20 ? 'SHA-1' : 'SHA-256';
    if (leaf === undefined) {
      if (given.length !== size && !ctx.has('x5c')) {
        ctx.report(
          'X5T_LENGTH',
          member,
          `"${member}" decodes to ${given.length} octets, but a ${hashName} digest is ${size}${isHex(given, size) ? ' (it looks like the hex text of the digest)' : ''}; publish base64url of the raw digest`,
          code === 'X5T_MISMATCH' ? 'RFC 7517 §4.8' : 'RFC 7517 §4.9',
        );
      }
      continue;
    }
    const digest = hash(leaf.der);
    if (equalBytes(given, digest)) continue;
    if (isHex(given, size) && new TextDecoder().decode(given).toLowerCase() === toHex(digest)) {
      ctx.report(
        'X5T_HEX_THUMBPRINT',
        member,
        `"${member}" is base64url of the hex text of the certificate's ${hashName} digest, not of the digest itself (a known Auth0 legacy quirk); accepted, but it will not match strict lookups`,
        code === 'X5T_MISMATCH' ? 'RFC 7517 §4.8' : 'RFC 7517 §4.9',
      );
      continue;
    }
    ctx.report(
      code,
      member,
      `"${member}" is not the ${hashName} digest of the first "x5c" certificate; the key itself is unaffected, but the publisher should recompute it`,
    );
  }
};

/** ValidateOptions.x5c.at: every certificate valid at that time (RFC 5280 §4.1.2.5). */
export const x5cValidity: Rule = (ctx) => {
  const at = ctx.options.x5cAt;
  const chain = x5cChain(ctx);
  if (at === undefined || chain === undefined) return;
  chain.forEach((cert, i) => {
    if (at.getTime() > cert.notAfter.getTime()) {
      ctx.report(
        'X5C_CERT_EXPIRED',
        ['x5c', i],
        `certificate ${i} ("${cert.subject}") expired on ${cert.notAfter.toISOString()}; the publisher must renew it`,
      );
    } else if (at.getTime() < cert.notBefore.getTime()) {
      ctx.report(
        'X5C_CERT_NOT_YET_VALID',
        ['x5c', i],
        `certificate ${i} ("${cert.subject}") is valid only from ${cert.notBefore.toISOString()}; check the clock or the certificate`,
      );
    }
  });
};

/** The problem code of each kind of bad link the chain walker finds. */
const LINK_CODES = {
  name: 'X5C_CHAIN_ORDER',
  'not-ca': 'X5C_ISSUER_NOT_CA',
  'key-usage': 'X5C_ISSUER_KEY_USAGE',
  'path-length': 'X5C_PATH_LENGTH',
} as const;

/**
 * ValidateOptions.x5c.verifyChain: "each following certificate MUST directly certify the one
 * preceding it" (RFC 7517 §4.7): names linked by DER, each issuer a CA allowed to sign
 * certificates (RFC 5280 §6.1.4), checked by the one chain walker (src/pkix/x509/chain.ts);
 * `verifyX5cChain` adds the signatures over the same links.
 */
export const x5cChainOrder: Rule = (ctx) => {
  const chain = x5cChain(ctx);
  if (!ctx.options.x5cVerifyChain || chain === undefined) return;
  for (const link of chainLinks(chain)) {
    if (link.problem !== undefined) {
      ctx.report(LINK_CODES[link.problem], ['x5c', link.index + 1], link.message!);
    }
  }
};

function isHex(bytes: Uint8Array, size: number): boolean {
  return (
    bytes.length === size * 2 &&
    bytes.every((b) => (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66))
  );
}

export const X5C_RULES: readonly Rule[] = [x5u, x5cLeafKey, x5cThumbprints, x5cValidity, x5cChainOrder];
