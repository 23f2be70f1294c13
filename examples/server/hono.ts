/**
 * Your own Hono app that publishes rotating keys and signs tokens with them.
 * Run: JWKIT_MASTER_KEY=$(openssl rand -base64 32) npx tsx examples/server/hono.ts
 */

import { serve } from '@hono/node-server';
import { createApp, KeyManager, loadMasterKey, openStore } from '@jwkit/server';
import { Hono } from 'hono';

const store = await openStore('sqlite:./.jwkit/example-keys.db');
const { key: masterKey } = await loadMasterKey(); // JWKIT_MASTER_KEY
const keys = await KeyManager.open({ store, masterKey, policies: ['ES256'] });
keys.start(); // rotate on schedule in the background

const app = new Hono();
// The JWKS, discovery, health and metrics routes of jwkit, inside your app.
app.route('/', createApp(keys, { issuer: 'https://auth.example.com' }));
// Your login route signs with the current key (kid, iat, exp and iss set for you).
app.post('/login', async (c) => {
  const token = await keys.sign({ sub: 'alice' }, { expiresIn: '15m', issuer: 'https://auth.example.com' });
  return c.json({ token });
});

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' },
  (info) => {
    console.log(`listening on http://127.0.0.1:${info.port}`);
  },
);
process.once('SIGTERM', async () => {
  server.close();
  await keys.close();
  await store.close();
});
