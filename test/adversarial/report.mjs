// Adds up the figures the adversarial test files saved (test/adversarial/tally.ts) and prints
// them as a Markdown table. Options: --only=<prefix> keeps the classes whose name starts with
// it (e.g. --only=fuzz-); --write replaces the table between the `figures` markers in
// docs/SECURITY.md, --write=<block> between that block's markers. Run after the tests.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'test-artifacts', 'adversarial');
if (!existsSync(dir)) {
  console.error(`no figures in ${dir}: run the adversarial tests first (npm run adversarial)`);
  process.exit(1);
}
const records = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
  .filter((r) => r.class.startsWith(option('only') ?? ''))
  .sort((a, b) => a.class.localeCompare(b.class));

function option(name) {
  const arg = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (arg === undefined) return undefined;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : '';
}

const num = (n) => n.toLocaleString('en-US');
const total = { cases: 0, faults: 0, keysLost: 0, wronglyAccepted: 0 };
const rows = records.map((r) => {
  for (const k of Object.keys(total)) total[k] += r[k];
  return `| ${r.class} | ${num(r.cases)} | ${num(r.faults)} | ${r.keysLost} | ${r.wronglyAccepted} | ${r.fuzzRuns ?? 'default'} | ${r.at.slice(0, 10)} |`;
});
const table = [
  '| class | cases tried | faults injected | keys lost | wrongly accepted | FUZZ_RUNS | run on |',
  '|---|---:|---:|---:|---:|---|---|',
  ...rows,
  `| **total** | **${num(total.cases)}** | **${num(total.faults)}** | **${total.keysLost}** | **${total.wronglyAccepted}** | | |`,
].join('\n');

console.log(table);

const block = option('write');
if (block !== undefined) {
  const path = join(root, 'docs', 'SECURITY.md');
  const text = readFileSync(path, 'utf8');
  const start = `<!-- ${block || 'figures'}:start -->`;
  const end = `<!-- ${block || 'figures'}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) {
    console.error(`${path} has no ${start} ... ${end} block`);
    process.exit(1);
  }
  writeFileSync(path, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);
  console.log(`\nwrote the table to ${path}`);
}
