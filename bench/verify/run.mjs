// JWT verification throughput, side by side (issue #3), on the same tokens in one run:
//   jwkit verifyJWT(token, set)          a 10-key JWKSet, kid selection, claims checked (exp)
//   jwkit verifyJWTSync(token, set)      the same, synchronous (node:crypto)
//   jose jwtVerify(token, JWKS)          JWKS = createLocalJWKSet(same 10 keys); for HS256 the
//                                        secret itself (jose's local JWKS refuses oct keys)
//   fast-jwt createVerifier({ key })     static key (no selection), cache off
//   raw crypto.verify                    split, base64url-decode the signature, one
//                                        crypto.verify / HMAC compare with a prepared KeyObject;
//                                        no header or payload parsing: the floor
// Targets (Node): RS256 jwkit >= 0.85x raw and >= 4x jose.
// Run: npm run bench:verify   (env: MS=<ms per sample, default 150>, ROUNDS=<samples per contender, default 15>)
// jwkit is bundled from packages/jwkit/src/index.node.ts with esbuild first, as the published package is.
import {
  createHmac,
  createPublicKey,
  createSecretKey,
  verify as cryptoVerify,
  timingSafeEqual,
} from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { createVerifier } from 'fast-jwt';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { loadJwkit } from '../load-jwkit.mjs';

const MS = Number(process.env.MS ?? 150);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const TOKENS = 64;
const ALGS = ['RS256', 'ES256', 'EdDSA', 'HS256'];

const jwkit = await loadJwkit();

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * Verifications per CPU second and per wall-clock second of `fn` over the token list, for about
 * MS ms (sync or async fn). CPU time is that of the whole process (every thread, so WebCrypto's
 * worker threads count too). It is the headline figure because this machine is shared: CPU time
 * does not count the time another process held the core, wall time does.
 */
async function sample(fn, tokens) {
  let ops = 0;
  const wallStart = performance.now();
  const end = wallStart + MS;
  const cpuStart = cpuMs();
  let now = wallStart;
  while (now < end) {
    for (let i = 0; i < tokens.length; i++) {
      const r = fn(tokens[i]);
      if (r !== undefined && typeof r.then === 'function') await r;
    }
    ops += tokens.length;
    now = performance.now();
  }
  return { cpu: (ops * 1000) / (cpuMs() - cpuStart), wall: (ops * 1000) / (now - wallStart) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function rawVerifier(alg, jwk) {
  if (alg === 'HS256') {
    const key = createSecretKey(Buffer.from(jwk.k, 'base64url'));
    return (token) => {
      const dot = token.lastIndexOf('.');
      const sig = Buffer.from(token.slice(dot + 1), 'base64url');
      const mac = createHmac('sha256', key).update(token.slice(0, dot)).digest();
      if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) throw new Error('bad');
    };
  }
  const pub = createPublicKey({
    key: { ...jwk, d: undefined, p: undefined, q: undefined, dp: undefined, dq: undefined, qi: undefined },
    format: 'jwk',
  });
  const hash = alg === 'EdDSA' ? null : 'sha256';
  const key = alg === 'ES256' ? { key: pub, dsaEncoding: 'ieee-p1363' } : pub;
  return (token) => {
    const dot = token.lastIndexOf('.');
    const sig = Buffer.from(token.slice(dot + 1), 'base64url');
    if (!cryptoVerify(hash, Buffer.from(token.slice(0, dot)), key, sig)) throw new Error('bad');
  };
}

function fastJwtVerifier(alg, jwk) {
  const key =
    alg === 'HS256'
      ? Buffer.from(jwk.k, 'base64url')
      : createPublicKey({
          key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, n: jwk.n, e: jwk.e },
          format: 'jwk',
        })
          .export({ type: 'spki', format: 'pem' })
          .toString();
  return createVerifier({ key, algorithms: [alg] });
}

const results = [];
for (const alg of ALGS) {
  const keys = [];
  for (let i = 0; i < 10; i++)
    keys.push(await jwkit.generateJWK({ alg, kid: `key-${i}`, allowDeprecated: true }));
  const publicSet = new jwkit.JWKSet(keys).toJSON();
  const verifySet = alg === 'HS256' ? new jwkit.JWKSet(keys) : jwkit.JWKSet.from(publicSet);
  // jose's local JWKS refuses oct keys, so for HS256 it gets the secret itself (its fast case).
  const joseKey = alg === 'HS256' ? Buffer.from(keys[7].k, 'base64url') : createLocalJWKSet(publicSet);
  const signer = keys[7];
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const tokens = [];
  for (let i = 0; i < TOKENS; i++)
    tokens.push(await jwkit.signJWT({ sub: `user-${i}`, scope: 'read write', exp }, signer));

  const fast = fastJwtVerifier(alg, signer);
  const raw = rawVerifier(alg, signer);
  const contenders = {
    'jwkit verifyJWT': (t) => jwkit.verifyJWT(t, verifySet),
    'jwkit verifyJWTSync': (t) => jwkit.verifyJWTSync(t, verifySet),
    'jose createLocalJWKSet+jwtVerify': (t) => jwtVerify(t, joseKey),
    'fast-jwt (static key)': (t) => fast(t),
    'raw crypto.verify': raw,
  };
  // Every contender must accept every token (and so really verifies the same work).
  for (const fn of Object.values(contenders)) for (const t of tokens) await fn(t);
  for (const fn of Object.values(contenders)) await sample(fn, tokens); // warm-up
  // Short samples, interleaved round by round, so drift in machine load hits every contender.
  const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(contenders)) samples[name].push(await sample(fn, tokens));
  }
  const row = (metric) =>
    Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v.map((x) => x[metric]))]));
  results.push({ alg, cpu: row('cpu'), wall: row('wall') });
  process.stderr.write(`${alg} done\n`);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const names = Object.keys(results[0].cpu);
function table(metric) {
  console.log(`| alg | ${names.join(' | ')} | jwkit / raw | jwkit / jose | jwkit / fast-jwt |`);
  console.log(`|---|${names.map(() => '---:').join('|')}|---:|---:|---:|`);
  for (const result of results) {
    const row = result[metric];
    const ours = row['jwkit verifyJWT'];
    const ratio = (other) => `${(ours / row[other]).toFixed(2)}x`;
    console.log(
      `| ${result.alg} | ${names.map((n) => fmt(row[n])).join(' | ')} | ${ratio('raw crypto.verify')} | ${ratio('jose createLocalJWKSet+jwtVerify')} | ${ratio('fast-jwt (static key)')} |`,
    );
  }
}
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}), ${ROUNDS} x ${MS} ms samples per contender, medians\n`,
);
console.log('Verifications per CPU second:\n');
table('cpu');
console.log('\nVerifications per wall-clock second:\n');
table('wall');
