// Entry for a browser page (bundled for platform "browser"): runs the suite against the server
// the page came from and leaves the result on globalThis.__conformance for the driver to read.
import { runSuite } from './suite.js';

const only = new URLSearchParams(location.search).get('only');
globalThis.__conformance = runSuite({
  baseURL: location.origin,
  only: only ? new RegExp(only) : undefined,
}).then(
  (out) => JSON.stringify(out),
  (err) => JSON.stringify({ error: String(err?.stack ?? err) }),
);
