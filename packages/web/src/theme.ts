/**
 * Light and dark themes. With no choice stored, `prefers-color-scheme` decides (in CSS); the
 * toggle stores an explicit choice in localStorage, which never leaves the browser.
 */

import { h } from './dom.js';

type Theme = 'system' | 'light' | 'dark';
const KEY = 'jwkit-theme';
const NEXT: Record<Theme, Theme> = { system: 'dark', dark: 'light', light: 'system' };
const LABEL: Record<Theme, string> = { system: 'Theme: system', dark: 'Theme: dark', light: 'Theme: light' };

function stored(): Theme {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

function apply(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function themeToggle(): HTMLButtonElement {
  let theme = stored();
  apply(theme);
  const button = h('button', { type: 'button', class: 'btn btn-quiet theme-toggle', id: 'theme-toggle' });
  const show = () => {
    button.textContent = LABEL[theme];
    button.setAttribute('aria-label', `${LABEL[theme]}; switch to ${NEXT[theme]}`);
  };
  button.addEventListener('click', () => {
    theme = NEXT[theme];
    apply(theme);
    try {
      if (theme === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, theme);
    } catch {
      // Storage may be disabled; the choice then lasts for this page view.
    }
    show();
  });
  show();
  return button;
}
