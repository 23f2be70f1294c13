/**
 * Every error jwkit throws is a `JWKitError` with a stable string `code` (catalogue in
 * docs/ERRORS.md). Callers branch on `code`, never on the message.
 */

/** One finding of a validator (DESIGN principle 2: validation is data). */
export interface Problem {
  readonly severity: 'error' | 'warning';
  /** Stable machine code, e.g. `EC_POINT_NOT_ON_CURVE`. */
  readonly code: string;
  /** Where the problem is, e.g. `keys[2].y`; `''` for the whole input. */
  readonly path: string;
  /** What is wrong and what to do about it. */
  readonly message: string;
  /** The rule's source, e.g. `RFC 7518 §6.2.1.3`. */
  readonly rfc?: string;
}

export class JWKitError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A JWK or JWK Set that failed validation; carries every problem found, not only the first. */
export class JWKError extends JWKitError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], message?: string) {
    const errors = problems.filter((p) => p.severity === 'error');
    const first = errors[0] ?? problems[0];
    super(
      'ERR_JWK_INVALID',
      message ??
        (first
          ? `${first.path ? `${first.path}: ` : ''}${first.message} [${first.code}]${
              errors.length > 1
                ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})`
                : ''
            }`
          : 'invalid JWK'),
    );
    this.problems = problems;
  }
}

/** PEM/DER/X.509 input that cannot be decoded or converted. */
export class ConversionError extends JWKitError {}

/** A key type, curve or algorithm that jwkit (or this runtime's crypto) does not support. */
export class UnsupportedError extends JWKitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_UNSUPPORTED', message, options);
  }
}

/** A JWS/JWT that failed verification or claim checks. `code` names the exact reason. */
export class JWTError extends JWKitError {}

/** No key, or more than one key, in a set matches a token header. */
export class KeySelectionError extends JWKitError {}

/** A remote JWK Set could not be fetched or used. */
export class RemoteJWKSError extends JWKitError {}

/** A key store operation failed (storage unavailable, version conflict, corrupt record). */
export class StoreError extends JWKitError {}

export function problem(
  severity: Problem['severity'],
  code: string,
  path: string,
  message: string,
  rfc?: string,
): Problem {
  return rfc === undefined ? { severity, code, path, message } : { severity, code, path, message, rfc };
}

/** Joins a base path and a member name the way problems spell paths: `keys[3].n`. */
export function joinPath(base: string, member: string | number): string {
  if (typeof member === 'number') return `${base}[${member}]`;
  const safe = /^[A-Za-z_$][\w$]*$/.test(member) ? member : JSON.stringify(member);
  if (safe !== member) return `${base}[${safe}]`;
  return base ? `${base}.${member}` : member;
}
export {
  ERROR_CODES,
  type ErrorClassName,
  type ErrorCode,
  type ErrorCodeInfo,
  errorCodeInfo,
  httpStatus,
} from './codes.js';
