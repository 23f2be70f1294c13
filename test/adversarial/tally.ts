/**
 * Figures for the adversarial suite: each test file counts what it tried (attack inputs fed to
 * the public API), what faults it injected (cut connections, killed processes, failing
 * fetches) and how many keys were lost (always 0, asserted where it is measured). At the end of
 * the file the figures are printed and written to `test-artifacts/adversarial/<class>.json`;
 * `node test/adversarial/report.mjs` adds them up for docs/SECURITY.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'adversarial');

const fuzzEnv = Number(process.env.FUZZ_RUNS);
/** `FUZZ_RUNS` when set (the long `npm run fuzz` mode), else undefined. */
export const FUZZ_RUNS: number | undefined =
  Number.isFinite(fuzzEnv) && fuzzEnv > 0 ? Math.floor(fuzzEnv) : undefined;

/** fast-check runs for a parser property: `base` in CI, `FUZZ_RUNS` in the long mode. */
export function fuzzRuns(base: number): number {
  return FUZZ_RUNS === undefined ? base : Math.max(base, FUZZ_RUNS);
}

/**
 * Runs for a property whose cases are expensive (crypto, HTTP): `base` in CI, scaled up in the
 * long mode but capped, so `npm run fuzz` finishes in minutes, not days.
 */
export function deepRuns(base: number, cap = base * 100): number {
  return FUZZ_RUNS === undefined ? base : Math.max(base, Math.min(cap, FUZZ_RUNS));
}

/** A per-test timeout that lets the long mode run as long as it needs. */
export const LONG_TIMEOUT = FUZZ_RUNS === undefined ? 60_000 : 6 * 60 * 60_000;

export interface Figures {
  readonly class: string;
  /** Attack inputs fed to the public API (tokens, keys, documents, requests). */
  cases: number;
  /** Faults injected: connections cut, processes killed, fetches failed, bodies stalled. */
  faults: number;
  /** Keys that were published or stored and then missing. Asserted 0 where measured. */
  keysLost: number;
  /** Inputs that were accepted although they should not have been. Asserted 0 where measured. */
  wronglyAccepted: number;
}

export interface Tally extends Figures {
  tried(n?: number): void;
  fault(n?: number): void;
  lost(n: number): void;
  accepted(n: number): void;
}

/** The figures of one attack class; printed and saved when the test file ends. */
export function tally(name: string): Tally {
  const started = Date.now();
  const t: Tally = {
    class: name,
    cases: 0,
    faults: 0,
    keysLost: 0,
    wronglyAccepted: 0,
    tried(n = 1) {
      t.cases += n;
    },
    fault(n = 1) {
      t.faults += n;
    },
    lost(n) {
      t.keysLost += n;
    },
    accepted(n) {
      t.wronglyAccepted += n;
    },
  };
  afterAll(() => {
    const record = {
      class: t.class,
      cases: t.cases,
      faults: t.faults,
      keysLost: t.keysLost,
      wronglyAccepted: t.wronglyAccepted,
      fuzzRuns: FUZZ_RUNS ?? null,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      node: process.version,
      at: new Date().toISOString(),
    };
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
    console.log(
      `[adversarial] ${name}: ${t.cases} cases, ${t.faults} faults injected, keys lost ${t.keysLost}, wrongly accepted ${t.wronglyAccepted}`,
    );
  });
  return t;
}
