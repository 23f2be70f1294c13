/** Runs every rule over one key and builds its canonical copy. */

import type { Problem } from '../../errors/index.js';
import type { Kty } from '../../registry.js';
import { canonicalOrder, type JWK } from '../model.js';
import { makeProblem } from './codes.js';
import { KeyContext, type Rule } from './context.js';
import type { ResolvedOptions } from './options.js';
import { AKP_RULES } from './rules/akp.js';
import {
  foreignMembers,
  keyType,
  memberTypes,
  privatePolicy,
  requiredMembers,
  unsafeMembers,
} from './rules/common.js';
import { EC_RULES } from './rules/ec.js';
import { OCT_RULES } from './rules/oct.js';
import { OKP_RULES } from './rules/okp.js';
import { RSA_RULES } from './rules/rsa.js';
import { algorithm, keyOps, use } from './rules/usage.js';
import { X5C_RULES } from './rules/x5c.js';

const SHAPE_RULES: readonly Rule[] = [memberTypes, keyType, requiredMembers, foreignMembers, unsafeMembers];
const KTY_RULES: Readonly<Record<Kty, readonly Rule[]>> = Object.assign(Object.create(null), {
  RSA: RSA_RULES,
  EC: EC_RULES,
  OKP: OKP_RULES,
  oct: OCT_RULES,
  AKP: AKP_RULES,
});
const USAGE_RULES: readonly Rule[] = [algorithm, use, keyOps, privatePolicy];

export interface KeyResult {
  problems: Problem[];
  /** The canonical copy, when the key has no error. */
  key?: JWK;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkOneKey(value: unknown, path: string, options: ResolvedOptions): KeyResult {
  if (!isObject(value)) {
    const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    return {
      problems: [
        makeProblem('JWK_NOT_OBJECT', path, `a JWK is a JSON object, but this is ${what}`, options.strict),
      ],
    };
  }
  const ctx = new KeyContext(value, path, options);
  runRules(ctx, SHAPE_RULES);
  if (ctx.kty !== undefined) runRules(ctx, KTY_RULES[ctx.kty]);
  runRules(ctx, USAGE_RULES);
  runRules(ctx, X5C_RULES);
  return ctx.hasErrors() ? { problems: ctx.problems } : { problems: ctx.problems, key: canonicalCopy(ctx) };
}

/**
 * Validation never throws (DESIGN principle 2): a rule that fails unexpectedly becomes a problem
 * on this key rather than an exception for the caller. Tests assert it never happens.
 */
export function runRules(ctx: KeyContext, rules: readonly Rule[]): void {
  for (const rule of rules) {
    try {
      rule(ctx);
    } catch (e) {
      ctx.report(
        'JWK_CHECK_FAILED',
        undefined,
        `jwkit could not finish checking this key (${rule.name}: ${e instanceof Error ? e.message : String(e)}); the key is rejected. Please report this as a bug`,
      );
    }
  }
}

/**
 * A fresh object: members in canonical order, lenient spellings replaced by canonical ones,
 * `ext` (WebCrypto's flag, never emitted) and dropped members left out.
 */
function canonicalCopy(ctx: KeyContext): JWK {
  const out: Record<string, unknown> = {};
  for (const m of Object.keys(ctx.jwk)) {
    if (m === 'ext' || ctx.dropped.has(m)) continue;
    out[m] = ctx.canonical.has(m) ? ctx.canonical.get(m) : ctx.jwk[m];
  }
  return canonicalOrder(out) as JWK;
}
