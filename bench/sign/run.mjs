// JWT signing throughput (issue 15), in one process on the same claims:
//   jwkit signJWT(claims, key)      header { alg, typ, kid }, iat added, the public API; awaited
//   raw crypto.sign                 one crypto.sign / createHmac over a prebuilt signing input
//                                   with a prepared KeyObject, plus the base64url of the result:
//                                   no header or payload JSON, the floor
// Target (issue 15): ES256 and EdDSA jwkit >= 0.9x raw.
// Run: npm run bench:sign   (env: MS=<ms per sample, default 100>, ROUNDS=<samples, default 11>)
// Samples alternate contender by contender; the tables give medians of CPU-time rates.
import { createHmac, createPrivateKey, createSecretKey, sign as cryptoSign } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { loadJwkit } from '../load-jwkit.mjs';

const MS = Number(process.env.MS ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const ALGS = (process.env.ALGS ?? 'RS256,ES256,EdDSA,HS256').split(',');
const jwkit = await loadJwkit();

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
async function sample(fn) {
  let ops = 0;
  const start = cpuMs();
  const end = performance.now() + MS;
  while (performance.now() < end) {
    for (let i = 0; i < 32; i++) {
      const r = fn(i);
      if (r !== undefined && typeof r.then === 'function') await r;
    }
    ops += 32;
  }
  return (ops * 1000) / (cpuMs() - start);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function rawSigner(alg, jwk) {
  const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid: jwk.kid })).toString('base64url');
  if (alg === 'HS256') {
    const key = createSecretKey(Buffer.from(jwk.k, 'base64url'));
    return (input) => createHmac('sha256', key).update(`${header}.${input}`).digest('base64url');
  }
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const hash = alg === 'EdDSA' ? null : 'sha256';
  const params = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key;
  return (input) => cryptoSign(hash, Buffer.from(`${header}.${input}`), params).toString('base64url');
}

const results = [];
for (const alg of ALGS) {
  const key = await jwkit.generateJWK({ alg, kid: 'sign-key', allowDeprecated: true });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const claims = Array.from({ length: 32 }, (_, i) => ({ sub: `user-${i}`, scope: 'read write', exp }));
  const inputs = claims.map((c) => Buffer.from(JSON.stringify(c)).toString('base64url'));
  const raw = rawSigner(alg, key);
  const contenders = {
    'jwkit signJWT': (i) => jwkit.signJWT(claims[i], key),
    'raw crypto.sign': (i) => raw(inputs[i]),
  };
  // Every jwkit token must verify.
  const set = new jwkit.JWKSet([key]);
  await jwkit.verifyJWT(await jwkit.signJWT(claims[0], key), set);
  for (const fn of Object.values(contenders)) await sample(fn);
  const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (const [name, fn] of Object.entries(contenders)) samples[name].push(await sample(fn));
  results.push({ alg, row: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) });
}
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}), ${ROUNDS} x ${MS} ms samples, medians, signatures per CPU second\n`,
);
console.log('| alg | jwkit signJWT | raw crypto.sign | jwkit / raw |');
console.log('|---|---:|---:|---:|');
for (const { alg, row } of results) {
  const a = row['jwkit signJWT'];
  const b = row['raw crypto.sign'];
  console.log(`| ${alg} | ${fmt(a)} | ${fmt(b)} | ${(a / b).toFixed(2)}x |`);
}
