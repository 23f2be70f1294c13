/**
 * What a key may be used for: `alg` (RFC 7517 §4.4), `use` (§4.2) and `key_ops` (§4.3), checked
 * against each other and against the key itself. Every fact about algorithms comes from the
 * registry (`algorithmAllowsKey`, `algorithmsForKey`, `KEY_OPS`).
 */

import {
  ALGORITHMS,
  algorithmAllowsKey,
  algorithmsForKey,
  getAlgorithm,
  isKeyOp,
  KEY_OPS,
  type KeyOp,
  USES,
} from '../../../registry.js';
import { isPrivate } from '../../model.js';
import type { KeyContext, Rule } from '../context.js';

/** RFC 7517 §4.3: only these pairs are "related"; deriveKey/deriveBits is WebCrypto's ECDH pair. */
const RELATED_OPS: readonly (readonly KeyOp[])[] = [
  ['sign', 'verify'],
  ['encrypt', 'decrypt'],
  ['wrapKey', 'unwrapKey'],
  ['deriveKey', 'deriveBits'],
];
/** Operations only the holder of the private (or secret) key can perform. */
const PRIVATE_OPS: readonly KeyOp[] = ['sign', 'decrypt', 'unwrapKey', 'deriveKey', 'deriveBits'];

/** `alg`: registered, not `none`, not deprecated, and fit for this key's type, curve and size. */
export const algorithm: Rule = (ctx) => {
  const alg = ctx.string('alg');
  if (alg === undefined) return;
  if (alg === 'none') {
    ctx.report(
      'ALG_NONE',
      'alg',
      '"alg": "none" means an unsecured JWS and never belongs on a key; remove it',
    );
    return;
  }
  const info = getAlgorithm(alg);
  if (info === undefined) {
    const near = Object.keys(ALGORITHMS).find((a) => a.toLowerCase() === alg.toLowerCase());
    ctx.report(
      'ALG_UNKNOWN',
      'alg',
      `"alg" is "${alg}", which is not a registered algorithm${near ? ` (did you mean "${near}"? alg is case-sensitive)` : ''}; the key will not be selected for any algorithm. Set a registered alg or remove it`,
    );
    return;
  }
  ctx.alg = info;
  if (info.deprecated !== undefined) {
    ctx.report('ALG_DEPRECATED', 'alg', `"alg" ${alg} is deprecated: ${info.deprecated}`, info.rfc);
  }
  const kty = ctx.kty;
  if (kty === undefined) return;
  const crv = ctx.curve?.crv;
  const mismatch = algorithmAllowsKey(info, kty, crv);
  if (mismatch !== undefined) {
    ctx.report('ALG_KEY_MISMATCH', 'alg', `${mismatch}; fix "alg" or use a key that suits it`, info.rfc);
    return;
  }
  // RSA sizes are the minRSABits policy (RSA_MODULUS_TOO_SHORT), whose default is the registry's.
  if (kty === 'RSA' || ctx.bits === undefined || ctx.reported('OCT_KEY_EMPTY')) return;
  const size = algorithmAllowsKey(info, kty, crv, ctx.bits);
  if (size !== undefined) {
    ctx.report(
      'ALG_KEY_SIZE',
      kty === 'oct' ? 'k' : 'alg',
      `${size}; generate a key of the right size`,
      info.rfc,
    );
  }
};

/** Whether some registered algorithm uses this key (type and curve) for `use`. */
function keyServes(ctx: KeyContext, use: string): boolean {
  return ctx.kty === undefined || algorithmsForKey(ctx.kty, ctx.curve?.crv).some((a) => a.use === use);
}

/** `use`: registered, and consistent with `alg` and with what the key type can do. */
export const use: Rule = (ctx) => {
  const value = ctx.string('use');
  if (value === undefined) return;
  if (!(USES as readonly string[]).includes(value)) {
    ctx.report(
      'USE_UNREGISTERED',
      'use',
      `"use" is "${value}", not one of ${USES.join(', ')}; RFC 7517 allows other values, but jwkit will not select this key for signing or encryption`,
    );
    return;
  }
  if (ctx.alg !== undefined && ctx.alg.use !== value) {
    ctx.report(
      'ALG_USE_MISMATCH',
      'use',
      `"use" is "${value}" but "alg" ${ctx.alg.alg} is for "${ctx.alg.use}"; make them agree`,
    );
  } else if (!keyServes(ctx, value)) {
    ctx.report(
      'USE_KEY_MISMATCH',
      'use',
      `no registered algorithm uses a ${ctx.curve?.crv ?? ctx.kty} key for "${value}"; fix "use"`,
    );
  }
};

/** `key_ops`: registered, unique, related, and consistent with `use`, `alg` and the key. */
export const keyOps: Rule = (ctx) => {
  const ops = ctx.jwk.key_ops;
  if (!Array.isArray(ops)) return;
  const seen = new Set<string>();
  const registered: { op: KeyOp; index: number }[] = [];
  ops.forEach((op, index) => {
    if (typeof op !== 'string') return; // memberTypes reported it
    if (seen.has(op)) {
      ctx.report(
        'KEY_OPS_DUPLICATE',
        ['key_ops', index],
        `"${op}" is listed twice in "key_ops"; remove the duplicate`,
      );
      return;
    }
    seen.add(op);
    if (isKeyOp(op)) registered.push({ op, index });
    else {
      ctx.report(
        'KEY_OPS_UNREGISTERED',
        ['key_ops', index],
        `"${op}" is not a registered key operation (${Object.keys(KEY_OPS).join(', ')}); jwkit ignores it`,
      );
    }
  });
  const groups = RELATED_OPS.filter((pair) => registered.some((r) => pair.includes(r.op)));
  if (groups.length > 1) {
    ctx.report(
      'KEY_OPS_UNRELATED',
      'key_ops',
      `"key_ops" combines unrelated operations (${groups.map((g) => g.filter((op) => seen.has(op)).join('/')).join(' and ')}); use one key per purpose`,
    );
  }
  const use = ctx.string('use');
  const useKnown = use !== undefined && (USES as readonly string[]).includes(use);
  if (useKnown) {
    ctx.report(
      'USE_WITH_KEY_OPS',
      'use',
      '"use" and "key_ops" should not be used together; keep one of them',
    );
  }
  const priv = ctx.kty !== undefined && isPrivate({ kty: ctx.kty, d: ctx.jwk.d, priv: ctx.jwk.priv });
  for (const { op, index } of registered) {
    const opUse = KEY_OPS[op];
    const at: [string, number] = ['key_ops', index];
    if (useKnown && opUse !== use) {
      ctx.report(
        'USE_KEY_OPS_MISMATCH',
        at,
        `"${op}" is a "${opUse}" operation but "use" is "${use}"; make them agree`,
      );
    } else if (ctx.alg !== undefined && ctx.alg.use !== opUse) {
      ctx.report(
        'KEY_OPS_ALG_MISMATCH',
        at,
        `"${op}" is a "${opUse}" operation but "alg" ${ctx.alg.alg} is for "${ctx.alg.use}"`,
      );
    } else if (!keyServes(ctx, opUse)) {
      ctx.report(
        'USE_KEY_MISMATCH',
        at,
        `no registered algorithm uses a ${ctx.curve?.crv ?? ctx.kty} key to "${op}"`,
      );
    }
    if (ctx.kty !== undefined && !priv && PRIVATE_OPS.includes(op)) {
      ctx.report(
        'KEY_OPS_NEED_PRIVATE',
        at,
        `"${op}" needs the private key, but this is a public key; drop it from "key_ops"`,
      );
    }
  }
};
