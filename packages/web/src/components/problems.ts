/**
 * Validator problems as the page shows them: severity, code, path, message and RFC reference,
 * either as a list or attached to the member they are about.
 */

import type { Problem } from 'jwkit';
import { h } from '../dom.js';

export function problemItem(p: Problem): HTMLLIElement {
  return h(
    'li',
    {
      class: `problem problem-${p.severity}`,
      'data-code': p.code,
      'data-path': p.path,
      'data-severity': p.severity,
    },
    h('span', { class: `sev sev-${p.severity}` }, p.severity),
    ' ',
    h('code', { class: 'problem-code' }, p.code),
    p.path ? [' ', h('code', { class: 'problem-path', title: 'Where in the input' }, p.path)] : null,
    h('span', { class: 'problem-message' }, p.message),
    p.rfc ? h('span', { class: 'problem-rfc' }, p.rfc) : null,
  );
}

export function problemList(problems: readonly Problem[], label: string): HTMLElement | null {
  if (problems.length === 0) return null;
  return h('ul', { class: 'problems', 'aria-label': label }, problems.map(problemItem));
}

/** "2 errors, 1 warning", or "no problems". */
export function countProblems(problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  if (problems.length === 0) return 'no problems';
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/**
 * The member of a key a problem path points at, relative to `prefix` (`keys[2]` for a set):
 * `keys[2].y` -> `y`, `x5c[0]` -> `x5c`, `["x5t#S256"]` -> `x5t#S256`, the key itself -> ''.
 * `undefined` when the path is outside the key.
 */
export function memberOfPath(path: string, prefix: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  let rest = path.slice(prefix.length);
  if (rest === '') return '';
  if (prefix !== '') {
    if (rest.startsWith('.')) rest = rest.slice(1);
    else if (!rest.startsWith('[')) return undefined;
  }
  if (rest.startsWith('["')) {
    const end = rest.indexOf('"]');
    try {
      return JSON.parse(rest.slice(1, end + 1)) as string;
    } catch {
      return undefined;
    }
  }
  if (rest.startsWith('[')) return prefix === '' ? '' : undefined;
  const m = /^[^.[]+/.exec(rest);
  return m ? m[0] : '';
}
