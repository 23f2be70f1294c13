/**
 * Mounting the JWKS in a Fastify app (npm i fastify). The route hijacks the reply and lets
 * jwkit's node:http listener (`createNodeListener`) write Node's raw response.
 * Run: JWKIT_MASTER_KEY=$(openssl rand -base64 32) npx tsx examples/server/fastify.ts
 */

import { createNodeListener, KeyManager, loadMasterKey, openStore } from '@jwkit/server';
import Fastify from 'fastify';

const store = await openStore('sqlite:./.jwkit/example-keys.db');
const { key: masterKey } = await loadMasterKey();
const keys = await KeyManager.open({ store, masterKey, policies: ['ES256'] });
keys.start();

const jwkit = createNodeListener(keys);
const app = Fastify();
for (const url of ['/.well-known/jwks.json', '/jwks.json']) {
  app.route({
    method: ['GET', 'HEAD'],
    url,
    handler: (request, reply) => {
      reply.hijack();
      jwkit(request.raw, reply.raw);
    },
  });
}
app.post('/login', async () => ({ token: await keys.sign({ sub: 'alice' }, { expiresIn: '15m' }) }));

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${address}`);
process.once('SIGTERM', async () => {
  await app.close();
  await keys.close();
  await store.close();
});
