// Fetches a remote JWKS with the default options (background refresh on, so a refresh timer is
// pending) and returns without closing the RemoteJWKSet: the process must still exit by itself.
import { RemoteJWKSet } from 'jwkit';

const g = globalThis;
const url = g.Deno !== undefined ? g.Deno.args[0] : g.process.argv[2];
const remote = new RemoteJWKSet(url);
await remote.refresh();
console.log('fetched');
