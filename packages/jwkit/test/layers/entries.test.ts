/**
 * The package's export conditions (issue 12 item 1): every runtime's condition resolves to an
 * entry that exists, runtimes of one family get the same public API (Node, Bun and Deno: the
 * isomorphic API plus what needs node: modules; browsers, Workers and the default: the isomorphic
 * API), and `sideEffects` lists every entry that installs a backend, so bundlers keep it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const PKG_DIR = resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));

/** The conditions each runtime sets (Node's docs, Bun's and Deno's resolvers, wrangler, bundlers). */
const RUNTIMES: Record<string, readonly string[]> = {
  node: ['node', 'import'],
  bun: ['bun', 'node', 'import'],
  deno: ['deno', 'node', 'import'],
  workerd: ['workerd', 'worker', 'browser', 'import'],
  browser: ['browser', 'import'],
  other: ['import'],
};

/** The first matching target in package.json order, as resolvers do (`default` always matches). */
function resolveExport(conditions: readonly string[], field: 'default' | 'types'): string {
  let target = pkg.exports['.'];
  while (typeof target !== 'string') {
    const key = Object.keys(target).find(
      (k) => k === field || (k !== 'types' && k !== 'default' && conditions.includes(k)) || k === 'default',
    );
    if (key === undefined) throw new Error(`no export for ${conditions.join(',')}`);
    target = target[key];
  }
  return target;
}

const source = (dist: string) =>
  join(PKG_DIR, dist.replace(/^\.\/dist\//, 'src/').replace(/\.(d\.ts|js)$/, '.ts'));

async function exportedNames(runtime: string): Promise<string[]> {
  return Object.keys(await import(source(resolveExport(RUNTIMES[runtime]!, 'default')))).sort();
}

describe('export conditions', () => {
  it('give each runtime its entry, with types beside it', () => {
    const entries = Object.fromEntries(
      Object.entries(RUNTIMES).map(([name, c]) => [name, resolveExport(c, 'default')]),
    );
    expect(entries).toEqual({
      node: './dist/index.node.js',
      bun: './dist/index.node.js',
      deno: './dist/index.deno.js',
      workerd: './dist/index.js',
      browser: './dist/index.js',
      other: './dist/index.js',
    });
    for (const c of Object.values(RUNTIMES))
      expect(resolveExport(c, 'types')).toBe(resolveExport(c, 'default').replace(/\.js$/, '.d.ts'));
  });

  it('list every entry that installs a backend under sideEffects', () => {
    const installing = [...new Set(Object.values(RUNTIMES).map((c) => resolveExport(c, 'default')))].filter(
      (e) => /setBackend\(/.test(readFileSync(source(e), 'utf8')),
    );
    expect(installing.sort()).toEqual(['./dist/index.deno.js', './dist/index.node.js']);
    expect([...pkg.sideEffects].sort()).toEqual(installing.sort());
  });

  it('give every runtime of a family the same public names', async () => {
    const node = await exportedNames('node');
    expect(await exportedNames('bun')).toEqual(node);
    expect(await exportedNames('deno')).toEqual(node);
    const web = await exportedNames('browser');
    expect(await exportedNames('workerd')).toEqual(web);
    expect(await exportedNames('other')).toEqual(web);
    // The node: family adds exactly what needs node: modules.
    expect(node.filter((n) => !web.includes(n))).toEqual([
      'FileStorage',
      'jwkToKeyObject',
      'keyObjectToJWK',
      'nodeBackend',
    ]);
    expect(web.filter((n) => !node.includes(n))).toEqual([]);
  });
});
