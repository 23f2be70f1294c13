/**
 * Per-key-kind routing (crypto/routed.ts, issue 12 item 1), proven on Node by fault injection: a
 * node:crypto backend crippled the way Bun's is (no secp256k1: import fails with ERR_KEY_IMPORT,
 * generate with a raw ERR_OSSL_* error) behind a router that sends ES256K elsewhere, and a valid
 * key on a "runtime" where no backend has its kind, which must fail with ERR_UNSUPPORTED naming
 * the algorithm and the runtime, never blaming the key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CryptoBackend, GenerateSpec, KeyHandle } from '../../src/crypto/backend.js';
import { generateJWK } from '../../src/crypto/generate.js';
import { importKey } from '../../src/crypto/import.js';
import { nobleBackend, nobleHas } from '../../src/crypto/noble.js';
import { nodeBackend } from '../../src/crypto/node.js';
import { nodeHas } from '../../src/crypto/node-probe.js';
import { createRoutedBackend, type KeyKind, keyKinds, singleOrRouted } from '../../src/crypto/routed.js';
import { runtimeName } from '../../src/crypto/runtime.js';
import { webBackend, webHas } from '../../src/crypto/web.js';
import { ConversionError } from '../../src/errors/index.js';
import type { JWK, OctJWK, PrivateJWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { signJWT } from '../../src/jwt/sign.js';
import { verifyJWT, verifyJWTSync } from '../../src/jwt/verify.js';

const text = (s: string) => new TextEncoder().encode(s);
const NODE = `Node.js ${process.versions.node}`;

/** node:crypto without the given curves, failing the way Bun's node:crypto does (issue 12). */
function crippledNode(missing: readonly string[]): {
  backend: CryptoBackend;
  has: (kind: KeyKind) => boolean;
} {
  const lacks = (crv: unknown) => missing.includes(String(crv));
  const refuse = (jwk: JWK) => {
    if (lacks(jwk.crv))
      throw new ConversionError('ERR_KEY_IMPORT', `cannot import this key; check the key with validateJWK`);
  };
  const backend: CryptoBackend = {
    ...nodeBackend,
    importKey: async (jwk, alg, usage) => {
      refuse(jwk);
      return nodeBackend.importKey(jwk, alg, usage);
    },
    importKeySync: (jwk, alg, usage) => {
      refuse(jwk);
      return nodeBackend.importKeySync!(jwk, alg, usage);
    },
    generate: async (spec: GenerateSpec) => {
      if (lacks(spec.crv))
        throw Object.assign(new Error('error:0480006C:elliptic curve routines::invalid curve'), {
          code: 'ERR_OSSL_EC_INVALID_CURVE',
        });
      return nodeBackend.generate(spec);
    },
  };
  return { backend, has: (kind) => !missing.includes(kind.split(':')[1] ?? '') && nodeHas(kind) };
}

const secp256k1Key = async () =>
  (await generateJWK({ alg: 'ES256K', backend: nobleBackend, kid: 'k1' })) as PrivateJWK;

describe('routing per key kind', () => {
  it('sends ES256K to WebCrypto when node:crypto has no secp256k1, and keeps ES256 on node:crypto', async () => {
    const bunLike = crippledNode(['secp256k1', 'Ed448', 'X448']);
    const routed = createRoutedBackend([bunLike, { backend: webBackend, has: webHas }]);
    const key = await secp256k1Key();
    const signer = await importKey(key, 'ES256K', 'sign', { backend: routed });
    const verifier = await importKey(toPublic(key), 'ES256K', 'verify', { backend: routed });
    expect([signer.backend, verifier.backend]).toEqual(['webcrypto', 'webcrypto']);
    const sig = await routed.sign(signer, text('routed'));
    expect(await routed.verify(verifier, text('routed'), sig)).toBe(true);
    expect(await routed.verify(verifier, text('other'), sig)).toBe(false);
    // The token verifies end to end through the router (and in node:crypto-free WebCrypto).
    const token = await signJWT({ sub: 'a' }, key, { backend: routed });
    expect((await verifyJWT(token, toPublic(key), { backend: routed })).payload.sub).toBe('a');

    const p256 = await generateJWK({ alg: 'ES256', kid: 'p' });
    expect((await importKey(toPublic(p256), 'ES256', 'verify', { backend: routed })).backend).toBe('node');
    // A WebCrypto route is asynchronous: the router then offers no synchronous methods.
    expect(routed.importKeySync).toBeUndefined();
    expect(routed.verifySync).toBeUndefined();
  });

  it('routes to @noble/curves synchronously, so verifyJWTSync and the sync fast path still apply', async () => {
    const routed = createRoutedBackend([
      crippledNode(['secp256k1', 'Ed448']),
      { backend: nobleBackend, has: nobleHas },
    ]);
    expect(routed.verifySync).toBeTypeOf('function');
    for (const alg of ['ES256K', 'Ed448'] as const) {
      const key = (await generateJWK({ alg, kid: alg, backend: routed })) as PrivateJWK;
      const handle = routed.importKeySync!(toPublic(key), alg, 'verify');
      expect(handle.backend).toBe('noble');
      const token = await signJWT({ alg }, key, { backend: routed });
      expect(verifyJWTSync(token, toPublic(key), { backend: routed }).payload.alg).toBe(alg);
    }
    // The text form of the fast path (issue 15) reaches each backend too, canonical base64url only.
    const ed = (await generateJWK({ alg: 'Ed448', backend: routed })) as PrivateJWK;
    const edSig = routed.signSync!(routed.importKeySync!(ed, 'Ed448', 'sign'), text('a.b'));
    const edVerify = routed.importKeySync!(toPublic(ed), 'Ed448', 'verify');
    const b64 = Buffer.from(edSig).toString('base64url');
    expect(routed.verifyTextSync!(edVerify, 'a.b', b64)).toBe(true);
    expect(routed.verifyTextSync!(edVerify, 'a.b', `${b64}=`)).toBe(false);
    expect(routed.verifyTextSync!(edVerify, 'a.c', b64)).toBe(false);
    const rsa = await generateJWK({ alg: 'RS256', kid: 'r' });
    const handle: KeyHandle = routed.importKeySync!(rsa, 'RS256', 'sign');
    expect(handle.backend).toBe('node');
    const token = await signJWT({ sub: 'r' }, rsa, { backend: routed });
    expect(verifyJWTSync(token, toPublic(rsa), { backend: routed }).payload.sub).toBe('r');
  });

  it('generates a missing curve on the backend that has it, not with a raw ERR_OSSL error', async () => {
    const bunLike = crippledNode(['secp256k1']);
    await expect(generateJWK({ alg: 'ES256K', backend: bunLike.backend })).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED',
      message: expect.stringContaining(NODE),
    });
    await expect(generateJWK({ alg: 'ES256K', backend: bunLike.backend })).rejects.toThrow(
      /EC secp256k1 key for ES256K/,
    );
    const routed = createRoutedBackend([bunLike, { backend: nobleBackend, has: nobleHas }]);
    const key = await generateJWK({ alg: 'ES256K', backend: routed });
    expect(key).toMatchObject({ kty: 'EC', crv: 'secp256k1', alg: 'ES256K' });
  });

  it('gives ERR_UNSUPPORTED naming the alg and the runtime when no backend has the kind', async () => {
    const routed = createRoutedBackend([crippledNode(['secp256k1'])]);
    const key = await secp256k1Key();
    const error = await importKey(toPublic(key), 'ES256K', 'verify', { backend: routed }).catch((e) => e);
    expect(error).toMatchObject({ code: 'ERR_UNSUPPORTED' });
    expect(error.message).toContain('ES256K');
    expect(error.message).toContain('EC secp256k1');
    expect(error.message).toContain(NODE);
    expect(error.message).not.toMatch(/validateJWK|invalid/);
    // The same for a valid token: the platform is missing a feature, the key is fine.
    const token = await signJWT({ sub: 'a' }, key, { backend: nobleBackend });
    await expect(verifyJWT(token, toPublic(key), { backend: routed })).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED',
    });
    expect(() => routed.importKeySync!(toPublic(key), 'ES256K', 'verify')).toThrow(
      /ES256K .* not available on Node\.js/,
    );
    await expect(routed.generate({ kty: 'EC', crv: 'secp256k1' })).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED',
    });
  });

  it('prefers the backend given per kind (as index.deno.ts does) and falls back in route order', async () => {
    const routed = createRoutedBackend(
      [
        { backend: nodeBackend, has: nodeHas },
        { backend: webBackend, has: webHas },
      ],
      { prefer: (kind) => (kind.startsWith('EC:P-') || kind.startsWith('AKP:') ? ['webcrypto'] : undefined) },
    );
    const cases = [
      ['ES256', 'webcrypto'],
      ['RS256', 'node'],
      ['Ed25519', 'node'],
      ['HS256', 'node'],
      ['ML-DSA-44', 'webcrypto'],
    ] as const;
    for (const [alg, backend] of cases) {
      const key = (await generateJWK({ alg, kid: alg })) as PrivateJWK | OctJWK;
      const pub = key.kty === 'oct' ? key : toPublic(key);
      const verify = await importKey(pub, alg, 'verify', { backend: routed });
      expect([alg, verify.backend]).toEqual([alg, backend]);
      const token = await signJWT({ alg }, key, { backend: routed });
      expect((await verifyJWT(token, pub, { backend: routed })).payload.alg).toBe(alg);
    }
  });

  it('dispatches handles by the backend that made them and refuses foreign handles as that backend does', async () => {
    const routed = createRoutedBackend([
      { backend: nodeBackend, has: nodeHas },
      { backend: nobleBackend, has: nobleHas },
    ]);
    const fake = { alg: 'ES256', usage: 'verify', backend: 'webcrypto' } as KeyHandle;
    expect(() => routed.verifySync!(fake, text('x'), new Uint8Array(64))).toThrow(/node:crypto backend/);
    expect(() => createRoutedBackend([])).toThrow(TypeError);
    expect(() =>
      createRoutedBackend([
        { backend: nodeBackend, has: nodeHas },
        { backend: nodeBackend, has: nodeHas },
      ]),
    ).toThrow(/of its own name/);
  });
});

describe('probes', () => {
  it('node:crypto on Node has every kind, so the Node entry installs the node:crypto backend itself', () => {
    expect(keyKinds().filter((kind) => !nodeHas(kind))).toEqual([]);
    const routes = [
      { backend: nodeBackend, has: nodeHas },
      { backend: nobleBackend, has: nobleHas },
    ];
    expect(singleOrRouted(routes)).toBe(nodeBackend);
    expect(singleOrRouted([crippledNode(['Ed448']), routes[1]!]).name).toBe('routed');
  });

  it('WebCrypto has every kind here (with @noble/curves where it lacks a curve); noble has its curves only', async () => {
    const missing: string[] = [];
    for (const kind of keyKinds()) if (!(await webHas(kind))) missing.push(kind);
    expect(missing).toEqual([]);
    expect(keyKinds().filter(nobleHas).sort()).toEqual([
      'EC:secp256k1',
      'OKP:Ed25519',
      'OKP:Ed448',
      'OKP:X25519',
      'OKP:X448',
    ]);
  });
});

describe('runtimeName', () => {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  afterEach(() => {
    delete g.Bun;
    delete g.Deno;
  });

  it('names Node, and Bun or Deno before the Node they emulate', () => {
    expect(runtimeName()).toBe(NODE);
    g.Bun = { version: '1.4.5' };
    expect(runtimeName()).toBe('Bun 1.4.5');
    delete g.Bun;
    g.Deno = { version: { deno: '2.9.6' } };
    expect(runtimeName()).toBe('Deno 2.9.6');
  });
});
