/** Labelled form controls. Every control has a visible <label>; hints are tied by aria-describedby. */

import { h, uid } from '../dom.js';

export interface Option {
  readonly value: string;
  readonly label: string;
  readonly group?: string;
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || uid('f');
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** Fills a <select> with options (grouped when they carry a group), keeping `value` if offered. */
export function setOptions(select: HTMLSelectElement, options: readonly Option[], value?: string): void {
  const groups = new Map<string, HTMLOptGroupElement>();
  const nodes: HTMLElement[] = [];
  for (const o of options) {
    const opt = h('option', { value: o.value }, o.label);
    if (o.group === undefined) {
      nodes.push(opt);
      continue;
    }
    let g = groups.get(o.group);
    if (!g) {
      g = h('optgroup', { label: o.group });
      groups.set(o.group, g);
      nodes.push(g);
    }
    g.append(opt);
  }
  select.replaceChildren(...nodes);
  if (value !== undefined && options.some((o) => o.value === value)) select.value = value;
}

/** A group of checkboxes under a fieldset legend. */
export function checkboxGroup(legend: string, name: string, hint?: string) {
  const box = h('div', { class: 'checks' });
  const hintEl = hint ? h('p', { class: 'hint' }, hint) : null;
  const element = h('fieldset', { class: 'field' }, h('legend', null, legend), box, hintEl);
  return {
    element,
    set(values: readonly string[], checked: readonly string[]) {
      box.replaceChildren(
        ...values.map((v) => {
          const id = uid(`${name}-${v}`);
          return h(
            'label',
            { class: 'check', for: id },
            h('input', { type: 'checkbox', id, name, value: v, checked: checked.includes(v) }),
            ' ',
            h('code', null, v),
          );
        }),
      );
      element.hidden = values.length === 0;
    },
    checked(): string[] {
      return [...box.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
    },
    onChange(fn: () => void) {
      box.addEventListener('change', fn);
    },
  };
}
