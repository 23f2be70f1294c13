/**
 * ML-DSA interop with jose 6 and node:crypto (issue 16 point 4), both ways.
 *
 * - Fixture (any Node): keys, thumbprints and tokens made by jose on Node 24
 *   (test/vectors/ml-dsa/jose-interop.json) verify in jwkit on every backend, including the
 *   pure-JS one Node 20/22 use.
 * - Live (Node 24.7+, where jose and node:crypto have ML-DSA): jose's fresh keys and tokens verify
 *   in jwkit; jwkit's keys, thumbprints, tokens and SPKI verify in jose and node:crypto.
 */

import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import { nodeHasMlDsa } from '../../src/crypto/ml-dsa-node.js';
import {
  base64url,
  type CryptoBackend,
  createWebBackend,
  generateJWK,
  type JWK,
  jwkToKeyObject,
  keyObjectToJWK,
  nodeBackend,
  parseJWK,
  signJWT,
  thumbprint,
  toPublic,
  verifyJWT,
  webBackend,
} from '../../src/index.node.js';

const BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['webcrypto', webBackend],
  ['webcrypto+noble', createWebBackend({ nativeMlDsa: false })],
];
const ALGS = ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'] as const;

const fixture: {
  keys: { alg: string; jwk: JWK; thumbprint: string; token: string; spki: string }[];
} = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'vectors', 'ml-dsa', 'jose-interop.json'), 'utf8'),
);

describe('jose-made ML-DSA keys and tokens (fixture) verify in jwkit', () => {
  for (const k of fixture.keys) {
    it(`${k.alg}: same thumbprint, token verifies on every backend`, async () => {
      const key = parseJWK(k.jwk);
      expect(thumbprint(key)).toBe(k.thumbprint);
      for (const [, backend] of BACKENDS) {
        const { payload, header } = await verifyJWT(k.token, key, { backend });
        expect(payload.sub).toBe('from-jose');
        expect(header.alg).toBe(k.alg);
      }
    });
  }
});

describe.runIf(nodeHasMlDsa())('live interop on a Node with ML-DSA (24.7+)', () => {
  for (const alg of ALGS) {
    it(`${alg}: jose -> jwkit`, async () => {
      const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
      const pub = await jose.exportJWK(publicKey);
      const key = parseJWK(pub);
      expect(thumbprint(key)).toBe(await jose.calculateJwkThumbprint(pub));
      const token = await new jose.SignJWT({ sub: 'jose' }).setProtectedHeader({ alg }).sign(privateKey);
      for (const [, backend] of BACKENDS) {
        expect((await verifyJWT(token, key, { backend })).payload.sub).toBe('jose');
      }
      // jose's private JWK is a valid jwkit signing key whose priv derives its pub.
      const priv = parseJWK(await jose.exportJWK(privateKey));
      const mine = await signJWT({ sub: 'jwkit' }, priv);
      expect((await jose.jwtVerify(mine, publicKey)).payload.sub).toBe('jwkit');
    });
    for (const [name, backend] of BACKENDS) {
      it(`${alg}: jwkit (${name}) -> jose and node:crypto`, async () => {
        const key = await generateJWK({ alg, backend });
        const pub = toPublic(key);
        expect(await jose.calculateJwkThumbprint(pub as jose.JWK)).toBe(thumbprint(pub));
        const token = await signJWT({ sub: 'jwkit' }, key, { backend });
        const joseKey = await jose.importJWK(pub as jose.JWK, alg);
        expect((await jose.jwtVerify(token, joseKey)).payload.sub).toBe('jwkit');
        const [h, p, s] = token.split('.') as [string, string, string];
        const nodeKey = createPublicKey({ key: pub as never, format: 'jwk' });
        expect(cryptoVerify(null, Buffer.from(`${h}.${p}`), nodeKey, base64url.decode(s))).toBe(true);
        // node:crypto reads jwkit's private JWK (seed) and derives the same public key.
        const nodePriv = createPublicKey({ key: key as never, format: 'jwk' }).export({ format: 'jwk' });
        expect(nodePriv.pub).toBe((pub as { pub: string }).pub);
        // KeyObject <-> JWK both ways (Node only API).
        const ko = jwkToKeyObject(key);
        expect(ko.asymmetricKeyType).toBe(alg.toLowerCase());
        expect(keyObjectToJWK(ko)).toMatchObject({
          kty: 'AKP',
          alg,
          pub: (pub as { pub: string }).pub,
          priv: key.priv,
        });
      });
    }
  }
});
