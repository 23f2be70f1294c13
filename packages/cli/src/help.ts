/** Help-text helpers shared by the commands. */

import { InvalidArgumentError } from 'commander';

/** An "Examples:" block for `--help`: each entry is a command line and what it does. */
export function examples(entries: readonly (readonly [string, string])[]): string {
  const lines = ['', 'Examples:'];
  for (const [cmd, what] of entries) lines.push(`  # ${what}`, `  $ ${cmd}`, '');
  return lines.join('\n');
}

/** Splits repeated and comma-separated option values: `--alg RS256,ES256 --alg PS256`. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...(previous ?? []), ...items];
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A commander argument parser for a positive integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError('expected a positive whole number');
  }
  return n;
}
