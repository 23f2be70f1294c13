/**
 * ML-DSA (RFC 9964, FIPS 204) on every backend jwkit has: node:crypto (native on Node 24.7+,
 * @noble/post-quantum before), WebCrypto (native where the runtime has ML-DSA) and WebCrypto
 * forced onto @noble/post-quantum. Vectors: the RFC 9964 draft's JOSE examples (key, kid
 * thumbprint, JWS) and Wycheproof's ML-DSA keygen-from-seed and verify files.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as noble from '@noble/post-quantum/ml-dsa.js';
import { describe, expect, it } from 'vitest';
import { nodeHasMlDsa, nodeMlDsaEngine } from '../../src/crypto/ml-dsa-node.js';
import { base64url } from '../../src/index.js';
import {
  type CryptoBackend,
  createWebBackend,
  generateJWK,
  isPrivate,
  type JWK,
  jwkToPEM,
  nodeBackend,
  parseCertificate,
  parseJWK,
  pemToJWK,
  signJWT,
  thumbprint,
  thumbprintURI,
  toPublic,
  validateJWK,
  verifyJWT,
  verifyX5cChain,
  webBackend,
} from '../../src/index.node.js';
import { type MlDsaAlg, nobleEngine } from '../../src/math/ml-dsa.js';

const DIR = join(import.meta.dirname, '..', 'vectors', 'ml-dsa');
const ALGS: MlDsaAlg[] = ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'];
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

const BACKENDS: [string, CryptoBackend][] = [
  ['node', nodeBackend],
  ['webcrypto', webBackend],
  ['webcrypto+noble', createWebBackend({ nativeMlDsa: false })],
];

interface JoseExample {
  jwk: JWK & { kid: string; pub: string; priv: string };
  jws: string;
}
const example = (alg: MlDsaAlg): JoseExample =>
  JSON.parse(readFileSync(join(DIR, `${alg.replace(/-/g, '_')}.jose.json`), 'utf8'));

describe('RFC 9964 examples', () => {
  for (const alg of ALGS) {
    const ex = example(alg);
    it(`${alg}: the key validates and its thumbprint is the example kid (RFC 9964 §6)`, () => {
      const key = parseJWK(ex.jwk);
      expect(thumbprint(key)).toBe(ex.jwk.kid);
      expect(thumbprint(toPublic(key))).toBe(ex.jwk.kid);
      expect(thumbprintURI(key)).toBe(`urn:ietf:params:oauth:jwk-thumbprint:sha-256:${ex.jwk.kid}`);
      expect(isPrivate(key)).toBe(true);
      expect(toPublic(key)).not.toHaveProperty('priv');
    });
    for (const [name, backend] of BACKENDS) {
      it(`${alg}: the example JWS verifies on ${name}; a tampered one does not`, async () => {
        const pub = toPublic(parseJWK(ex.jwk));
        const [h, p, s] = ex.jws.split('.') as [string, string, string];
        const handle = await backend.importKey(pub, alg, 'verify');
        const data = new TextEncoder().encode(`${h}.${p}`);
        const sig = base64url.decode(s);
        expect(await backend.verify(handle, data, sig)).toBe(true);
        sig[10]! ^= 1;
        expect(await backend.verify(handle, data, sig)).toBe(false);
        expect(await backend.verify(handle, data, sig.subarray(1))).toBe(false);
      });
    }
  }
});

describe('AKP validation (RFC 9964 §3-§7)', () => {
  const ex = example('ML-DSA-44');
  const codes = (input: object) => validateJWK(input).problems.map((p) => `${p.code}@${p.path}`);
  it('reports each AKP problem with its code and path', () => {
    const { kid: _kid, ...jwk } = ex.jwk;
    expect(codes({ ...jwk, priv: base64url.encode(new Uint8Array(32).fill(1)) })).toContain(
      'AKP_PRIVATE_MISMATCH@priv',
    );
    expect(codes({ ...jwk, pub: base64url.encode(new Uint8Array(1952)) })).toContain('AKP_PUB_LENGTH@pub');
    expect(codes({ ...jwk, alg: 'ML-DSA-65' })).toContain('AKP_PUB_LENGTH@pub');
    expect(codes({ kty: 'AKP', pub: jwk.pub })).toContain('AKP_ALG_MISSING@alg');
    expect(codes({ kty: 'AKP', alg: 'ES256', pub: jwk.pub })).toContain('ALG_KEY_MISMATCH@alg');
    expect(codes({ kty: 'AKP', alg: 'SLH-DSA-SHA2-128s', pub: jwk.pub })).toContain(
      'AKP_ALG_UNSUPPORTED@alg',
    );
    expect(codes({ ...jwk, priv: base64url.encode(new Uint8Array(2560)) })).toContain('AKP_PRIV_LENGTH@priv');
    expect(codes({ kty: 'AKP', alg: 'ML-DSA-44', pub: jwk.pub, x: jwk.pub.slice(0, 43) })).toContain(
      'JWK_FOREIGN_MEMBER@x',
    );
    expect(codes({ kty: 'EC', crv: 'P-256', pub: jwk.pub })).toContain('JWK_FOREIGN_MEMBER@pub');
    expect(validateJWK(jwk).valid).toBe(true);
  });
  it('refuses to sign with a mismatched pair on every backend, even unvalidated', async () => {
    const { kid: _kid, ...jwk } = ex.jwk;
    const bad = { ...jwk, priv: base64url.encode(new Uint8Array(32).fill(1)) } as JWK;
    for (const [, backend] of BACKENDS) {
      await expect(backend.importKey(bad, 'ML-DSA-44', 'sign')).rejects.toThrow(/AKP_PRIVATE_MISMATCH/);
    }
  });
  it('an AKP key is used only with its own alg', async () => {
    const pub = toPublic(parseJWK(ex.jwk));
    await expect(nodeBackend.importKey(pub, 'ML-DSA-65', 'verify')).rejects.toThrow(
      /only with its own "alg"/,
    );
  });
});

describe('generation, JWT sign and verify on every backend', () => {
  for (const alg of ALGS) {
    for (const [name, backend] of BACKENDS) {
      it(`${alg} on ${name}`, async () => {
        const key = (await generateJWK({ alg, backend })) as JWK & { pub: string; priv: string };
        expect(Object.keys(key).sort()).toEqual(['alg', 'kid', 'kty', 'priv', 'pub']);
        expect(base64url.decode(key.priv)).toHaveLength(32);
        expect(key.kid).toBe(thumbprint(key));
        expect(validateJWK(key).valid).toBe(true);
        const token = await signJWT({ sub: 'pq' }, key, { backend });
        for (const [, other] of BACKENDS) {
          const { payload } = await verifyJWT(token, toPublic(key), { backend: other });
          expect(payload.sub).toBe('pq');
        }
      });
    }
  }
  it('size is not an AKP option', async () => {
    await expect(generateJWK({ alg: 'ML-DSA-65', size: 2048 })).rejects.toThrow(/omit "size"/);
  });
});

interface WycheproofFile {
  algorithm: MlDsaAlg;
  groups: {
    publicKey?: string;
    privateSeed?: string;
    tests: { tcId: number; msg: string; sig: string; result: string; flags: string[] }[];
  }[];
}
const wycheproof: { files: Record<string, WycheproofFile> } = JSON.parse(
  gunzipSync(readFileSync(join(DIR, 'wycheproof-mldsa.json.gz'))).toString('utf8'),
);

describe('Wycheproof ML-DSA', () => {
  const engines = [
    ['@noble/post-quantum', nobleEngine(noble)],
    ...(nodeHasMlDsa() ? [['node:crypto', nodeMlDsaEngine()] as const] : []),
  ] as const;
  for (const alg of ALGS) {
    const l = alg.slice(-2);
    it(`${alg}: keygen from seed (FIPS 204 Algorithm 6) on every engine`, () => {
      let n = 0;
      for (const g of wycheproof.files[`mldsa_${l}_sign_seed`]!.groups) {
        for (const [, engine] of engines) {
          expect(Buffer.from(engine.fromSeed(alg, hex(g.privateSeed!)).publicKey).toString('hex')).toBe(
            g.publicKey,
          );
        }
        n++;
      }
      expect(n).toBeGreaterThan(10);
    });
    for (const [name, backend] of BACKENDS) {
      it(`${alg}: sigVer on ${name} (JWK import, then verify)`, async () => {
        let n = 0;
        for (const g of wycheproof.files[`mldsa_${l}_verify`]!.groups) {
          const jwk = { kty: 'AKP', alg, pub: base64url.encode(hex(g.publicKey!)) };
          const report = validateJWK(jwk);
          for (const t of g.tests) {
            n++;
            let ok = false;
            if (report.valid) {
              const handle = await backend.importKey(report.key!, alg, 'verify');
              ok = await backend.verify(handle, hex(t.msg), hex(t.sig));
            }
            expect(ok, `tcId ${t.tcId} ${t.flags.join(',')}`).toBe(t.result === 'valid');
          }
        }
        expect(n).toBeGreaterThan(150);
      });
    }
  }
  it('engines', () => {
    expect(engines.length).toBe(nodeHasMlDsa() ? 2 : 1);
  });
});

describe('PEM / DER (RFC 9881 examples) and X.509', () => {
  const file = (name: string) => readFileSync(join(DIR, name), 'utf8');
  for (const alg of ALGS) {
    it(`${alg}: SPKI, PKCS#8 seed and both forms read to one AKP key; jwkit writes the seed form`, async () => {
      const pub = (await pemToJWK(file(`${alg}.pub`))) as JWK & { pub: string };
      expect(pub).toMatchObject({ kty: 'AKP', alg });
      const seed = (await pemToJWK(file(`${alg}-seed.priv`))) as JWK & { pub: string; priv: string };
      expect(seed.pub).toBe(pub.pub);
      expect(base64url.decode(seed.priv)).toEqual(Uint8Array.from({ length: 32 }, (_, i) => i));
      expect(await pemToJWK(file(`${alg}-both.priv`))).toEqual(seed);
      await expect(pemToJWK(file(`${alg}-expanded.priv`))).rejects.toThrow(/seed form/);
      expect((await jwkToPEM(seed)).trim()).toBe(file(`${alg}-seed.priv`).trim());
      expect((await jwkToPEM(toPublic(seed))).trim()).toBe(file(`${alg}.pub`).trim());
      expect(await pemToJWK(await jwkToPEM(seed, { passphrase: 'pw' }), { passphrase: 'pw' })).toEqual(seed);
    });
    it(`${alg}: the example certificate's key and self-signature`, async () => {
      const pem = file(`${alg}.crt`);
      const der = base64url.decode(
        pem
          .replace(/-----[^-]+-----|\s/g, '')
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, ''),
      );
      const cert = parseCertificate(der);
      expect(cert.signatureAlgorithm.name).toBe(alg);
      const key = (await pemToJWK(pem)) as JWK & { pub: string };
      expect(key).toMatchObject({ kty: 'AKP', alg });
      const report = await verifyX5cChain({ ...toPublic(key), x5c: [Buffer.from(der).toString('base64')] });
      expect(
        report.problems.filter((p) => p.code.startsWith('X5C_CHAIN')),
        JSON.stringify(report.problems),
      ).toEqual([]);
    });
  }
  it('a "both" key whose expanded half is not its seed\'s is refused (RFC 9881 §8.1)', async () => {
    await expect(pemToJWK(file('bad-ML-DSA-44-1.priv'))).rejects.toThrow(
      /not the one its seed gives|does not/,
    );
  });
});
