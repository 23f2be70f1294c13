/** Durations in options: a number of seconds, or a string such as `'30s'`, `'15m'`, `'12h'`, `'7d'`. */

import { JWTError } from '../errors/index.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;

/** Seconds in `value`; `ERR_JWT_OPTIONS` for a negative, non-finite or unreadable duration. */
export function seconds(value: number | string, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const m = DURATION.exec(value.trim());
    if (m) return Number(m[1]) * UNITS[m[2]!]!;
  }
  throw new JWTError(
    'ERR_JWT_OPTIONS',
    `${option} must be a non-negative number of seconds or a duration like "30s", "15m", "12h", "7d", not ${JSON.stringify(value)}`,
  );
}
