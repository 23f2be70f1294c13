// Remote JWKS key sources side by side (one run), against a real node:http server on 127.0.0.1
// (bench/remote/server.mjs, a child process, port 0) serving a 10-key RS256 JWKS with
// `Cache-Control: max-age=600` and an ETag (answering If-None-Match with 304):
//   jwkit RemoteJWKSet            verifyJWT(token, remote) / remote.selectKey(header)
//   jose createRemoteJWKSet       jwtVerify(token, JWKS) / JWKS(header)
//   jwks-rsa JwksClient           client.getSigningKey(kid), then crypto.verify with its PEM,
//                                 payload JSON and exp checked (jwks-rsa verifies nothing itself)
// 1. warm-cache verification throughput (64 tokens, signed round-robin by the 10 keys);
// 2. unknown-kid storm: 10,000 concurrent lookups of random kids on a fresh client, plus one
//    known-kid lookup issued during it; upstream requests during the storm and the second after;
// 3. upstream failure: warm, then the server answers 500 and the cache expires: still verifies?
// Run: npm run bench:remote   (env: MS=<ms per sample, default 150>, ROUNDS=<default 9>)
// jwkit is bundled from packages/jwkit/src/index.node.ts with esbuild first, as bench/verify does.
import { fork } from 'node:child_process';
import { verify as cryptoVerify, randomBytes } from 'node:crypto';
import { globalAgent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { JwksClient } from 'jwks-rsa';
import { loadJwkit } from '../load-jwkit.mjs';

const MS = Number(process.env.MS ?? 150);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const TOKENS = 64;
const STORM = 10_000;
/** Longest wait for a storm to settle; what is still pending then is reported as such. */
const STORM_DEADLINE = 20_000;
/** Cache lifetime forced on every client in the failure scenario, and the wait after it. */
const SHORT_TTL = 300;

const jwkit = await loadJwkit();

// --- the upstream server ---------------------------------------------------------------------
const child = fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), { stdio: 'inherit' });
/** One IPC question at a time; the server answers each with one message. */
const ask = (msg) =>
  new Promise((resolve) => {
    child.once('message', resolve);
    child.send(msg);
  });
/** Requests the server received so far for this client's URL. */
const upstreamRequests = async (url) => (await ask({ count: new URL(url).pathname })).requests;
const setMode = (mode) => ask({ mode });

const keys = [];
for (let i = 0; i < 10; i++) keys.push(await jwkit.generateJWK({ alg: 'RS256', kid: `key-${i}` }));
const { port } = await ask({ jwks: new jwkit.JWKSet(keys).toJSON() });
/** A URL of its own for every client (the server counts requests by path). */
let clients = 0;
const freshUrl = () => `http://127.0.0.1:${port}/jwks/${++clients}.json`;
const exp = Math.floor(Date.now() / 1000) + 3600;
const tokens = [];
for (let i = 0; i < TOKENS; i++)
  tokens.push(await jwkit.signJWT({ sub: `user-${i}`, scope: 'read write', exp }, keys[i % keys.length]));
const KNOWN_KID = 'key-7';
const knownToken = tokens[7];

// --- the contenders --------------------------------------------------------------------------
/** jwks-rsa hands out a PEM; the check is what a caller (or jsonwebtoken) does with it. */
async function jwksRsaVerify(client, token) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  if (header.alg !== 'RS256') throw new Error('unexpected alg');
  const key = await client.getSigningKey(header.kid);
  const data = Buffer.from(`${h}.${p}`);
  if (!cryptoVerify('sha256', data, key.getPublicKey(), Buffer.from(s, 'base64url')))
    throw new Error('bad signature');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  if (typeof payload.exp !== 'number' || payload.exp <= Date.now() / 1000) throw new Error('expired');
  return payload;
}

/**
 * Each contender: make(url, options) builds a fresh client; verify(c, token); lookup(c, kid)
 * selects a key as the verifier would; close(c); expireFast: the options giving a short cache
 * lifetime (scenario 3). Everything else is left at the library's defaults.
 */
const jwkitC = {
  name: 'jwkit RemoteJWKSet',
  make: (url, o) => new jwkit.RemoteJWKSet(url, o),
  verify: (c, t) => jwkit.verifyJWT(t, c),
  lookup: (c, kid) => c.selectKey({ alg: 'RS256', kid }),
  close: (c) => c.close(),
  expireFast: { minTtl: 0, maxTtl: SHORT_TTL },
};
const joseC = {
  name: 'jose createRemoteJWKSet',
  make: (url, o) => createRemoteJWKSet(new URL(url), o),
  verify: (c, t) => jwtVerify(t, c),
  lookup: (c, kid) => c({ alg: 'RS256', kid }),
  close: () => {},
  expireFast: { cacheMaxAge: SHORT_TTL, cooldownDuration: SHORT_TTL },
};
const rsa = (name, extra = {}) => ({
  name,
  make: (url, o) => new JwksClient({ jwksUri: url, ...extra, ...o }),
  verify: jwksRsaVerify,
  lookup: (c, kid) => c.getSigningKey(kid),
  close: () => {},
  expireFast: { cacheMaxAge: SHORT_TTL },
});

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const errName = (err) => err?.code ?? err?.name ?? String(err);

// --- 1. warm-cache throughput ------------------------------------------------------------------
/** Verifications per CPU second (this process: the server's CPU is its own) and per wall second. */
async function sample(fn) {
  let ops = 0;
  const wallStart = performance.now();
  const end = wallStart + MS;
  const cpuStart = cpuMs();
  let now = wallStart;
  while (now < end) {
    for (const t of tokens) await fn(t);
    ops += tokens.length;
    now = performance.now();
  }
  return { cpu: (ops * 1000) / (cpuMs() - cpuStart), wall: (ops * 1000) / (now - wallStart) };
}

async function throughput() {
  const list = [
    jwkitC,
    joseC,
    rsa('jwks-rsa (defaults: cacheMaxEntries 5)'),
    rsa('jwks-rsa cacheMaxEntries 10', { cacheMaxEntries: 10 }),
  ];
  const urls = list.map(() => freshUrl());
  const made = list.map((c, i) => c.make(urls[i], {}));
  const fns = list.map((c, i) => (t) => c.verify(made[i], t));
  const fetches = list.map(() => 0);
  const samples = list.map(() => []);
  const counted = async (i, run) => {
    const r = await run();
    fetches[i] = await upstreamRequests(urls[i]);
    return r;
  };
  // Every contender must accept every token; this pass is also the first fetch (counted).
  for (const [i, fn] of fns.entries())
    await counted(i, async () => {
      for (const t of tokens) await fn(t);
    });
  for (const [i, fn] of fns.entries()) await counted(i, () => sample(fn)); // warm-up
  for (let r = 0; r < ROUNDS; r++)
    for (const [i, fn] of fns.entries()) samples[i].push(await counted(i, () => sample(fn)));
  for (const [i, c] of list.entries()) c.close(made[i]);
  const cpu = samples.map((s) => median(s.map((x) => x.cpu)));
  const wall = samples.map((s) => median(s.map((x) => x.wall)));
  console.log('### 1. Warm-cache verification throughput\n');
  console.log(
    '| contender | verifications / CPU s | verifications / wall s | jwkit / this (CPU) | jwkit / this (wall) | upstream requests |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  list.forEach((c, i) => {
    const r = (a) => `${(a[0] / a[i]).toFixed(2)}x`;
    console.log(
      `| ${c.name} | ${fmt(cpu[i])} | ${fmt(wall[i])} | ${r(cpu)} | ${r(wall)} | ${fmt(fetches[i])} |`,
    );
  });
  console.log();
}

// --- 2. unknown-kid storm ------------------------------------------------------------------------
async function storm(c, warm) {
  const url = freshUrl();
  const client = c.make(url, {});
  if (warm) await c.lookup(client, KNOWN_KID);
  const before = await upstreamRequests(url);
  const outcomes = new Map();
  const tally = (k) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  const pending = [];
  for (let i = 0; i < STORM; i++) {
    const kid = randomBytes(12).toString('base64url');
    pending.push(
      c.lookup(client, kid).then(
        () => tally('resolved'),
        (e) => tally(errName(e)),
      ),
    );
  }
  // The known kid is asked for once the storm is under way (every storm lookup issued).
  await new Promise((r) => setImmediate(r));
  const t0 = performance.now();
  const known = c.lookup(client, KNOWN_KID).then(
    () => `yes, ${(performance.now() - t0).toFixed(1)} ms`,
    (e) => `no (${errName(e)}, ${(performance.now() - t0).toFixed(1)} ms)`,
  );
  const stormStart = t0;
  let timer;
  const deadline = new Promise((r) => {
    timer = setTimeout(() => r('deadline'), STORM_DEADLINE);
  });
  const settled = await Promise.race([Promise.all([...pending, known]), deadline]);
  clearTimeout(timer);
  const stormMs = performance.now() - stormStart;
  const during = (await upstreamRequests(url)) - before;
  await sleep(1000);
  const after = (await upstreamRequests(url)) - before - during;
  const knownResult = await Promise.race([known, Promise.resolve('still pending')]);
  c.close(client);
  const left = settled === 'deadline' ? ` (${STORM_DEADLINE / 1000} s deadline hit)` : '';
  const unsettled = STORM - [...outcomes.values()].reduce((a, b) => a + b, 0);
  if (unsettled > 0) outcomes.set('still pending', unsettled);
  const out = [...outcomes].map(([k, n]) => `${k} ${fmt(n)}`).join(', ');
  return `| ${c.name} | ${warm ? 'warm' : 'cold'} | ${fmt(during)} | ${fmt(after)} | ${fmt(stormMs)} ms${left} | ${knownResult} | ${out} |`;
}

async function storms() {
  const list = [
    jwkitC,
    joseC,
    rsa('jwks-rsa (defaults: cache on, rateLimit off)'),
    rsa('jwks-rsa rateLimit on (10/min)', { rateLimit: true }),
  ];
  console.log(`### 2. Unknown-kid storm (${fmt(STORM)} concurrent lookups, random kids, fresh client)\n`);
  console.log(
    '| contender | client | upstream requests during storm | in the next second | storm settled in | known-kid lookup resolves | storm outcomes |',
  );
  console.log('|---|---|---:|---:|---:|---|---|');
  for (const warm of [false, true]) for (const c of list) console.log(await storm(c, warm));
  console.log();
}

// --- 3. upstream failure after expiry ------------------------------------------------------------
async function failure(c, options) {
  await setMode('ok');
  const url = freshUrl();
  const client = c.make(url, options);
  await c.verify(client, knownToken);
  const before = await upstreamRequests(url);
  await setMode('fail');
  await sleep(SHORT_TTL * 2);
  let result;
  try {
    await c.verify(client, knownToken);
    result = 'yes (last good set)';
  } catch (e) {
    result = `no (${errName(e)})`;
  }
  const requests = (await upstreamRequests(url)) - before;
  c.close(client);
  await setMode('ok');
  return `| ${c.name} | \`${JSON.stringify(options)}\` | ${result} | ${requests} |`;
}

async function failures() {
  console.log(
    `### 3. Upstream answers 500 after the cache expired (${SHORT_TTL} ms lifetime, checked at ${SHORT_TTL * 2} ms)\n`,
  );
  console.log(
    '| contender | options | known-kid token still verifies | upstream requests after the switch |',
  );
  console.log('|---|---|---|---:|');
  const fallback = rsa('jwks-rsa + cacheMaxAgeFallback');
  const rows = [
    [jwkitC, jwkitC.expireFast],
    [joseC, joseC.expireFast],
    [rsa('jwks-rsa'), { cacheMaxAge: SHORT_TTL }],
    [fallback, { cacheMaxAge: SHORT_TTL, cacheMaxAgeFallback: 3_600_000 }],
  ];
  for (const [c, o] of rows) console.log(await failure(c, o));
  console.log();
}

console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}), ${ROUNDS} x ${MS} ms samples per contender, medians\n`,
);
try {
  await throughput();
  await storms();
  await failures();
} finally {
  globalAgent.destroy();
  const exited = new Promise((r) => child.once('exit', r));
  child.disconnect();
  await exited;
}
// jwks-rsa's rate limiter keeps the storm's queued lookups in timers (one token per 6 s) and
// offers no way to cancel them; everything else is closed, so end here rather than wait hours.
process.exit(0);
