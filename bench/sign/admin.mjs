// POST /admin/sign throughput of a real `jwkit serve` (issue 15 item 3), next to signJWT in-process:
//   server    the built CLI (packages/cli/dist/cli.js: run `npm run build` first), a fresh SQLite
//             store, `--algs ES256,Ed25519 --no-web`, the admin listener on 127.0.0.1, the token from
//             JWKIT_ADMIN_TOKEN; keep-alive HTTP/1.1 on loopback
//   load      wrk (apt package) with a Lua script posting {"claims":{...},"alg":...}, or, without
//             wrk, a fetch loop with CONNECTIONS requests in flight
//   in-process jwkit signJWT(claims, key) awaited in a loop, same alg, one core
// Run: npm run bench:sign:admin   (env: SECONDS=<per alg, default 5>, CONNECTIONS=<default 16>)
// The server and the load generator share the machine's 2 cores: tokens/s is for the whole HTTP
// path (parse, auth, JSON, sign, respond), not for signing alone.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadJwkit } from '../load-jwkit.mjs';

const SECONDS = Number(process.env.SECONDS ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const ALGS = ['ES256', 'Ed25519'];
const CLI = resolve('packages/cli/dist/cli.js');
const TOKEN = 'bench-admin-token-0123456789abcdef';

if (!existsSync(CLI)) {
  console.error(`${CLI} is missing: run npm run build first`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'jwkit-admin-sign-'));
const server = spawn(
  process.execPath,
  [
    CLI,
    'serve',
    '--init',
    '--store',
    `sqlite:${join(work, 'keys.db')}`,
    '--port',
    '0',
    '--no-web',
    '--algs',
    ALGS.join(','),
  ],
  {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      JWKIT_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      JWKIT_ADMIN_TOKEN: TOKEN,
    },
  },
);
let log = '';
const adminUrl = await new Promise((resolveUrl, reject) => {
  const onData = (chunk) => {
    log += chunk;
    // The admin listener is the private one (127.0.0.1, its own port).
    const m =
      /admin[^\n]*?(http:\/\/127\.0\.0\.1:\d+)/.exec(log) ?? /listening on (\S+)[^\n]*admin/.exec(log);
    if (m) resolveUrl(m[1]);
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (code) => reject(new Error(`jwkit serve exited ${code}:\n${log}`)));
  setTimeout(() => reject(new Error(`jwkit serve did not report its admin listener:\n${log}`)), 60_000);
});

const claims = { sub: 'user-1', scope: 'read write' };
async function post(alg, retry = true) {
  // An idle keep-alive connection the server closed after keepAliveTimeout: once more, anew.
  const res = await fetch(`${adminUrl}/admin/sign`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ claims, alg }),
  }).catch((error) => {
    if (!retry) throw error;
    return undefined;
  });
  if (res === undefined) return post(alg, false);
  if (res.status !== 200)
    throw new Error(`POST /admin/sign ${alg} answered ${res.status}: ${await res.text()}`);
  return (await res.json()).token;
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
function wrk(alg) {
  const script = join(work, `${alg}.lua`);
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(JSON.stringify({ claims, alg }))}\n` +
      `wrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer ${TOKEN}"\n` +
      'done = function(summary, latency, requests)\n' +
      '  local e = summary.errors\n' +
      '  io.write(string.format("RESULT %d %d %d %d %d\\n", summary.requests, summary.duration, e.status, latency:percentile(99), e.connect + e.read + e.write + e.timeout))\n' +
      'end\n',
  );
  const out = spawnSync(
    'wrk',
    ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', script, `${adminUrl}/admin/sign`],
    { encoding: 'utf8' },
  );
  const m = /RESULT (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out.stdout);
  if (!m) throw new Error(`wrk gave no result:\n${out.stdout}\n${out.stderr}`);
  const [requests, micros, non2xx, p99, socketErrors] = m.slice(1).map(Number);
  if (non2xx > 0) throw new Error(`${non2xx} answers were not 2xx`);
  return { rate: (requests * 1e6) / micros, p99: p99 / 1000, socketErrors };
}

async function fetchLoop(alg) {
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        await post(alg);
        done++;
      }
    }),
  );
  return { rate: (done * 1000) / (performance.now() - start), p99: undefined, socketErrors: 0 };
}

const jwkit = await loadJwkit();
async function inProcess(alg) {
  const key = await jwkit.generateJWK({ alg, kid: 'k' });
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  const c0 = process.cpuUsage();
  while (performance.now() < end) {
    for (let i = 0; i < 32; i++) await jwkit.signJWT(claims, key);
    n += 32;
  }
  const c = process.cpuUsage(c0);
  return (n * 1e6) / (c.user + c.system);
}

const rows = [];
try {
  for (const alg of ALGS) {
    const token = await post(alg);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    if (header.alg !== alg) throw new Error(`asked for ${alg}, got ${header.alg}`);
    for (let i = 0; i < 50; i++) await post(alg); // warm-up (the CLI logs and audits every admin call)
    const http = hasWrk ? wrk(alg) : await fetchLoop(alg);
    rows.push({ alg, http, local: await inProcess(alg) });
  }
} catch (error) {
  console.error(`jwkit serve's log:\n${log}`);
  throw error;
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(work, { recursive: true, force: true });
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}), ${hasWrk ? 'wrk' : 'fetch loop'}, ${CONNECTIONS} connections, ${SECONDS} s per alg\n`,
);
console.log(
  '| alg | POST /admin/sign tokens/s | p99 latency | socket errors | signJWT in-process tokens/CPU s | HTTP / in-process |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const { alg, http, local } of rows) {
  console.log(
    `| ${alg} | ${fmt(http.rate)} | ${http.p99 === undefined ? '-' : `${http.p99.toFixed(1)} ms`} | ${http.socketErrors} | ${fmt(local)} | ${(http.rate / local).toFixed(2)}x |`,
  );
}
