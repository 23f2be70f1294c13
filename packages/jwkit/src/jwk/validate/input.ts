/** Turns the caller's input (JSON text or an object) into a private plain-data value. */

import { JWKError, type Problem } from '../../errors/index.js';
import { parseJSON } from '../../json/parse.js';
import { snapshotJSON } from '../../json/snapshot.js';
import { adopt, makeProblem } from './codes.js';
import type { ResolvedOptions } from './options.js';

export interface Input {
  value: unknown;
  problems: Problem[];
  /** The input could not be read at all (not JSON, too long, too deep). */
  unreadable: boolean;
}

export function readInput(input: unknown, options: ResolvedOptions): Input {
  if (typeof input !== 'string') {
    const { value, problems } = snapshotJSON(input, { maxLength: options.maxLength });
    return { value, problems: adopt(problems, options.strict), unreadable: problems.length > 0 };
  }
  try {
    const { value, problems } = parseJSON(input, { maxLength: options.maxLength });
    return { value, problems: adopt(problems, options.strict), unreadable: false };
  } catch (e) {
    const problems =
      e instanceof JWKError
        ? [...e.problems]
        : [makeProblem('JSON_UNREADABLE', '', 'the text could not be read as JSON', options.strict)];
    return { value: undefined, problems, unreadable: true };
  }
}
