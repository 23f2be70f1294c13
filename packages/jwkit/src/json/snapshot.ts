/**
 * A private copy of a caller's object, taken before validation (the snapshot idea of panva/jose).
 *
 * Validating the caller's object directly would let getters, proxies or a concurrent mutation
 * change a member between the check and the use, and would read inherited members
 * (`Object.prototype.kty`). The snapshot holds only own enumerable data properties, plain
 * values, bounded depth; it never calls a getter and never throws.
 */

import { JWKError, type Problem, problem } from '../errors/index.js';
import { JSON_DEFAULT_MAX_DEPTH, JSON_DEFAULT_MAX_LENGTH } from './parse.js';

/** Stands for a value JSON cannot carry (function, symbol, bigint, Date, Map, NaN, ...). */
export const NOT_JSON: unique symbol = Symbol('jwkit.notJSON');

export interface SnapshotResult {
  value: unknown;
  problems: Problem[];
}

/**
 * Copies `input` into plain JSON data. Members whose value is `undefined` are dropped (as
 * `JSON.stringify` does); other non-JSON values become `NOT_JSON` so that type checks reject them.
 */
export function snapshotJSON(
  input: unknown,
  options: { maxDepth?: number; maxLength?: number } = {},
): SnapshotResult {
  const limits: Limits = {
    maxDepth: options.maxDepth ?? JSON_DEFAULT_MAX_DEPTH,
    // Each value takes at least one character as text, so the text limit bounds the value count.
    budget: options.maxLength ?? JSON_DEFAULT_MAX_LENGTH,
  };
  try {
    return { value: copy(input, limits, 0), problems: [] };
  } catch (err) {
    if (err instanceof JWKError) return { value: undefined, problems: [...err.problems] };
    // A proxy trap or exotic object threw: treat the whole input as unreadable.
    return {
      value: undefined,
      problems: [
        problem(
          'error',
          'JSON_UNREADABLE',
          '',
          'the object could not be read as plain data (a proxy or accessor threw); pass JSON text or a plain object',
          'RFC 8259',
        ),
      ],
    };
  }
}

function tooLong(): JWKError {
  return new JWKError([
    problem(
      'error',
      'JSON_TOO_LONG',
      '',
      'the object holds more values than the length limit allows; raise maxLength if this document is legitimate',
      'RFC 8259',
    ),
  ]);
}

interface Limits {
  readonly maxDepth: number;
  budget: number;
}

function copy(value: unknown, limits: Limits, depth: number): unknown {
  if (--limits.budget < 0) throw tooLong();
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : NOT_JSON;
    case 'object':
      break;
    default:
      return NOT_JSON;
  }
  if (value === null) return null;
  if (depth >= limits.maxDepth) {
    // Also stops cycles: a cyclic object is infinitely deep.
    throw new JWKError([
      problem(
        'error',
        'JSON_TOO_DEEP',
        '',
        `the object nests deeper than the limit of ${limits.maxDepth} (or is cyclic); key documents are shallow, so this input is not one`,
        'RFC 8259',
      ),
    ]);
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    const length = value.length;
    // Checked before the loop: a sparse array can claim billions of elements.
    if (length > limits.budget) throw tooLong();
    for (let i = 0; i < length; i++) {
      const d = Object.getOwnPropertyDescriptor(value, i);
      out.push(d !== undefined && 'value' in d ? copy(d.value, limits, depth + 1) : NOT_JSON);
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_JSON;
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, name);
    if (d === undefined || !('value' in d) || d.value === undefined) continue;
    Object.defineProperty(out, name, {
      value: copy(d.value, limits, depth + 1),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}
