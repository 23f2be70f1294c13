/**
 * A labelled text box that also takes dropped files and has an "Open file" button for keyboard
 * users. Files are read locally with the File API; binary (DER) files become base64 text.
 */

import { encodeStd } from 'jwkit/internal';
import { h, uid } from '../dom.js';

export interface DropzoneSpec {
  readonly label: string;
  readonly name: string;
  readonly placeholder: string;
  readonly hint?: string;
  readonly rows?: number;
  /** Called after a paste, drop or file pick (not on every keystroke). */
  readonly onLoad?: () => void;
  readonly onInput?: () => void;
}

export interface Dropzone {
  readonly element: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
}

export function dropzone(spec: DropzoneSpec): Dropzone {
  const id = uid(spec.name);
  const hintId = `${id}-hint`;
  const textarea = h('textarea', {
    id,
    name: spec.name,
    rows: spec.rows ?? 8,
    spellcheck: 'false',
    autocomplete: 'off',
    autocapitalize: 'off',
    placeholder: spec.placeholder,
    'aria-describedby': hintId,
    class: 'code-input',
    oninput: () => spec.onInput?.(),
    onpaste: () => setTimeout(() => spec.onLoad?.(), 0),
  });
  // Reached through the "Open file…" button, which is what keyboard and screen-reader users meet.
  const fileInput = h('input', {
    type: 'file',
    class: 'visually-hidden',
    tabindex: -1,
    multiple: true,
    'aria-hidden': 'true',
  });
  const zone = h(
    'div',
    { class: 'dropzone' },
    h(
      'div',
      { class: 'field-head' },
      h('label', { for: id }, spec.label),
      h(
        'button',
        { type: 'button', class: 'btn btn-small btn-quiet', onclick: () => fileInput.click() },
        'Open file…',
      ),
    ),
    textarea,
    h('p', { class: 'hint', id: hintId }, spec.hint ?? 'Paste, or drop a file here. Nothing is uploaded.'),
    fileInput,
  );

  const load = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    const texts = await Promise.all([...files].map(readText));
    textarea.value = texts.join('\n');
    spec.onLoad?.();
  };
  fileInput.addEventListener('change', () => void load(fileInput.files));
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    void load(event.dataTransfer?.files ?? null);
  });
  return { element: zone, textarea };
}

/** Text files as text; anything with a NUL byte (DER) as standard base64. */
async function readText(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.includes(0)) return encodeStd(bytes);
  return new TextDecoder().decode(bytes);
}
