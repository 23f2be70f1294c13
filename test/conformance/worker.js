// Entry for workerd: a module worker (bundled the way wrangler bundles, conditions
// workerd/worker/browser). GET /?base=<JWKS server base URL> answers the suite's JSON.
import { runSuite } from './suite.js';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const only = url.searchParams.get('only');
    const out = await runSuite({
      baseURL: url.searchParams.get('base') ?? undefined,
      only: only ? new RegExp(only) : undefined,
    });
    return new Response(JSON.stringify(out), { headers: { 'content-type': 'application/json' } });
  },
};
