/**
 * scripts/runtimes.mjs: the pins agree with what the rest of the repo promises, and a cached
 * runtime is used as it is, without npm or the network (CI and offline runs depend on it).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNTIMES } from '../../scripts/runtimes.mjs';
import { REPO_ROOT } from '../helpers/packages.js';

const root = mkdtempSync(join(tmpdir(), 'jwkit-runtimes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('scripts/runtimes.mjs', () => {
  it('pins node24 to the Node scripts/node24 runs, and node20 to the lowest engines allows', () => {
    const node24 = readFileSync(join(REPO_ROOT, 'scripts', 'node24'), 'utf8');
    expect(node24).toContain(`JWKIT_NODE24_VERSION:-${RUNTIMES.node24!.version}}`);
    const engines = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'jwkit', 'package.json'), 'utf8'))
      .engines.node as string;
    const lowest = /^>=(\d+\.\d+)$/.exec(engines)![1]!;
    expect(RUNTIMES.node20!.version.startsWith(`${lowest}.`)).toBe(true);
    for (const [name, major] of [
      ['node22', '22.'],
      ['node26', '26.'],
    ] as const)
      expect(RUNTIMES[name]!.version.startsWith(major)).toBe(true);
  });

  it('uses a cached runtime as it is: no npm, no network', () => {
    const pin = RUNTIMES.deno!;
    const dir = join(root, `${pin.family}-${pin.version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, pin.bin), '#!/bin/sh\n');
    chmodSync(join(dir, pin.bin), 0o755);
    // PATH without npm: a download attempt would fail the command.
    const env = { JWKIT_RUNTIMES: root, PATH: '/nonexistent', HOME: root };
    const script = join(REPO_ROOT, 'scripts', 'runtimes.mjs');
    expect(execFileSync(process.execPath, [script, 'path', 'deno'], { env, encoding: 'utf8' }).trim()).toBe(
      join(dir, pin.bin),
    );
    const listed = execFileSync(process.execPath, [script, 'ensure', 'deno'], { env, encoding: 'utf8' });
    expect(listed).toBe(`deno\t${pin.version}\t${join(dir, pin.bin)}\n`);
  });

  it('names the runtimes it knows when asked for another', () => {
    const run = () =>
      execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'runtimes.mjs'), 'path', 'node19'], {
        env: { JWKIT_RUNTIMES: root, PATH: '/nonexistent' },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    expect(run).toThrow(
      /unknown runtime "node19"; known: node20, node22, node24, node26, bun, deno, miniflare/,
    );
  });
});
