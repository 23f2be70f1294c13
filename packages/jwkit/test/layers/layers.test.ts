/**
 * Layers point one way (issue 11 point 4, DESIGN principle 7): a module may import from its own
 * layer or a lower one, never from a higher one. The order is this list, lowest first; every
 * source file must belong to exactly one layer, so a new folder has to be placed here on purpose.
 * Type-only imports count too: a type that a lower layer needs belongs in that layer.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

/** Lowest first. An entry is a folder (`pkix/`) or a file (`jwk/model.ts`); the longest match wins. */
const LAYERS: readonly (readonly string[])[] = [
  // Foundation: error classes and codes, the algorithm/curve/OID registry. Import nothing.
  ['errors/', 'registry.ts'],
  // Bytes, text and arithmetic: base64url, byte helpers, the strict JSON reader, big integers and
  // the @noble/curves implementation of each registered curve.
  ['encoding/', 'json/', 'math/'],
  // The JWK data model: member shapes, public/private split, canonical order.
  ['jwk/model.ts'],
  // DER, ASN.1, PEM armor, SPKI/PKCS#8/PKCS#1/SEC1, X.509 parsing: bytes <-> JWK members, no backend.
  ['pkix/'],
  // Pure JWK rules: validation, thumbprints, key/alg checks, key material views.
  ['jwk/'],
  // Operations on a crypto backend: import, sign/verify, generate, CryptoKey/KeyObject, chain signatures.
  ['crypto/'],
  // What applications use: sets, JWT, remote sets.
  ['set/', 'jwt/', 'remote/'],
  // Entry points.
  ['index.ts', 'index.node.ts', 'index.deno.ts', 'node-exports.ts', 'internal.ts'],
];

function layerOf(file: string): number {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach((entries, rank) => {
    for (const e of entries) {
      const hit = e.endsWith('/') ? file.startsWith(e) : file === e;
      if (hit && e.length > bestLength) {
        best = rank;
        bestLength = e.length;
      }
    }
  });
  return best;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory()
      ? sources(join(dir, d.name))
      : d.name.endsWith('.ts') && !d.name.endsWith('.d.ts')
        ? [join(dir, d.name)]
        : [],
  );
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

/** Every relative import and re-export of a source file, as a path relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2])!.replace(/\.js$/, '.ts');
    return relative(SRC, resolve(dirname(file), spec)).replaceAll('\\', '/');
  });
}

describe('layers', () => {
  const files = sources(SRC).map((f) => relative(SRC, f).replaceAll('\\', '/'));

  it('place every source file in one layer', () => {
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('import only from the same or a lower layer', () => {
    const upward: string[] = [];
    for (const file of files) {
      const rank = layerOf(file);
      for (const target of importsOf(join(SRC, file))) {
        if (layerOf(target) > rank) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('finds an upward import when there is one (the check itself works)', () => {
    expect(layerOf('jwk/validate/rules/x5c.ts')).toBeLessThan(layerOf('crypto/backend.ts'));
    expect(layerOf('jwk/model.ts')).toBeLessThan(layerOf('pkix/spki.ts'));
    expect(layerOf('errors/index.ts')).toBe(0);
  });
});
