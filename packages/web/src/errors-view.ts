/** How a thrown error is shown: its message, its stable code, and every problem it carries. */

import { JWKitError, type Problem } from 'jwkit';
import { problemList } from './components/problems.js';
import { h } from './dom.js';

export function errorView(title: string, error: unknown): HTMLElement {
  const code = error instanceof JWKitError ? error.code : undefined;
  const problems = (error as { problems?: readonly Problem[] } | null)?.problems;
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert', 'data-error-code': code ?? '' },
    h('strong', null, title),
    h(
      'p',
      null,
      error instanceof Error ? error.message : String(error),
      code ? [' ', h('code', null, code)] : null,
    ),
    Array.isArray(problems) ? problemList(problems, 'Problems') : null,
  );
}
