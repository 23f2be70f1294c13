/**
 * Durations in options and on the command line: a number of milliseconds, or a string such as
 * `500ms`, `90s`, `15m`, `12h`, `30d` (one unit; `s` when the unit is left out).
 */

import { ServerConfigError } from './errors.js';

export type Duration = number | string;

const UNITS: Readonly<Record<string, number>> = Object.freeze({
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
});

/** Milliseconds in `value`; throws `ERR_BAD_DURATION` for anything else than a non-negative duration. */
export function toMillis(value: Duration, name = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(value);
    const unit = m ? UNITS[m[2] ?? 's'] : undefined;
    if (m && unit !== undefined) return Math.round(Number(m[1]) * unit);
  }
  throw new ServerConfigError(
    'ERR_BAD_DURATION',
    `${name}: ${JSON.stringify(value)} is not a duration; write a number with a unit, e.g. 500ms, 90s, 15m, 12h or 30d`,
  );
}

/** `1d 2h`-style text for reports and error messages. */
export function formatMillis(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
