// Signing throughput through a PKCS#11 token (issue 17), next to software keys, in one process:
//   token, 1 session     one caller, openToken(..., { maxSessions: 1 }): C_SignInit + C_Sign per JWT
//   token, 4 sessions    four concurrent callers on openToken(..., { maxSessions: 4 })
//   software signJWT     jwkit signJWT(claims, privateJwk) with a software key of the same alg
// Every contender makes a whole compact JWT (header and claims encoded, signature base64url).
// The token is a fresh SoftHSM2 token in a temp dir (softhsm2-util and pkcs11js must be installed).
// Run: npm run bench:hsm   (env: MS=<ms per sample, default 300>, ROUNDS=<samples, default 7>, ALGS)
// Samples alternate contender by contender; the table gives medians of wall-clock rates and of
// the process's CPU time per JWT (all threads: the token signs on libuv's thread pool).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { loadJwkit } from '../load-jwkit.mjs';

const MS = Number(process.env.MS ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ALGS = (process.env.ALGS ?? 'ES256,RS256,PS256,EdDSA').split(',');
const MODULE = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
].find((p) => existsSync(p));
if (!MODULE) throw new Error('libsofthsm2.so not found: apt-get install softhsm2');

const dir = mkdtempSync(join(tmpdir(), 'jwkit-bench-hsm-'));
try {
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', 'bench', '--pin', '1234', '--so-pin', '5678'],
    {
      stdio: 'ignore',
    },
  );
  writeFileSync(join(dir, 'pin.txt'), '1234\n');

  // The token layer as the CLI bundles it (TypeScript sources through esbuild, pkcs11js outside,
  // resolved from the repository's node_modules: hence the bundle lives under it).
  const cache = join('node_modules', '.cache', 'jwkit-bench-hsm');
  mkdirSync(cache, { recursive: true });
  const bundle = join(cache, `pkcs11-${process.pid}.mjs`);
  await build({
    entryPoints: ['packages/server/src/pkcs11/index.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'warning',
    alias: { jwkit: './packages/jwkit/src/index.node.ts' },
    external: ['pkcs11js'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  let openToken;
  try {
    ({ openToken } = await import(pathToFileURL(bundle).href));
  } finally {
    rmSync(bundle, { force: true });
  }
  const jwkit = await loadJwkit();
  const uri = `pkcs11:token=bench?module-path=${MODULE}&pin-source=file:${join(dir, 'pin.txt')}`;
  const one = await openToken(uri, { maxSessions: 1 });
  const four = await openToken(uri, { maxSessions: 4 });

  const b64 = (v) => Buffer.from(v).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const claims = Array.from({ length: 32 }, (_, i) => ({ sub: `user-${i}`, scope: 'read write', exp }));

  /** A JWT signed through the token, built like signJWT builds one. */
  function tokenJwt(token, kid, alg) {
    const header = b64(JSON.stringify({ alg, typ: 'JWT', kid }));
    return async (i) => {
      const input = `${header}.${b64(JSON.stringify({ ...claims[i], iat: Math.floor(Date.now() / 1000) }))}`;
      return `${input}.${b64(await token.sign(kid, alg, Buffer.from(input)))}`;
    };
  }

  const cpuUs = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  /**
   * `fn` run by `callers` concurrent loops for MS ms: wall-clock JWTs per second, and CPU µs per
   * JWT of the whole process (process.cpuUsage counts the thread-pool threads where SoftHSM signs).
   */
  async function sample(fn, callers) {
    let ops = 0;
    const cpu0 = cpuUs();
    const start = performance.now();
    const end = start + MS;
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        for (let i = c; performance.now() < end; i++) {
          await fn(i & 31);
          ops++;
        }
      }),
    );
    return { rate: (ops * 1000) / (performance.now() - start), cpu: (cpuUs() - cpu0) / ops };
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const medianOf = (xs, k) => median(xs.map((x) => x[k]));

  const results = [];
  for (const alg of ALGS) {
    const key = await one.generate(alg);
    const soft = await jwkit.generateJWK({ alg, kid: 'soft', allowDeprecated: true });
    // Every token-signed JWT must verify on the public JWK the token gave.
    await jwkit.verifyJWT(await tokenJwt(one, key.label, alg)(0), key.publicJwk, { algorithms: [alg] });
    const contenders = {
      'token, 1 session': [tokenJwt(one, key.label, alg), 1],
      'token, 4 sessions': [tokenJwt(four, key.label, alg), 4],
      'software signJWT': [(i) => jwkit.signJWT(claims[i], soft), 1],
    };
    for (const [fn, callers] of Object.values(contenders)) await sample(fn, callers);
    const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
    for (let r = 0; r < ROUNDS; r++)
      for (const [name, [fn, callers]] of Object.entries(contenders))
        samples[name].push(await sample(fn, callers));
    results.push({
      alg,
      rate: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, medianOf(v, 'rate')])),
      cpu: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, medianOf(v, 'cpu')])),
    });
    await one.destroy(key.label);
  }
  const peak = four.stats().peakBusy;
  await one.close();
  await four.close();

  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log(
    `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, load average ${loadavg()[0].toFixed(1)}), SoftHSM2 ${MODULE}, ${ROUNDS} x ${MS} ms samples, medians of JWTs per wall-clock second and of process CPU µs per JWT (4-session pool peaked at ${peak} concurrent signatures)\n`,
  );
  console.log(
    '| alg | token, 1 session | token, 4 sessions | software signJWT | 4 sessions / 1 | token (4) / software | CPU µs per JWT: token | software |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { alg, rate, cpu } of results) {
    const a = rate['token, 1 session'];
    const b = rate['token, 4 sessions'];
    const s = rate['software signJWT'];
    console.log(
      `| ${alg} | ${fmt(a)} | ${fmt(b)} | ${fmt(s)} | ${(b / a).toFixed(2)}x | ${(b / s).toFixed(2)}x | ${fmt(cpu['token, 1 session'])} | ${fmt(cpu['software signJWT'])} |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
