// CLI start-up and key generation time, side by side (issue #5):
//   jwkit --version              vs node -e 0                    (target: within 1.3x)
//   jwkit generate --kty EC      vs openssl genpkey EC P-256
// Uses hyperfine when installed (wall time and the CPU time of each process), else spawns each
// command RUNS times and reports wall time only.
// Run: npm run bench:cli   (needs a built packages/cli/dist/cli.js: npm run build). Env: RUNS (default 60),
// JWKIT_CLI (the bundle to run, default packages/cli/dist/cli.js).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = process.env.JWKIT_CLI ?? 'packages/cli/dist/cli.js';
if (!existsSync(cli)) {
  console.error(`bench:cli: ${cli} is missing; run "npm run build" first`);
  process.exit(2);
}
const RUNS = Number(process.env.RUNS ?? 60);
const node = process.execPath;
const commands = [
  ['node -e 0', `${node} -e 0`],
  ['jwkit --version', `${node} ${cli} --version`],
  ['jwkit generate --kty EC', `${node} ${cli} generate --kty EC`],
  ['openssl genpkey EC P-256', 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256'],
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

function withHyperfine() {
  const dir = mkdtempSync(join(tmpdir(), 'jwkit-bench-'));
  try {
    const out = join(dir, 'result.json');
    const args = ['-N', '--warmup', '5', '--runs', String(RUNS), '--export-json', out, '--style', 'none'];
    for (const [name, cmd] of commands) args.push('-n', name, cmd);
    const r = spawnSync('hyperfine', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) return undefined;
    return JSON.parse(readFileSync(out, 'utf8')).results.map((x) => ({
      name: x.command,
      median: x.median * 1000,
      min: x.min * 1000,
      cpu: (x.user + x.system) * 1000,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function withSpawnLoop() {
  return commands.map(([name, cmd]) => {
    const [file, ...args] = cmd.split(' ');
    const times = [];
    for (let i = 0; i < RUNS + 5; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(file, args, { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}`);
      if (i >= 5) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return { name, median: median(times), min: Math.min(...times), cpu: undefined };
  });
}

const hasHyperfine = spawnSync('hyperfine', ['--version']).status === 0;
const results = (hasHyperfine && withHyperfine()) || withSpawnLoop();
const by = (name) => results.find((r) => r.name === name);
const base = by('node -e 0');
const ratio = (a, b) => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}x`);
const ms = (v) => (v === undefined ? '-' : v.toFixed(1));

console.log(
  `jwkit CLI start-up: ${hasHyperfine ? 'hyperfine' : 'spawn loop'}, ${RUNS} runs each, node ${process.version}\n`,
);
console.log(
  '| command | wall median ms | wall min ms | CPU ms (user+sys) | wall / node -e 0 | CPU / node -e 0 |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| \`${r.name}\` | ${ms(r.median)} | ${ms(r.min)} | ${ms(r.cpu)} | ${ratio(r.median, base.median)} | ${ratio(r.cpu, base.cpu)} |`,
  );
}
const version = by('jwkit --version');
const generate = by('jwkit generate --kty EC');
const openssl = by('openssl genpkey EC P-256');
console.log(
  `\njwkit --version / node -e 0: wall ${ratio(version.median, base.median)}, CPU ${ratio(version.cpu, base.cpu)} (target <= 1.30x)`,
);
console.log(`jwkit generate --kty EC / openssl genpkey: wall ${ratio(generate.median, openssl.median)}`);
