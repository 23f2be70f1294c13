/**
 * Lazy access to the library. Commands load it through this function instead of importing it,
 * so `jwkit --help` and `--version` load no crypto at all (the bundle keeps the library in its
 * own chunk). Its Node entry installs the node:crypto backend (DESIGN principle 5).
 */

export const loadJwkit = () => import('jwkit');
