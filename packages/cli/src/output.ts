/**
 * Human and machine output. Results go to stdout, diagnostics to stderr. Colour only when the
 * stream is a terminal, `NO_COLOR` is unset (https://no-color.org) and `TERM` is not `dumb`;
 * `FORCE_COLOR` (non-zero) forces it on. `--json` output never carries colour.
 */

import type { Problem } from 'jwkit';

interface Stream {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function styleFor(stream: Stream): Style {
  const on = colorEnabled(stream);
  return {
    enabled: on,
    bold: on ? sgr(1, 22) : plain,
    dim: on ? sgr(2, 22) : plain,
    red: on ? sgr(31, 39) : plain,
    yellow: on ? sgr(33, 39) : plain,
    green: on ? sgr(32, 39) : plain,
    cyan: on ? sgr(36, 39) : plain,
  };
}

/** Writes one result line (or block) to stdout. */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes a diagnostic line to stderr. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function warn(text: string): void {
  const style = styleFor(process.stderr);
  note(`jwkit: ${style.yellow('warning')}: ${text}`);
}

/** Pretty JSON (2 spaces) by default, one line with `compact`; always newline-terminated. */
export function toJSONText(value: unknown, compact = false): string {
  return `${JSON.stringify(value, null, compact ? undefined : 2)}\n`;
}

export function printJSON(value: unknown, compact = false): void {
  process.stdout.write(toJSONText(value, compact));
}

/** `error    EC_POINT_NOT_ON_CURVE  keys[2].y: message (RFC 7518 §6.2.1.3)` */
export function formatProblem(p: Problem, style: Style): string {
  const sev = p.severity === 'error' ? style.red('error  ') : style.yellow('warning');
  const where = p.path ? `${style.cyan(p.path)}: ` : '';
  const rfc = p.rfc ? style.dim(` (${p.rfc})`) : '';
  return `${sev} ${style.bold(p.code)} ${where}${p.message}${rfc}`;
}

/** Aligns `label: value` rows; rows with an undefined value are left out. */
export function fields(
  rows: readonly (readonly [string, string | undefined])[],
  style: Style,
  indent = '  ',
): string[] {
  const present = rows.filter((r): r is readonly [string, string] => r[1] !== undefined);
  const width = Math.max(0, ...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${indent}${style.dim(`${k}:`.padEnd(width + 1))} ${v}`);
}

/** A plain text table; the first row is the header. Cells never contain colour codes. */
export function table(rows: readonly (readonly string[])[], style: Style): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row, r) => {
    const line = row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
    return r === 0 ? style.bold(line) : line;
  });
}

/** A date as ISO 8601 in UTC without milliseconds, the form every report uses. */
export function isoDate(d: Date | number): string {
  const date = typeof d === 'number' ? new Date(d) : d;
  return Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
