/** validateJWK / parseJWK: one JWK, from JSON text or an object. */

import { JWKError, type Problem } from '../../errors/index.js';
import type { JWK } from '../model.js';
import { readInput } from './input.js';
import { checkOneKey } from './one-key.js';
import { resolveOptions, type ValidateOptions } from './options.js';

export interface JWKReport {
  /** No problem of severity `error`. */
  valid: boolean;
  problems: Problem[];
  /** A fresh canonical copy of the key; present exactly when `valid`. */
  key?: JWK;
}

/**
 * Checks one JWK and reports every problem found. Synchronous; never throws. The input is
 * never modified or kept: rules run on a private snapshot.
 */
export function validateJWK(input: string | object, options?: ValidateOptions): JWKReport {
  const opts = resolveOptions(options);
  const read = readInput(input, opts);
  if (read.unreadable) return { valid: false, problems: read.problems };
  const result = checkOneKey(read.value, '', opts);
  const problems = [...read.problems, ...result.problems];
  const valid = result.key !== undefined && !problems.some((p) => p.severity === 'error');
  return valid ? { valid, problems, key: result.key } : { valid, problems };
}

/** The canonical copy of a valid JWK; throws `JWKError` (`ERR_JWK_INVALID`) with every problem otherwise. */
export function parseJWK(input: string | object, options?: ValidateOptions): JWK {
  const report = validateJWK(input, options);
  if (report.key === undefined) throw new JWKError(report.problems);
  return report.key;
}
