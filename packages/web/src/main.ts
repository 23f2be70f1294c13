/** The jwkit page: generator, inspector and JWT debugger, all running in this browser. */

import { statusRegions } from './components/status.js';
import { h } from './dom.js';
import { generateScreen } from './screens/generate.js';
import { inspectScreen } from './screens/inspect.js';
import { jwtScreen } from './screens/jwt.js';
import { tabs } from './tabs.js';
import { themeToggle } from './theme.js';

function main(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const { list, panels } = tabs([
    { id: 'generate', title: 'Generate', panel: h('section', null, generateScreen()) },
    { id: 'inspect', title: 'Inspect', panel: h('section', null, inspectScreen()) },
    { id: 'jwt', title: 'JWT debugger', panel: h('section', null, jwtScreen()) },
  ]);
  app.replaceChildren(
    h(
      'header',
      { class: 'topbar' },
      h(
        'div',
        { class: 'brand' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }, '{ }'),
        h('h1', null, 'jwkit'),
        h('span', { class: 'tagline' }, 'JWK generator, inspector and JWT debugger'),
      ),
      themeToggle(),
    ),
    h(
      'p',
      { class: 'privacy' },
      h('strong', null, 'Runs entirely in your browser.'),
      ' Keys and tokens are never uploaded: the page makes no request except loading itself and a JWKS URL you ask it to fetch.',
    ),
    h('nav', { class: 'tabs-wrap', 'aria-label': 'Tools' }, list),
    h('main', { id: 'main' }, panels),
    h(
      'footer',
      { class: 'footer' },
      'jwkit · RFC 7517, 7518, 7638, 8037, 8812, 9278, 9864 · ',
      h('a', { href: '#generate' }, 'Generate'),
      ' · ',
      h('a', { href: '#inspect' }, 'Inspect'),
      ' · ',
      h('a', { href: '#jwt' }, 'JWT'),
    ),
    ...statusRegions(),
  );
}

main();
