/**
 * Signing with the current key in a library of your choice: `signingKey()` gives the private
 * JWK, its kid and its alg. Here with jose; the JWKS the manager publishes verifies the result.
 * Run: JWKIT_MASTER_KEY=$(openssl rand -base64 32) npx tsx examples/server/sign-with-jose.ts
 */

import { createApp, KeyManager, loadMasterKey, openStore } from '@jwkit/server';
import * as jose from 'jose';

const store = await openStore('sqlite::memory:');
const { key: masterKey } = await loadMasterKey();
const keys = await KeyManager.open({ store, masterKey, policies: ['ES256'] });

const { kid, alg, jwk } = keys.signingKey('ES256');
const token = await new jose.SignJWT({ sub: 'alice' })
  .setProtectedHeader({ alg, kid })
  .setIssuedAt()
  .setExpirationTime('15m') // at most the policy's maxTokenLifetime (default 1h)
  .sign(await jose.importJWK(jwk, alg));

// Anyone holding the published set verifies it: here, the set as the JWKS endpoint serves it.
const res = await createApp(keys).fetch(new Request('http://localhost/.well-known/jwks.json'));
const jwks = jose.createLocalJWKSet((await res.json()) as jose.JSONWebKeySet);
const { payload } = await jose.jwtVerify(token, jwks);
console.log(`verified ${payload.sub} (kid ${kid})`);

await keys.close();
await store.close();
