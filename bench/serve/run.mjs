// The JWKS endpoint of `jwkit serve` against nginx serving the same bytes (issue #4), in one run:
//   phase 1  wrk against jwkit and against nginx (one worker each, same threads, connections and
//            duration), ROUNDS interleaved rounds; req/s, p50, p99 and the ratio jwkit/nginx.
//            Target: jwkit >= 0.55x nginx.
//   phase 2  a jwkit server with an RS256 policy of 4096-bit keys: JWKS p99 idle and while
//            POST /admin/rotate runs back to back (each rotation generates an RSA-4096 key),
//            ROUNDS interleaved rounds of each.
//   phase 3  `jwkit serve --workers N` (N = 1, 2) next to a bare node:http server (one process,
//            and N = 2 through node:cluster) writing jwkit's JWKS bytes and headers as a prepared
//            buffer, ROUNDS interleaved rounds; the ratio jwkit/bare per N. Target (N = 1): 1.00x.
// jwkit runs as its own process through the library `serve(options)` that `jwkit serve` calls,
// bundled by esbuild from packages/server/src; nginx is /usr/sbin/nginx, a non-daemon child with its own
// config, prefix and pid file. Everything listens on 127.0.0.1 only; every child is killed at
// the end, also on error or Ctrl-C.
// Run: npm run bench:serve   Env: DURATION (per wrk run, default 10s), WARMUP (default 3s),
// ROUNDS (default 3), THREADS (default 1), CONNECTIONS (default 50), ACCEPT_ENCODING
// (sent by wrk; default none: the identity body; `gzip` serves jwkit's own gzip bytes from nginx
// too), PHASES (default `1,2,3`), SERVER (`lib`, default, or `cli`: phase 1 runs the built
// `node packages/cli/dist/cli.js serve`; needs npm run build), WRK and NGINX (paths of the binaries).
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const DURATION = env.DURATION ?? '10s';
const WARMUP = env.WARMUP ?? '3s';
const ROUNDS = Number(env.ROUNDS ?? 3);
const THREADS = Number(env.THREADS ?? 1);
const CONNECTIONS = Number(env.CONNECTIONS ?? 50);
const ENCODING = env.ACCEPT_ENCODING ?? '';
const PHASES = new Set((env.PHASES ?? '1,2,3').split(','));
const WRK = env.WRK ?? '/usr/bin/wrk';
const NGINX = env.NGINX ?? '/usr/sbin/nginx';
// `lib` (default): serve() bundled from packages/server/src; `cli`: phase 1 runs `node packages/cli/dist/cli.js serve`.
const SERVER = env.SERVER ?? 'lib';
const CLI = join(root, 'packages', 'cli', 'dist', 'cli.js');
const JWKS_PATH = '/.well-known/jwks.json';
// The whole run stops (and cleans up) after this, whatever happens.
const DEADLINE_MS = 20 * 60 * 1000;

// ---- child processes and temp dirs, all removed in cleanup() ----------------------------------

const children = new Set();
const dirs = [];

/** Spawns a child in its own process group, so that cleanup reaches its children too (nginx's worker). */
function start(cmd, args, options = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  const exited = new Promise((done) => {
    child.once('exit', (code, signal) => done(code ?? signal));
    child.once('error', (e) => {
      out += `\n${e.message}`;
      done(e.code ?? 'error');
    });
  });
  const proc = { child, exited, output: () => out, name: `${cmd} ${args[0] ?? ''}` };
  children.add(proc);
  exited.then(() => children.delete(proc));
  return proc;
}

function signalGroup(proc, signal) {
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // already gone
  }
}

async function stop(proc, graceMs = 3000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  signalGroup(proc, 'SIGTERM');
  const gone = await Promise.race([proc.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!gone) {
    signalGroup(proc, 'SIGKILL');
    await proc.exited;
  }
  // nginx's worker may outlive a killed master for a moment: the group signal covers it.
  signalGroup(proc, 'SIGKILL');
}

let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    await Promise.all([...children].map((p) => stop(p)));
    removeDirs();
  })();
  return cleaning;
}
function cleanupSync() {
  for (const p of children) signalGroup(p, 'SIGKILL');
  removeDirs();
}
/** Our temp dirs; a shared parent (the bundle's) only when no other run is using it. */
function removeDirs() {
  for (const d of dirs.splice(0)) {
    try {
      if (d.endsWith('jwkit-bench-serve')) rmdirSync(d);
      else rmSync(d, { recursive: true, force: true });
    } catch {
      // not empty (another run) or already gone
    }
  }
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    console.error(`bench:serve: ${sig}, stopping`);
    cleanup().finally(() => process.exit(130));
  });
}
const watchdog = setTimeout(() => {
  console.error(`bench:serve: still running after ${DEADLINE_MS / 60000} minutes; stopping`);
  cleanup().finally(() => process.exit(1));
}, DEADLINE_MS);
watchdog.unref();

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function freePort() {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

function waitFor(proc, pattern, what, timeoutMs = 120_000) {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${what}: not ready after ${timeoutMs} ms:\n${proc.output()}`)),
      timeoutMs,
    );
    const check = () => {
      const m = pattern.exec(proc.output());
      if (m) {
        clearTimeout(timer);
        done(m);
      }
    };
    proc.child.stdout.on('data', check);
    proc.child.stderr.on('data', check);
    proc.exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`${what} exited (${code}) before it was ready:\n${proc.output()}`));
    });
    check();
  });
}

// ---- jwkit ------------------------------------------------------------------------------------

/**
 * Bundles `serve(JSON options from argv)` from the source, as the package ships it. The bundle
 * goes under node_modules/.cache so that better-sqlite3 (native, kept external) resolves.
 */
async function bundleServer() {
  const parent = join(root, 'node_modules', '.cache', 'jwkit-bench-serve');
  const dir = join(parent, String(process.pid));
  mkdirSync(dir, { recursive: true });
  dirs.push(dir, parent);
  const outfile = join(dir, 'serve.mjs');
  await build({
    stdin: {
      contents: `import { serve } from './packages/server/src/index.ts';
        const options = JSON.parse(process.argv[2]);
        await serve({ ...options, signals: true, log: (line) => process.stdout.write(line + '\\n') });`,
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'bench-serve-entry.ts',
    },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['pg', 'pg-native', 'pkcs11js'],
    alias: {
      jwkit: join(root, 'packages/jwkit/src/index.node.ts'),
      'jwkit/internal': join(root, 'packages/jwkit/src/internal.ts'),
    },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Starts `serve(options)` from the bundle, or with `cli` the built command
 * `node packages/cli/dist/cli.js serve` (whose flags cover the phase 1 set-up, not phase 2's retention).
 */
async function startJwkit(bundled, work, options, extraEnv = {}, cli = false) {
  const store = `sqlite:${join(work, 'keys.db')}`;
  const workers = options.workers ?? 1;
  const args = cli
    ? [CLI, 'serve', '--init', '--store', store, '--port', '0', '--no-web', '--single-listener']
    : [bundled, JSON.stringify({ store, port: 0, webRoot: false, singleListener: true, ...options })];
  const proc = start(process.execPath, args, {
    cwd: work,
    env: { ...env, JWKIT_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), ...extraEnv },
  });
  // With workers the primary says "listening on" once every worker is ready.
  const ready = workers > 1 ? /listening on (\S+) worker=primary/ : /listening on (\S+)/;
  const [, url] = await waitFor(proc, ready, 'jwkit serve');
  return { proc, url };
}

// ---- a bare node:http server ------------------------------------------------------------------

/**
 * The floor for any Node server: `node:http` answering every request with one prepared buffer and
 * a prepared header object (jwkit's JWKS bytes and headers), no routing, no ETag check; with
 * `workers` > 1 the same behind node:cluster, as `jwkit serve --workers` runs.
 */
const BARE_SERVER = `
import cluster from 'node:cluster';
import { createServer } from 'node:http';
const { port, body, headers, workers } = JSON.parse(process.argv[2]);
if (workers > 1 && cluster.isPrimary) {
  let ready = 0;
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', () => {
      if (++ready === workers) console.log('listening on http://127.0.0.1:' + port);
    });
  }
} else {
  const buf = Buffer.from(body, 'base64');
  createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    res.writeHead(200, headers);
    res.end(buf);
  }).listen(port, '127.0.0.1', () => {
    if (cluster.isWorker) process.send('ready');
    else console.log('listening on http://127.0.0.1:' + port);
  });
}
`;

async function startBare(work, identity, headers, workers) {
  const script = join(work, 'bare-http.mjs');
  writeFileSync(script, BARE_SERVER);
  const port = await freePort();
  const head = { 'content-length': String(identity.length) };
  for (const h of COPIED_HEADERS) if (headers.get(h) !== null) head[h] = headers.get(h);
  const proc = start(process.execPath, [
    script,
    JSON.stringify({ port, body: Buffer.from(identity).toString('base64'), headers: head, workers }),
  ]);
  const [, url] = await waitFor(proc, /listening on (\S+)/, `bare node:http x${workers}`);
  return { proc, url };
}

// ---- nginx ------------------------------------------------------------------------------------

/** The headers jwkit sends with the JWKS that a static file server would send too. */
const COPIED_HEADERS = [
  'content-type',
  'etag',
  'cache-control',
  'vary',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-content-type-options',
];

function nginxString(value) {
  if (/['\\\r\n$]/.test(value)) throw new Error(`cannot put ${JSON.stringify(value)} in the nginx config`);
  return `'${value}'`;
}

async function startNginx(work, identity, gzip, headers) {
  const prefix = join(work, 'nginx');
  const www = join(prefix, 'www');
  mkdirSync(join(www, '.well-known'), { recursive: true });
  writeFileSync(join(www, '.well-known', 'jwks.json'), identity);
  writeFileSync(join(www, '.well-known', 'jwks.json.gz'), gzip);
  // Run as root, nginx's worker switches to nobody, which must be able to read the files.
  for (const d of [work, prefix, www, join(www, '.well-known')]) chmodSync(d, 0o755);
  const port = await freePort();
  const add = COPIED_HEADERS.filter((h) => h !== 'content-type' && headers.get(h) !== null)
    .map((h) => `      add_header ${h} ${nginxString(headers.get(h))};`)
    .join('\n');
  const conf = join(prefix, 'nginx.conf');
  // One worker, tuned as one would tune a static JWKS host: no access log, sendfile, the file's
  // descriptor cached, keep-alive without a per-connection request cap (jwkit has none either).
  writeFileSync(
    conf,
    `daemon off;
master_process on;
worker_processes 1;
${process.getuid?.() === 0 ? 'user nobody nogroup;' : ''}
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  server_tokens off;
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  types { }
  default_type ${nginxString(headers.get('content-type'))};
  server {
    listen 127.0.0.1:${port};
    root ${www};
    etag off;
    location = ${JWKS_PATH} {
      gzip_static on;
      gzip_vary off;
${add}
    }
  }
}
`,
  );
  const proc = start(NGINX, ['-p', `${prefix}/`, '-c', conf, '-e', `${prefix}/error.log`]);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (proc.child.exitCode !== null) break;
    try {
      await fetch(`${url}${JWKS_PATH}`);
      return { proc, url };
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`nginx did not start:\n${proc.output()}\n${safeRead(join(prefix, 'error.log'))}`);
}

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

// ---- wrk --------------------------------------------------------------------------------------

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
function ms(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`cannot read the wrk latency ${JSON.stringify(text)}`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

async function wrk(url, duration, { check = true } = {}) {
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${duration}`, '--latency'];
  if (ENCODING) args.push('-H', `Accept-Encoding: ${ENCODING}`);
  const proc = start(WRK, [...args, `${url}${JWKS_PATH}`]);
  const code = await proc.exited;
  const out = proc.output();
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${out}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  const total = /(\d+) requests in/.exec(out);
  if (!rps || !p50 || !p99 || !total) throw new Error(`cannot read the wrk output:\n${out}`);
  const bad = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors = /Socket errors: (.*)/.exec(out);
  if (check && (bad || errors)) throw new Error(`wrk saw failed requests against ${url}:\n${out}`);
  return { rps: Number(rps[1]), p50: ms(p50[1]), p99: ms(p99[1]), requests: Number(total[1]), out };
}

// ---- reporting --------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtRps = (n) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

function table(head, rows) {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** The response as a client sees it: status, headers and body bytes. */
async function get(url, headers = {}) {
  const res = await fetch(`${url}${JWKS_PATH}`, { headers: { 'accept-encoding': 'identity', ...headers } });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---- the phases -------------------------------------------------------------------------------

async function phase1(bundled) {
  const work = mkdtempSync(join(tmpdir(), 'jwkit-bench-serve-'));
  dirs.push(work);
  const jwkit = await startJwkit(bundled, work, {}, {}, SERVER === 'cli');
  console.log(
    `jwkit runs as ${SERVER === 'cli' ? `node ${CLI} serve` : 'serve() from the bundled src/server'}`,
  );
  const plain = await get(jwkit.url);
  if (plain.status !== 200) throw new Error(`jwkit answered ${plain.status}`);
  // The gzip bytes jwkit prepared, for nginx's gzip_static.
  const gzip = await rawGzip(jwkit.url);
  const nginx = await startNginx(work, plain.body, gzip, plain.headers);

  const fromNginx = await get(nginx.url);
  if (!sameBytes(fromNginx.body, plain.body)) throw new Error('nginx does not serve the same bytes as jwkit');
  if (!sameBytes(await rawGzip(nginx.url), gzip))
    throw new Error('nginx does not serve the same gzip bytes as jwkit');
  for (const h of COPIED_HEADERS) {
    if (fromNginx.headers.get(h) !== plain.headers.get(h)) {
      throw new Error(`header ${h}: jwkit ${plain.headers.get(h)}, nginx ${fromNginx.headers.get(h)}`);
    }
  }
  console.log(
    `same body (${plain.body.length} bytes identity, ${gzip.length} gzip) and headers (${COPIED_HEADERS.join(', ')}) from both`,
  );
  console.log(`jwkit ${jwkit.url}, nginx ${nginx.url}`);

  const servers = [
    ['jwkit', jwkit.url],
    ['nginx', nginx.url],
  ];
  for (const [name, url] of servers) {
    process.stdout.write(`warm-up ${name} (${WARMUP}) ... `);
    await wrk(url, WARMUP);
    console.log('done');
  }
  const results = { jwkit: [], nginx: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so that neither always meets the same neighbours on the machine.
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const [name, url] of order) {
      const r = await wrk(url, DURATION);
      results[name].push(r);
      console.log(
        `round ${round + 1} ${name}: ${fmtRps(r.rps)} req/s, p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)} (load ${loadavg()[0].toFixed(1)})`,
      );
    }
  }
  await stop(jwkit.proc);
  await stop(nginx.proc);

  const summary = (name) => ({
    rps: median(results[name].map((r) => r.rps)),
    p50: median(results[name].map((r) => r.p50)),
    p99: median(results[name].map((r) => r.p99)),
  });
  const j = summary('jwkit');
  const n = summary('nginx');
  const ratios = results.jwkit.map((r, i) => r.rps / results.nginx[i].rps);
  console.log(
    `\nPhase 1: JWKS ${ENCODING ? `(Accept-Encoding: ${ENCODING})` : '(identity)'}, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION} --latency, medians of ${ROUNDS} rounds\n`,
  );
  console.log(
    table(
      ['server', 'req/s', 'p50', 'p99'],
      [
        ['jwkit serve (1 process)', fmtRps(j.rps), fmtMs(j.p50), fmtMs(j.p99)],
        ['nginx (worker_processes 1)', fmtRps(n.rps), fmtMs(n.p50), fmtMs(n.p99)],
        [
          '**jwkit / nginx**',
          `**${(j.rps / n.rps).toFixed(2)}x**`,
          `${(j.p50 / n.p50).toFixed(2)}x`,
          `${(j.p99 / n.p99).toFixed(2)}x`,
        ],
      ],
    ),
  );
  console.log(
    `\nratio per round: ${ratios.map((r) => `${r.toFixed(2)}x`).join(', ')} (target >= 0.55x: ${j.rps / n.rps >= 0.55 ? 'met' : 'NOT met'})`,
  );
}

/** The gzip body as sent, through a raw HTTP/1.1 request (fetch would inflate it). */
async function rawGzip(url) {
  const { request } = await import('node:http');
  return new Promise((done, fail) => {
    const req = request(`${url}${JWKS_PATH}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      if (res.headers['content-encoding'] !== 'gzip') fail(new Error(`${url} did not answer with gzip`));
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done(new Uint8Array(Buffer.concat(chunks))));
    });
    req.on('error', fail);
    req.end();
  });
}

async function phase3(bundled) {
  const work = mkdtempSync(join(tmpdir(), 'jwkit-bench-serve-workers-'));
  dirs.push(work);
  // Both jwkit servers on one store, so they serve the same keys (and the same bytes).
  const j1 = await startJwkit(bundled, work, { workers: 1 });
  const plain = await get(j1.url);
  if (plain.status !== 200) throw new Error(`jwkit answered ${plain.status}`);
  const j2 = await startJwkit(bundled, work, { workers: 2 });
  const two = await get(j2.url);
  if (!sameBytes(two.body, plain.body)) throw new Error('jwkit --workers 2 does not serve the same bytes');
  const b1 = await startBare(work, plain.body, plain.headers, 1);
  const b2 = await startBare(work, plain.body, plain.headers, 2);
  for (const b of [b1, b2]) {
    const r = await get(b.url);
    if (!sameBytes(r.body, plain.body)) throw new Error('the bare server does not serve the same bytes');
  }
  const servers = [
    ['bare node:http x1', b1.url],
    ['jwkit serve --workers 1', j1.url],
    ['bare node:http x2 (cluster)', b2.url],
    ['jwkit serve --workers 2', j2.url],
  ];
  for (const [name, url] of servers) {
    process.stdout.write(`warm-up ${name} (${WARMUP}) ... `);
    await wrk(url, WARMUP);
    console.log('done');
  }
  const results = Object.fromEntries(servers.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Each jwkit run right next to its bare reference (the ratio per round compares neighbours in
    // time); which of a pair goes first, and which pair goes first, alternate.
    const pairs = [servers.slice(0, 2), servers.slice(2, 4)].map((p) =>
      round % 2 === 0 ? p : [...p].reverse(),
    );
    const order = (round >> 1) % 2 === 0 ? pairs.flat() : [...pairs].reverse().flat();
    for (const [name, url] of order) {
      const r = await wrk(url, DURATION);
      results[name].push(r);
      console.log(
        `round ${round + 1} ${name}: ${fmtRps(r.rps)} req/s, p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)} (load ${loadavg()[0].toFixed(1)})`,
      );
    }
  }
  for (const p of [j1, j2, b1, b2]) await stop(p.proc);
  const summary = (name) => ({
    rps: median(results[name].map((r) => r.rps)),
    p50: median(results[name].map((r) => r.p50)),
    p99: median(results[name].map((r) => r.p99)),
  });
  const perRound = (a, b) => results[a].map((r, i) => (r.rps / results[b][i].rps).toFixed(2)).join(', ');
  console.log(
    `\nPhase 3: JWKS ${ENCODING ? `(Accept-Encoding: ${ENCODING})` : '(identity)'}, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION} --latency, medians of ${ROUNDS} rounds, ${cpus().length} cores shared with wrk\n`,
  );
  console.log(
    table(
      ['server', 'req/s', 'p50', 'p99'],
      servers.map(([name]) => {
        const s = summary(name);
        return [name, fmtRps(s.rps), fmtMs(s.p50), fmtMs(s.p99)];
      }),
    ),
  );
  const ratio = (a, b) => (summary(a).rps / summary(b).rps).toFixed(2);
  const medianRatio = (a, b) => median(results[a].map((r, i) => r.rps / results[b][i].rps)).toFixed(2);
  const line = (label, a, b) =>
    `\n${label}: ${ratio(a, b)}x of the medians; median of the per-round ratios ${medianRatio(a, b)}x (per round ${perRound(a, b)})`;
  console.log(
    line('jwkit/bare, 1 process', 'jwkit serve --workers 1', 'bare node:http x1') +
      line('jwkit/bare, 2 workers', 'jwkit serve --workers 2', 'bare node:http x2 (cluster)') +
      line('jwkit 2 workers / 1 process', 'jwkit serve --workers 2', 'jwkit serve --workers 1'),
  );
}

async function phase2(bundled) {
  const work = mkdtempSync(join(tmpdir(), 'jwkit-bench-serve-rsa-'));
  dirs.push(work);
  const token = Buffer.alloc(24, 3).toString('hex');
  // Short retention (token lifetime + cache age + skew = 3 s) so that the set stays a few keys
  // long however many rotations run, and is back to one key 3 s after the last; 4096-bit RS256.
  const jwkit = await startJwkit(
    bundled,
    work,
    {
      algs: ['RS256'],
      rsaBits: 4096,
      maxTokenLifetime: '1s',
      cacheMaxAge: '1s',
      staleWhileRevalidate: '0s',
      skew: '1s',
      pollInterval: '1s',
    },
    { JWKIT_ADMIN_TOKEN: token },
  );
  process.stdout.write(`\nwarm-up jwkit RS256-4096 (${WARMUP}) ... `);
  await wrk(jwkit.url, WARMUP);
  console.log('done');

  const idleSizes = new Set();
  const busySizes = new Set();
  const generations = [];
  const idleRun = async () => {
    await sleep(4000); // retired keys of an earlier rotating run leave the set
    idleSizes.add((await get(jwkit.url)).body.length);
    return wrk(jwkit.url, DURATION);
  };
  /** wrk while POST /admin/rotate runs back to back: each rotation generates an RSA-4096 key. */
  const rotatingRun = async () => {
    let running = true;
    let failure;
    let count = 0;
    const loop = (async () => {
      while (running && failure === undefined) {
        const t = performance.now();
        const res = await fetch(`${jwkit.url}/admin/rotate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{"alg":"RS256"}',
        });
        const text = await res.text();
        if (res.status !== 200) failure = new Error(`POST /admin/rotate answered ${res.status}: ${text}`);
        generations.push(performance.now() - t);
        count++;
        busySizes.add((await get(jwkit.url)).body.length);
      }
    })().catch((e) => {
      failure = e;
    });
    let result;
    try {
      result = await wrk(jwkit.url, DURATION);
    } finally {
      running = false;
      await loop;
    }
    if (failure) throw failure;
    return { ...result, rotations: count };
  };

  const idle = [];
  const busy = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['idle', 'rotating'] : ['rotating', 'idle'];
    for (const kind of order) {
      const r = kind === 'idle' ? await idleRun() : await rotatingRun();
      (kind === 'idle' ? idle : busy).push(r);
      console.log(
        `round ${round + 1} ${kind}: ${fmtRps(r.rps)} req/s, p50 ${fmtMs(r.p50)}, p99 ${fmtMs(r.p99)}` +
          (r.rotations === undefined ? '' : `, ${r.rotations} rotations`) +
          ` (load ${loadavg()[0].toFixed(1)})`,
      );
    }
  }
  await stop(jwkit.proc);

  const med = (runs, k) => median(runs.map((r) => r[k]));
  const sizes = (set) => (set.size === 0 ? '-' : `${Math.min(...set)}-${Math.max(...set)} B`);
  const p99s = (runs) => runs.map((r) => fmtMs(r.p99)).join(', ');
  console.log(
    `\nPhase 2: JWKS while RSA-4096 keys are generated, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION} --latency, medians of ${ROUNDS} rounds\n`,
  );
  console.log(
    table(
      ['jwkit serve, RS256 4096-bit', 'req/s', 'p50', 'p99', 'JWKS size'],
      [
        [
          'idle',
          fmtRps(med(idle, 'rps')),
          fmtMs(med(idle, 'p50')),
          fmtMs(med(idle, 'p99')),
          sizes(idleSizes),
        ],
        [
          `rotating (${generations.length} keys generated, median ${fmtMs(median(generations))} each)`,
          fmtRps(med(busy, 'rps')),
          fmtMs(med(busy, 'p50')),
          fmtMs(med(busy, 'p99')),
          sizes(busySizes),
        ],
        [
          '**rotating / idle**',
          `${(med(busy, 'rps') / med(idle, 'rps')).toFixed(2)}x`,
          `${(med(busy, 'p50') / med(idle, 'p50')).toFixed(2)}x`,
          `**${(med(busy, 'p99') / med(idle, 'p99')).toFixed(2)}x**`,
          '',
        ],
      ],
    ),
  );
  console.log(`\np99 per round: idle ${p99s(idle)}; rotating ${p99s(busy)}`);
}

try {
  console.log(
    `bench:serve: Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; wrk and both servers share these cores (nothing pinned)`,
  );
  if (SERVER === 'cli' && !existsSync(CLI)) throw new Error(`${CLI} is missing; run npm run build first`);
  // nginx is phase 1's only; phase 3's reference is a bare node:http server.
  for (const [what, path] of [['wrk', WRK], ...(PHASES.has('1') ? [['nginx', NGINX]] : [])]) {
    if (!existsSync(path))
      throw new Error(
        `${what} is not at ${path}; install it (apt-get install ${what}) or set ${what.toUpperCase()}`,
      );
  }
  const bundled = await bundleServer();
  if (PHASES.has('1')) await phase1(bundled);
  if (PHASES.has('2')) await phase2(bundled);
  if (PHASES.has('3')) await phase3(bundled);
} catch (e) {
  console.error(`bench:serve: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
