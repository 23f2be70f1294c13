/**
 * validateJWKSet / parseJWKSet (RFC 7517 §5). One bad or unsupported key never hides the others:
 * "Implementations SHOULD ignore JWKs within a JWK Set that use kty values that are not
 * understood by them, that are missing required members, or for which values are out of the
 * supported ranges." The report keeps the good keys and says which keys were skipped and why.
 */

import { JWKError, joinPath, type Problem } from '../../errors/index.js';
import type { JWK } from '../model.js';
import { makeProblem } from './codes.js';
import { readInput } from './input.js';
import { checkOneKey, isObject } from './one-key.js';
import { resolveOptions, type ValidateOptions } from './options.js';
import { SET_RULES, type SetEntry } from './rules/set.js';

export interface SkippedKey {
  /** Position in the input's `keys` array. */
  index: number;
  kid?: string;
  /** Everything found on this key (paths like `keys[3].n`). */
  problems: Problem[];
}

export interface JWKSetReport {
  /** No problem of severity `error` (in lenient mode a skipped key is a warning). */
  valid: boolean;
  /** Set-level problems, warnings of kept keys, and one `SET_KEY_SKIPPED` per skipped key. */
  problems: Problem[];
  /** Canonical copies of the keys without errors, in input order. */
  keys: JWK[];
  skipped: SkippedKey[];
}

/** Codes that leave nothing to read: `parseJWKSet` throws on them even in lenient mode. */
const UNUSABLE = new Set(['SET_NOT_OBJECT', 'SET_KEYS_MISSING', 'SET_KEYS_NOT_ARRAY']);

const KEY_PATH = /^keys\[(\d+)\]/;

/** Checks a JWK Set and every key in it. Synchronous; never throws. */
export function validateJWKSet(input: string | object, options?: ValidateOptions): JWKSetReport {
  const opts = resolveOptions(options);
  const read = readInput(input, opts);
  const report: JWKSetReport = { valid: false, problems: [], keys: [], skipped: [] };
  // JSON problems inside one key (a duplicate member, say) belong to that key, not to the set.
  const perKey = new Map<number, Problem[]>();
  for (const p of read.problems) {
    const m = KEY_PATH.exec(p.path);
    if (m === null || read.unreadable) report.problems.push(p);
    else perKey.set(Number(m[1]), [...(perKey.get(Number(m[1])) ?? []), p]);
  }
  if (read.unreadable) return report;
  const list = keysOf(read.value, report, opts.strict);
  if (list === undefined) return report;
  if (list.length > opts.maxKeys) {
    report.problems.push(
      makeProblem(
        'SET_TOO_MANY_KEYS',
        'keys',
        `the set has ${list.length} keys, more than the limit of ${opts.maxKeys}; only the first ${opts.maxKeys} were read. Raise maxKeys if the set is legitimate`,
        opts.strict,
      ),
    );
  }
  const entries: SetEntry[] = [];
  list.slice(0, opts.maxKeys).forEach((item, index) => {
    const path = joinPath('keys', index);
    const result = checkOneKey(item, path, opts);
    const problems = [...(perKey.get(index) ?? []), ...result.problems];
    const kid = stringMember(item, 'kid');
    const entry = { index, kid, kty: stringMember(item, 'kty'), alg: stringMember(item, 'alg') };
    if (result.key !== undefined && !problems.some((p) => p.severity === 'error')) {
      entries.push({ ...entry, key: result.key });
      report.keys.push(result.key);
      report.problems.push(...problems);
      return;
    }
    entries.push(entry);
    report.skipped.push(kid === undefined ? { index, problems } : { index, kid, problems });
    const first = problems.find((p) => p.severity === 'error') ?? problems[0];
    report.problems.push(
      makeProblem(
        'SET_KEY_SKIPPED',
        path,
        `key ${index}${kid !== undefined ? ` (kid "${kid}")` : ''} was skipped: ${first ? `${first.message} [${first.code}]` : 'it is not a usable key'}${problems.length > 1 ? `, and ${problems.length - 1} more (see skipped)` : ''}`,
        opts.strict,
      ),
    );
  });
  for (const rule of SET_RULES) report.problems.push(...rule(entries, opts.strict));
  report.valid = !report.problems.some((p) => p.severity === 'error');
  return report;
}

function stringMember(item: unknown, member: string): string | undefined {
  return isObject(item) && typeof item[member] === 'string' ? item[member] : undefined;
}

/** The `keys` array, or `undefined` after reporting why there is none. */
function keysOf(doc: unknown, report: JWKSetReport, strict: boolean): unknown[] | undefined {
  if (!isObject(doc)) {
    report.problems.push(
      makeProblem(
        'SET_NOT_OBJECT',
        '',
        'a JWK Set is a JSON object with a "keys" array; this is not an object',
        strict,
      ),
    );
    return undefined;
  }
  if (!Object.hasOwn(doc, 'keys')) {
    const hint = Object.hasOwn(doc, 'kty')
      ? ' This looks like a single JWK: use validateJWK, or wrap it as {"keys": [...]}'
      : '';
    report.problems.push(
      makeProblem(
        'SET_KEYS_MISSING',
        'keys',
        `a JWK Set needs a "keys" member; it is missing.${hint}`,
        strict,
      ),
    );
    return undefined;
  }
  if (!Array.isArray(doc.keys)) {
    report.problems.push(
      makeProblem('SET_KEYS_NOT_ARRAY', 'keys', '"keys" must be an array of JWKs', strict),
    );
    return undefined;
  }
  return doc.keys;
}

/**
 * The keys of a JWK Set, leniently: throws `JWKError` only when nothing can be read (not JSON,
 * not an object, no `keys` array). With `strict: true` it throws on any error.
 */
export function parseJWKSet(input: string | object, options?: ValidateOptions): JWKSetReport {
  const report = validateJWKSet(input, options);
  const unusable = report.problems.some(
    (p) => p.severity === 'error' && (UNUSABLE.has(p.code) || p.code.startsWith('JSON_')),
  );
  if (unusable || (options?.strict === true && !report.valid)) throw new JWKError(report.problems);
  return report;
}
