/**
 * Rules every JWK goes through whatever its key type: member types, `kty`, the members its key
 * type requires, and the private-material policy.
 */

import { NOT_JSON } from '../../../json/snapshot.js';
import { getCurve, isKty, KTY_MEMBERS, KTYS, type Kty } from '../../../registry.js';
import { isPrivate } from '../../model.js';
import type { KeyContext, Rule } from '../context.js';

/** Members holding a string, whatever the key type (RFC 7517 §4, RFC 7518 §6). */
const STRING_MEMBERS = ['kty', 'use', 'alg', 'kid', 'x5u', 'x5t', 'x5t#S256'];
/** Members holding an array of strings (RFC 7517 §4.3, §4.7). */
const STRING_ARRAY_MEMBERS = ['key_ops', 'x5c'];

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return 'a value JSON cannot carry';
  }
}

/** Members with a type rule: strings (common ones and this key type's material) and arrays. */
function typedMembers(ctx: KeyContext): string[] {
  const material = isKty(ctx.jwk.kty) ? KTY_MEMBERS[ctx.jwk.kty] : undefined;
  const own = material ? [...material.required, ...material.private].filter((m) => m !== 'oth') : [];
  return [...new Set([...STRING_MEMBERS, ...own, ...STRING_ARRAY_MEMBERS])];
}

/** Member types (RFC 7517 §4: "kty" ... string; "key_ops", "x5c": arrays of strings). */
export const memberTypes: Rule = (ctx) => {
  for (const m of typedMembers(ctx)) {
    if (STRING_ARRAY_MEMBERS.includes(m) || !ctx.has(m)) continue;
    const v = ctx.jwk[m];
    if (typeof v !== 'string') {
      ctx.report(
        'JWK_MEMBER_TYPE',
        m,
        `"${m}" must be a string, not ${describeType(v)}; fix the value at its source`,
      );
    }
  }
  for (const m of STRING_ARRAY_MEMBERS) {
    if (!ctx.has(m)) continue;
    const v = ctx.jwk[m];
    if (!Array.isArray(v)) {
      ctx.report('JWK_MEMBER_TYPE', m, `"${m}" must be an array of strings, not ${describeType(v)}`);
      continue;
    }
    v.forEach((item, i) => {
      if (typeof item !== 'string') {
        ctx.report('JWK_MEMBER_TYPE', [m, i], `"${m}" must hold only strings, not ${describeType(item)}`);
      }
    });
  }
  if (ctx.has('ext') && typeof ctx.jwk.ext !== 'boolean') {
    ctx.report(
      'JWK_MEMBER_TYPE',
      'ext',
      `"ext" (WebCrypto) must be a boolean, not ${describeType(ctx.jwk.ext)}`,
    );
  }
};

/** RFC 7517 §4.1: `kty` is required and must name a key type jwkit knows (RFC 7518 §6.1, RFC 8037). */
export const keyType: Rule = (ctx) => {
  if (!ctx.has('kty')) {
    const hint = ctx.has('keys')
      ? ' (this looks like a JWK Set: validate it with validateJWKSet)'
      : ' (pre-RFC 7517 drafts had no kty; regenerate the key)';
    ctx.report('JWK_KTY_MISSING', undefined, `the key has no "kty" member${hint}`);
    return;
  }
  const kty = ctx.jwk.kty;
  if (typeof kty !== 'string') return; // memberTypes reported it
  if (!isKty(kty)) {
    const near = KTYS.find((k) => k.toLowerCase() === kty.toLowerCase());
    ctx.report(
      'JWK_KTY_UNKNOWN',
      'kty',
      `"kty" is "${kty}", which is not a key type jwkit knows (${KTYS.join(', ')})${near ? `; did you mean "${near}"? kty is case-sensitive` : ''}`,
    );
    return;
  }
  ctx.kty = kty;
};

/**
 * Members that belong to another key type (`y` on an OKP key, `k` on an RSA key): allowed by
 * RFC 7517 §4 as unknown members, but a sign that the key was assembled wrongly.
 */
export const foreignMembers: Rule = (ctx) => {
  if (ctx.kty === undefined) return;
  const own = KTY_MEMBERS[ctx.kty];
  const mine = new Set([...own.required, ...own.private]);
  const foreign = new Map<string, Kty>();
  for (const kty of KTYS) {
    for (const m of [...KTY_MEMBERS[kty].required, ...KTY_MEMBERS[kty].private]) {
      if (!mine.has(m) && !foreign.has(m) && ctx.has(m)) foreign.set(m, kty);
    }
  }
  for (const [m, kty] of foreign) {
    ctx.report(
      'JWK_FOREIGN_MEMBER',
      m,
      `"${m}" is a member of ${kty} keys, not of ${ctx.kty} keys; it is ignored, but check that "kty" is right and remove it`,
    );
  }
};

/** The members each key type requires (RFC 7518 §6.2.1, §6.3.1, §6.4.1; RFC 8037 §2). */
export const requiredMembers: Rule = (ctx) => {
  if (ctx.kty === undefined) return;
  const spec = KTY_MEMBERS[ctx.kty];
  for (const m of spec.required) {
    if (!ctx.has(m)) {
      ctx.report('JWK_MEMBER_MISSING', m, `a ${ctx.kty} key needs a "${m}" member; it is missing`, spec.rfc);
    }
  }
};

/**
 * `crv` must name a registered curve of this key type (RFC 7518 §6.2.1.1, RFC 8037 §2).
 * Used by the EC and OKP rules.
 */
export const curve: Rule = (ctx) => {
  const crv = ctx.string('crv');
  if (crv === undefined) return;
  const info = getCurve(crv);
  if (info === undefined) {
    // The Wycheproof secp256k1 files use the name from a draft of RFC 8812.
    const hint = crv === 'P-256K' ? '; RFC 8812 §3.1 registered this curve as "secp256k1"' : '';
    ctx.report('CRV_UNKNOWN', 'crv', `"crv" is "${crv}", which is not a registered curve${hint}`);
    return;
  }
  if (info.kty !== ctx.kty) {
    ctx.report(
      'CRV_KTY_MISMATCH',
      'crv',
      `curve ${crv} belongs to kty "${info.kty}", not "${ctx.kty}"; set "kty": "${info.kty}"`,
      info.rfc,
    );
    return;
  }
  ctx.curve = info;
};

/** ValidateOptions.allowPrivate / requirePrivate. */
export const privatePolicy: Rule = (ctx) => {
  if (ctx.kty === undefined) return;
  const priv = isPrivate({ kty: ctx.kty, d: ctx.jwk.d, priv: ctx.jwk.priv });
  if (priv && !ctx.options.allowPrivate) {
    ctx.report(
      'PRIVATE_NOT_ALLOWED',
      ctx.kty === 'oct' ? 'k' : ctx.kty === 'AKP' ? 'priv' : 'd',
      ctx.kty === 'oct'
        ? 'this is a secret (oct) key where only public keys are allowed; never publish symmetric keys'
        : 'this key carries private material where only public keys are allowed; publish its public form (toPublic)',
    );
  }
  if (!priv && ctx.options.requirePrivate) {
    ctx.report('PRIVATE_REQUIRED', undefined, 'a private key is required, but this is a public key (no "d")');
  }
};

/** True when `value` holds something JSON cannot carry (see snapshotJSON). */
function holdsNonJSON(value: unknown, depth = 0): boolean {
  if (value === NOT_JSON) return true;
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  return Object.values(value).some((v) => holdsNonJSON(v, depth + 1));
}

/**
 * Members the validated copy cannot carry: `__proto__` (copying it into an ordinary object
 * would change the object's prototype) and, from object input, values that are not JSON data
 * (functions, Dates, bigints...). They mean nothing in a JWK, so they are dropped with a warning.
 * Members with a type rule are reported as type errors instead.
 */
export const unsafeMembers: Rule = (ctx) => {
  const typed = new Set([...typedMembers(ctx), 'ext', 'oth']);
  for (const m of Object.keys(ctx.jwk)) {
    if (m === '__proto__') {
      ctx.dropped.add(m);
      ctx.report(
        'JWK_MEMBER_DROPPED',
        m,
        'member "__proto__" is not a JWK member and is unsafe to copy into JavaScript objects; it was dropped',
      );
    } else if (!typed.has(m) && holdsNonJSON(ctx.jwk[m])) {
      ctx.dropped.add(m);
      ctx.report(
        'JWK_MEMBER_DROPPED',
        m,
        `member "${m}" holds a value JSON cannot carry; it was dropped from the validated copy`,
      );
    }
  }
};
