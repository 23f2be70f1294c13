/**
 * An output box: a titled, focusable block of text with Copy and Download buttons. Secret
 * outputs (private JWKs, PKCS#8, oct keys) carry a visible warning so they are not pasted into
 * a ticket or a public JWKS by mistake.
 */

import { h } from '../dom.js';
import { announce } from './status.js';

export interface OutputSpec {
  /** Heading, e.g. "Public JWK". */
  readonly title: string;
  readonly text: string;
  /** Name for the Download button's file. */
  readonly filename: string;
  /** Stable name tests and styles can address, e.g. `public-jwk`. */
  readonly name: string;
  readonly secret?: boolean;
  readonly note?: string;
  /** Spans the whole row (one-line values such as thumbprints). */
  readonly wide?: boolean;
}

export function outputBox(spec: OutputSpec): HTMLElement {
  const headingId = `out-${spec.name}-${Math.random().toString(36).slice(2, 8)}`;
  // PEM keeps its 64-character lines (RFC 7468 §2); a narrow box scrolls instead of re-wrapping.
  const pem = spec.text.startsWith('-----BEGIN ');
  const pre = h(
    'pre',
    {
      class: pem ? 'output-text nowrap' : 'output-text',
      tabindex: 0,
      'aria-labelledby': headingId,
      'data-output': spec.name,
    },
    h('code', null, spec.text),
  );
  return h(
    'section',
    {
      class: `output${spec.secret ? ' secret' : ''}${spec.wide ? ' wide' : ''}`,
      'data-output-box': spec.name,
    },
    h(
      'div',
      { class: 'output-head' },
      h('h4', { id: headingId }, spec.title),
      spec.secret
        ? h(
            'span',
            {
              class: 'badge badge-secret',
              title: 'Private key material: anyone who has it can sign or decrypt as you',
            },
            'Secret',
          )
        : null,
      h(
        'div',
        { class: 'output-actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => void copy(spec) }, 'Copy'),
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => download(spec) }, 'Download'),
      ),
    ),
    spec.note ? h('p', { class: 'output-note' }, spec.note) : null,
    pre,
  );
}

async function copy(spec: OutputSpec): Promise<void> {
  try {
    await navigator.clipboard.writeText(spec.text);
    announce(
      `${spec.title} copied to the clipboard${spec.secret ? ' (it is secret: clear it when done)' : ''}.`,
      { toast: true },
    );
  } catch {
    announce('Copy failed: the browser refused clipboard access. Select the text and copy it by hand.', {
      toast: true,
    });
  }
}

/** Saves through a `blob:` URL made here; nothing leaves the browser. */
function download(spec: OutputSpec): void {
  const url = URL.createObjectURL(new Blob([spec.text], { type: 'text/plain' }));
  const a = h('a', { href: url, download: spec.filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  announce(`${spec.filename} saved.`, { toast: true });
}
