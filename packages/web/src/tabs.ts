/**
 * The three screens as an ARIA tab set (WAI-ARIA Authoring Practices "Tabs"): arrow keys, Home
 * and End move between tabs, and the URL fragment (#generate, #inspect, #jwt) selects one, so a
 * screen can be linked to and the Back button works.
 */

import { h } from './dom.js';

export interface Screen {
  readonly id: string;
  readonly title: string;
  readonly panel: HTMLElement;
}

export function tabs(screens: readonly Screen[]): { list: HTMLElement; panels: HTMLElement[] } {
  const buttons = screens.map((s) =>
    h(
      'button',
      { type: 'button', role: 'tab', id: `tab-${s.id}`, 'aria-controls': `panel-${s.id}`, class: 'tab' },
      s.title,
    ),
  );
  const panels = screens.map((s) => {
    s.panel.id = `panel-${s.id}`;
    s.panel.setAttribute('role', 'tabpanel');
    s.panel.setAttribute('aria-labelledby', `tab-${s.id}`);
    s.panel.tabIndex = -1;
    return s.panel;
  });

  const select = (index: number, focus: boolean) => {
    buttons.forEach((b, i) => {
      const on = i === index;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      panels[i]!.hidden = !on;
    });
    if (focus) buttons[index]!.focus();
    const hash = `#${screens[index]!.id}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  };

  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(i, false));
    b.addEventListener('keydown', (event) => {
      const n = buttons.length;
      const to =
        event.key === 'ArrowRight'
          ? (i + 1) % n
          : event.key === 'ArrowLeft'
            ? (i + n - 1) % n
            : event.key === 'Home'
              ? 0
              : event.key === 'End'
                ? n - 1
                : undefined;
      if (to === undefined) return;
      event.preventDefault();
      select(to, true);
    });
  });

  const indexOfHash = () => screens.findIndex((s) => `#${s.id}` === location.hash);
  // Other fragments (the skip link's #main) leave the current tab alone.
  window.addEventListener('hashchange', () => {
    const i = indexOfHash();
    if (i >= 0) select(i, false);
  });
  select(Math.max(0, indexOfHash()), false);

  return { list: h('div', { role: 'tablist', 'aria-label': 'Tools', class: 'tabs' }, buttons), panels };
}
