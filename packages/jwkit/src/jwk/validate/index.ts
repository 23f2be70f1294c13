/** JWK and JWK Set validation (RFC 7517, 7518, 8037, 8812): synchronous, isomorphic, problems as data. */

export type { CodeInfo, ProblemCode } from './codes.js';
export { PROBLEM_CODES } from './codes.js';
export type { JWKReport } from './jwk.js';
export { parseJWK, validateJWK } from './jwk.js';
export type { ValidateOptions } from './options.js';
export type { JWKSetReport, SkippedKey } from './set.js';
export { parseJWKSet, validateJWKSet } from './set.js';
