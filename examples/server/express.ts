/**
 * Mounting the JWKS in an Express app (npm i express). `createNodeListener` is jwkit's app as a
 * node:http listener (the JWKS answered from prepared bytes); Express hands it Node's req/res.
 * Routes are registered with app.get, which keeps the full path (app.use would strip its mount
 * prefix).
 * Run: JWKIT_MASTER_KEY=$(openssl rand -base64 32) npx tsx examples/server/express.ts
 */

import { createNodeListener, KeyManager, loadMasterKey, openStore } from '@jwkit/server';
import express from 'express';

const store = await openStore('sqlite:./.jwkit/example-keys.db');
const { key: masterKey } = await loadMasterKey();
const keys = await KeyManager.open({ store, masterKey, policies: ['ES256', 'RS256'] });
keys.start();

const jwkit = createNodeListener(keys);
const app = express();
app.get(['/.well-known/jwks.json', '/jwks.json', '/readyz', '/metrics'], (req, res) => jwkit(req, res));
app.post('/login', async (_req, res) => {
  res.json({ token: await keys.sign({ sub: 'alice' }, { alg: 'RS256', expiresIn: '15m' }) });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
process.once('SIGTERM', async () => {
  server.close();
  await keys.close();
  await store.close();
});
