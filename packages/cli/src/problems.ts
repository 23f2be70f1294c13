/** Prints validation problems as diagnostics, the same way in every command. */

import type { Problem } from 'jwkit';
import { formatProblem, note, styleFor } from './output.js';

/** Writes each problem to stderr, prefixed by the input's name. */
export function reportProblems(source: string, problems: readonly Problem[]): void {
  const style = styleFor(process.stderr);
  for (const p of problems) note(`jwkit: ${source}: ${formatProblem(p, style)}`);
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
