// Makes test/conformance/known-answers.json, the fixed data the runtime conformance suite checks
// jwkit against on every runtime. Run once, by hand, on Node 24.7+ (ML-DSA in node:crypto):
//   scripts/node24 test/conformance/make-known-answers.mjs
// Everything here comes from implementations other than jwkit: keys, PEM and tokens from
// node:crypto, thumbprints from jose, certificates from the openssl command, and vectors copied
// from /work/shared (RFC 7638 §3.1, RFC 8037 Appendix A.3, a real-world x5c) and from the LAMPS
// ML-DSA certificates in packages/jwkit/test/vectors/ml-dsa. Not run by the tests.
import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, calculateJwkThumbprintUri } from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const shared = '/work/shared';
const b64u = (buf) => Buffer.from(buf).toString('base64url');

/** One entry per algorithm configuration the registry lists (and the ECDH key types). */
const SPECS = [
  ...['HS256', 'HS384', 'HS512'].map((alg) => ({
    id: alg,
    alg,
    kty: 'oct',
    bytes: Number(alg.slice(2)) / 8,
  })),
  ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'].map((alg) => ({ id: alg, alg, kty: 'RSA' })),
  { id: 'ES256', alg: 'ES256', kty: 'EC', crv: 'P-256', node: 'prime256v1' },
  { id: 'ES384', alg: 'ES384', kty: 'EC', crv: 'P-384', node: 'secp384r1' },
  { id: 'ES512', alg: 'ES512', kty: 'EC', crv: 'P-521', node: 'secp521r1' },
  { id: 'ES256K', alg: 'ES256K', kty: 'EC', crv: 'secp256k1', node: 'secp256k1' },
  { id: 'EdDSA-Ed25519', alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519' },
  { id: 'EdDSA-Ed448', alg: 'EdDSA', kty: 'OKP', crv: 'Ed448' },
  { id: 'Ed25519', alg: 'Ed25519', kty: 'OKP', crv: 'Ed25519' },
  { id: 'Ed448', alg: 'Ed448', kty: 'OKP', crv: 'Ed448' },
  ...['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'].map((alg) => ({ id: alg, alg, kty: 'AKP' })),
  { id: 'ECDH-ES-P-256', alg: 'ECDH-ES', kty: 'EC', crv: 'P-256', node: 'prime256v1' },
  { id: 'ECDH-ES-X25519', alg: 'ECDH-ES', kty: 'OKP', crv: 'X25519' },
  { id: 'ECDH-ES-X448', alg: 'ECDH-ES', kty: 'OKP', crv: 'X448' },
];

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };
const PASSPHRASE = 'correct horse battery staple';

function keyPair(spec) {
  if (spec.kty === 'RSA') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (spec.kty === 'EC') return generateKeyPairSync('ec', { namedCurve: spec.node });
  if (spec.kty === 'OKP') return generateKeyPairSync(spec.crv.toLowerCase());
  return generateKeyPairSync(spec.alg.toLowerCase());
}

/** RFC 7515 §5.1 with node:crypto: the JWS Signing Input signed by an implementation not jwkit's. */
function jwsSignature(spec, keyObject, secret, input) {
  const data = Buffer.from(input, 'ascii');
  const bits = spec.alg.slice(2);
  if (spec.kty === 'oct') return createHmac(HASH[bits], secret).update(data).digest();
  if (spec.alg.startsWith('RS')) return sign(HASH[bits], data, keyObject);
  if (spec.alg.startsWith('PS'))
    return sign(HASH[bits], data, { key: keyObject, padding: 6, saltLength: Number(bits) / 8 });
  if (spec.kty === 'EC') {
    const hash = { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512', secp256k1: 'sha256' }[spec.crv];
    return sign(hash, data, { key: keyObject, dsaEncoding: 'ieee-p1363' });
  }
  return sign(null, data, keyObject); // EdDSA (RFC 8037 §3.1) and ML-DSA (RFC 9964 §5)
}

function openssl(args, opts = {}) {
  return execFileSync('openssl', args, { encoding: 'utf8', ...opts });
}

/** A self-signed certificate over the key, made by the openssl command (RFC 5280). */
function certificate(spec, keyObject, tmp) {
  const sigOpts = {
    RS256: ['-sha256'],
    PS256: ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'],
    ES256: ['-sha256'],
    ES384: ['-sha384'],
    ES512: ['-sha512'],
    ES256K: ['-sha256'],
    Ed25519: [],
    Ed448: [],
  }[spec.id];
  if (sigOpts === undefined) return undefined;
  const keyFile = join(tmp, `${spec.id}.key`);
  writeFileSync(keyFile, keyObject.export({ format: 'pem', type: 'pkcs8' }));
  const pem = openssl([
    'req',
    '-new',
    '-x509',
    '-key',
    keyFile,
    '-subj',
    `/CN=jwkit conformance ${spec.id}/O=jwkit`,
    '-days',
    '36500',
    '-set_serial',
    '1',
    ...sigOpts,
  ]);
  return pem
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '')
    .trim();
}

const payload = { iss: 'https://issuer.conformance.jwkit.test', sub: 'conformance', iat: 1767225600 };
const tmp = mkdtempSync(join(tmpdir(), 'jwkit-ka-'));
const keys = [];
try {
  for (const spec of SPECS) {
    let jwk;
    let publicJwk;
    let keyObject;
    let secret;
    const entry = { id: spec.id, alg: spec.alg };
    if (spec.kty === 'oct') {
      secret = randomBytes(spec.bytes);
      jwk = { kty: 'oct', k: b64u(secret) };
      publicJwk = jwk;
    } else {
      const pair = keyPair(spec);
      keyObject = pair.privateKey;
      jwk = pair.privateKey.export({ format: 'jwk' });
      publicJwk = pair.publicKey.export({ format: 'jwk' });
      entry.spki = pair.publicKey.export({ format: 'pem', type: 'spki' });
      entry.pkcs8 = pair.privateKey.export({ format: 'pem', type: 'pkcs8' });
      // PBES2 (RFC 8018 §6.2): node:crypto writes PBKDF2-HMAC-SHA256 (2048 rounds) + AES-256-CBC.
      if (spec.id === 'ES256' || spec.id === 'RS256') {
        entry.encryptedPkcs8 = pair.privateKey.export({
          format: 'pem',
          type: 'pkcs8',
          cipher: 'aes-256-cbc',
          passphrase: PASSPHRASE,
        });
        entry.passphrase = PASSPHRASE;
      }
    }
    const members = spec.kty === 'AKP' ? jwk : { ...jwk, alg: spec.alg };
    const kid = await calculateJwkThumbprint(members, 'sha256');
    entry.jwk = { ...jwk, alg: spec.alg, kid };
    entry.publicJwk = spec.kty === 'oct' ? undefined : { ...publicJwk, alg: spec.alg, kid };
    entry.thumbprint = kid;
    entry.thumbprintSHA512 = await calculateJwkThumbprint(members, 'sha512');
    entry.thumbprintURI = await calculateJwkThumbprintUri(members, 'sha256');
    if (spec.alg !== 'ECDH-ES') {
      const header = b64u(JSON.stringify({ alg: spec.alg, kid, typ: 'JWT' }));
      const body = b64u(JSON.stringify({ ...payload, alg: spec.alg }));
      const input = `${header}.${body}`;
      entry.token = `${input}.${b64u(jwsSignature(spec, keyObject, secret, input))}`;
      entry.payload = { ...payload, alg: spec.alg };
    }
    const x5c = keyObject && certificate(spec, keyObject, tmp);
    if (x5c) entry.certificate = x5c;
    keys.push(entry);
    console.error(`made ${spec.id}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const rfc7638 = JSON.parse(readFileSync(join(shared, 'vectors/rfc/rfc7638-thumbprint.json'), 'utf8'));
const rfc8037 = JSON.parse(readFileSync(join(shared, 'vectors/rfc/rfc8037-okp.json'), 'utf8'));
const entra = JSON.parse(
  readFileSync(join(shared, 'fixtures/real-world/microsoft-entra-common.json'), 'utf8'),
);
const entraKey = entra.keys[0];
const pemBody = (text) =>
  text
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '')
    .trim();
const lamps = ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'].map((alg) => {
  const cert = pemBody(readFileSync(join(repo, 'packages/jwkit/test/vectors/ml-dsa', `${alg}.crt`), 'utf8'));
  const spki = readFileSync(join(repo, 'packages/jwkit/test/vectors/ml-dsa', `${alg}.pub`), 'utf8');
  return { alg, certificate: cert, spki };
});

const out = {
  comment:
    'Known answers for test/conformance (made by make-known-answers.mjs with node:crypto, jose and openssl; do not edit by hand)',
  generatedBy: `node ${process.version}, jose, ${openssl(['version']).trim()}`,
  keys,
  rfc7638: {
    source: rfc7638.url,
    jwk: rfc7638.input_jwk,
    thumbprint: b64u(Buffer.from(rfc7638.sha256_octets)),
    thumbprintURI: `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${b64u(Buffer.from(rfc7638.sha256_octets))}`,
  },
  rfc8037: {
    source: `${rfc8037.url} Appendix A.3`,
    jwk: rfc8037['A.2_ed25519_public_jwk'],
    thumbprint: rfc8037['A.3_thumbprint'].thumbprint_b64u,
  },
  realWorldX5c: {
    source: '/work/shared/fixtures/real-world/microsoft-entra-common.json keys[0]',
    jwk: { kty: entraKey.kty, n: entraKey.n, e: entraKey.e },
    x5c: entraKey.x5c,
    x5t: entraKey.x5t,
  },
  lampsMlDsa: lamps,
};
writeFileSync(join(here, 'known-answers.json'), `${JSON.stringify(out, null, 1)}\n`);
console.error(`wrote ${join(here, 'known-answers.json')}`);
