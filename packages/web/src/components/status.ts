/**
 * Live regions. Results are large trees (keys, PEM, tables) that a screen reader should not read
 * out whole on every change, so the result containers are not live; instead each action
 * announces one short sentence. `toast: true` also shows it on screen for a few seconds (copy,
 * download), where nothing else on the page changes to confirm the action.
 */

import { h } from '../dom.js';

let toast: HTMLElement | undefined;
let spoken: HTMLElement | undefined;
let hide: ReturnType<typeof setTimeout> | undefined;

export function statusRegions(): HTMLElement[] {
  toast = h('div', { class: 'toast', role: 'status', 'aria-live': 'polite', id: 'status' });
  spoken = h('div', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', id: 'status-sr' });
  return [toast, spoken];
}

export function announce(message: string, options: { toast?: boolean } = {}): void {
  const region = options.toast ? toast : spoken;
  if (!region) return;
  region.textContent = '';
  // Clearing first makes screen readers announce a repeated message again.
  setTimeout(() => {
    region.textContent = message;
  }, 30);
  if (!options.toast) return;
  if (hide !== undefined) clearTimeout(hide);
  hide = setTimeout(() => {
    region.textContent = '';
  }, 4000);
}
