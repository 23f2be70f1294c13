// JWT verification throughput, side by side (issue #3), on the same tokens in one run:
//   jwkit verifyJWT(token, set)          a 10-key JWKSet, kid selection, claims checked (exp)
//   jwkit verifyJWTSync(token, set)      the same, synchronous (node:crypto)
//   jose jwtVerify(token, JWKS)          JWKS = createLocalJWKSet(same 10 keys); for HS256 the
//                                        secret itself (jose's local JWKS refuses oct keys)
//   fast-jwt createVerifier({ key })     static key (no selection), cache off
//   raw crypto.verify                    split, base64url-decode the signature, one
//                                        crypto.verify / HMAC compare with a prepared KeyObject;
//                                        no header or payload parsing: the floor
// Targets (Node): RS256 jwkit >= 0.85x raw and >= 4x jose (issue 3); issue 15: RS256 >= 0.93x raw,
// ES256/EdDSA >= 0.97x, HS256 >= 0.70x, >= fast-jwt on every alg. HS256 also shows a floor that
// computes HMAC the way jwkit does (see rawTwoHashVerifier).
// Run: npm run bench:verify   (env: MS=<ms per sample, default 150>, ROUNDS=<samples per contender, default 15>)
// jwkit is bundled from packages/jwkit/src/index.node.ts with esbuild first, as the published package is.

import * as crypto from 'node:crypto';
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

/**
 * HMAC computed the way jwkit's node backend computes it (crypto/node-hmac.ts: two one-shot
 * crypto.hash calls over prepared padded keys, the tag compared as base64url text), shown for
 * HS256 next to the raw createHmac floor so the table does not hide where jwkit's HMAC speed
 * comes from.
 */
function rawTwoHashVerifier(jwk) {
  const { hash } = crypto;
  const k = Buffer.from(jwk.k, 'base64url');
  const ipad = Buffer.alloc(64, 0x36);
  const outer = Buffer.alloc(96, 0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i] ^= k[i];
    outer[i] ^= k[i];
  }
  const scratch = Buffer.alloc(64 + TOKEN_ROOM);
  return (token) => {
    const dot = token.lastIndexOf('.');
    scratch.set(ipad, 0);
    const n = scratch.write(token, 64, dot, 'latin1');
    outer.write(hash('sha256', scratch.subarray(0, 64 + n), 'latin1'), 64, 'latin1');
    if (hash('sha256', outer, 'base64url') !== token.slice(dot + 1)) throw new Error('bad');
  };
}
const TOKEN_ROOM = 4096;

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
  if (alg === 'HS256')
    contenders["raw HMAC as two crypto.hash (jwkit's method)"] = rawTwoHashVerifier(signer);
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
  const extra = samples["raw HMAC as two crypto.hash (jwkit's method)"];
  delete samples["raw HMAC as two crypto.hash (jwkit's method)"];
  results.push({ alg, cpu: row('cpu'), wall: row('wall'), extra: extra && median(extra.map((x) => x.cpu)) });
  process.stderr.write(`${alg} done\n`);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const names = Object.keys(results[0].cpu);
// Ratios for the promise API (verifyJWT, awaited) and the synchronous one (verifyJWTSync, which
// like raw and fast-jwt returns its result directly).
function table(metric) {
  console.log(
    `| alg | ${names.join(' | ')} | jwkit / raw | jwkit / jose | jwkit / fast-jwt | sync / raw | sync / fast-jwt |`,
  );
  console.log(`|---|${names.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|`);
  for (const result of results) {
    const row = result[metric];
    const ratio = (ours, other) => `${(row[ours] / row[other]).toFixed(2)}x`;
    const a = 'jwkit verifyJWT';
    const s = 'jwkit verifyJWTSync';
    console.log(
      `| ${result.alg} | ${names.map((n) => fmt(row[n])).join(' | ')} | ${ratio(a, 'raw crypto.verify')} | ${ratio(a, 'jose createLocalJWKSet+jwtVerify')} | ${ratio(a, 'fast-jwt (static key)')} | ${ratio(s, 'raw crypto.verify')} | ${ratio(s, 'fast-jwt (static key)')} |`,
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
for (const { alg, cpu, extra } of results) {
  if (extra === undefined) continue;
  console.log(
    `\n${alg}: raw HMAC computed as jwkit does (two crypto.hash, text compare): ${fmt(extra)}/CPU s; jwkit verifyJWT / that ${(cpu['jwkit verifyJWT'] / extra).toFixed(2)}x, verifyJWTSync / that ${(cpu['jwkit verifyJWTSync'] / extra).toFixed(2)}x`,
  );
}
