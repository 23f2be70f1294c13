/** Verifying JWTs against a RemoteJWKSet: jwkit's verifyJWT and jose's jwtVerify key function. */
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeBackend } from '../../src/crypto/node.js';
import { JWKitError } from '../../src/errors/index.js';
import { signJWT } from '../../src/jwt/sign.js';
import { verifyJWT } from '../../src/jwt/verify.js';
import { RemoteJWKSet } from '../../src/remote/remote-jwks.js';
import { FakeClock } from './helpers/fake-clock.js';
import { etagHandler, gate, JWKSServer } from './helpers/jwks-server.js';
import { ecKey, edKey, jwks } from './helpers/keys.js';

const A = ecKey('a');
const B = ecKey('b');
const E = edKey('e');
const claims = { issuer: 'https://issuer.test', audience: 'api' };
const sign = (key: typeof A, kid: string = key.kid) =>
  signJWT({ sub: 'alice' }, key.private, { ...claims, kid, expiresIn: '5m', backend: nodeBackend });

let server: JWKSServer;
let published: unknown;
let clock: FakeClock;
let remote: RemoteJWKSet;

beforeEach(async () => {
  published = jwks(A, E);
  clock = new FakeClock(Date.now());
  server = await JWKSServer.start(etagHandler(() => published, { 'cache-control': 'max-age=600' }));
  remote = new RemoteJWKSet(server.url(), { clock, cooldown: 30_000 });
});
afterEach(async () => {
  remote.close();
  await server.close();
});

describe('verifyJWT with a RemoteJWKSet', () => {
  it('verifies tokens of every published key with one fetch', async () => {
    for (const key of [A, E]) {
      const { payload, header, key: used } = await verifyJWT(await sign(key), remote, claims);
      expect(payload.sub).toBe('alice');
      expect(header.kid).toBe(key.kid);
      expect(used.kid).toBe(key.kid);
    }
    expect(server.count()).toBe(1);
  });

  it('follows a key rotated in upstream', async () => {
    await verifyJWT(await sign(A), remote, claims);
    published = jwks(A, B);
    clock.advance(30_000);
    expect((await verifyJWT(await sign(B), remote, claims)).header.kid).toBe('b');
    expect(server.count()).toBe(2);
  });

  it('rejects a token forged with a symmetric key the set published', async () => {
    const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA';
    published = { keys: [A.public, { kty: 'oct', kid: 'hs', alg: 'HS256', k: secret }] };
    const forged = await signJWT(
      { sub: 'mallory' },
      { kty: 'oct', kid: 'hs', alg: 'HS256', k: secret },
      claims,
    );
    await expect(verifyJWT(forged, remote, claims)).rejects.toBeInstanceOf(JWKitError);
  });

  it('10,000 concurrent verifications with random unknown kids cost one fetch per cooldown', async () => {
    await remote.refresh();
    clock.advance(30_000);
    const good = await sign(A);
    // An attacker's tokens: a random kid in the header, the rest copied (selection fails first).
    const [, payload, signature] = good.split('.');
    const forged = Array.from({ length: 10_000 }, () => {
      const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: randomUUID(), typ: 'JWT' })).toString(
        'base64url',
      );
      return `${header}.${payload}.${signature}`;
    });
    const hold = gate();
    const arrived = gate();
    const serve = server.handler;
    server.handler = async (req, res) => {
      arrived.open();
      await hold.promise;
      await serve(req, res);
    };
    const storm = Promise.allSettled(forged.map((t) => verifyJWT(t, remote, claims)));
    // Tokens with a known kid verify while the storm's refresh is held.
    await arrived.promise;
    const known = await Promise.all(Array.from({ length: 100 }, () => verifyJWT(good, remote, claims)));
    expect(known.every((v) => v.payload.sub === 'alice')).toBe(true);
    hold.open();
    const results = await storm;
    const outcomes = new Set(
      results.map((r) => (r.status === 'rejected' ? (r.reason as JWKitError).code : 'verified')),
    );
    expect([...outcomes]).toEqual(['ERR_JWKS_NO_MATCHING_KEY']);
    expect(server.count()).toBe(2);
    await Promise.allSettled(forged.map((t) => verifyJWT(t, remote, claims)));
    expect(server.count()).toBe(2);
  });
});

describe("jose's jwtVerify with remote.getKey", () => {
  it('verifies tokens signed by jose and by jwkit', async () => {
    const byJose = await new SignJWT({ sub: 'bob' })
      .setProtectedHeader({ alg: 'ES256', kid: 'a' })
      .setIssuer(claims.issuer)
      .setAudience(claims.audience)
      .setExpirationTime('5m')
      .sign(A.privateKey);
    expect((await jwtVerify(byJose, remote.getKey, claims)).payload.sub).toBe('bob');
    expect((await jwtVerify(await sign(E), remote.getKey, claims)).protectedHeader.kid).toBe('e');
    expect(server.count()).toBe(1);
  });

  it('rejects a token whose kid the set does not hold', async () => {
    await expect(jwtVerify(await sign(A, 'nope'), remote.getKey, claims)).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
  });
});
