/**
 * The one table of error codes (issue 11 point 5) against the docs and the sources: docs/ERRORS.md
 * lists exactly the rows of ERROR_CODES, every docs anchor exists, and no package throws a code
 * the table lacks.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../../src/errors/index.js';
import { ERROR_CODES, type ErrorCodeInfo, errorCodeInfo, httpStatus } from '../../src/errors/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
const DOCS = join(ROOT, 'docs');

/** Codes that are not jwkit's: Node's own, compared against in a catch. */
const FOREIGN = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_HTTP_REQUEST_TIMEOUT']);

const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]+/g, '')
    .replace(/ /g, '-');

function docRows(): Map<string, { cls: string; status: string; link: string }> {
  const text = readFileSync(join(DOCS, 'ERRORS.md'), 'utf8');
  const section = text.slice(text.indexOf('\n## All codes'));
  const rows = new Map<string, { cls: string; status: string; link: string }>();
  for (const m of section.matchAll(
    /^\| `(ERR_[A-Z0-9_]+)` \| ([^|]+) \| ([^|]+) \| .* \| \[[^\]]*\]\(([^)]+)\) \|$/gm,
  )) {
    expect(rows.has(m[1]!), `${m[1]} is listed twice in docs/ERRORS.md`).toBe(false);
    rows.set(m[1]!, { cls: m[2]!.trim(), status: m[3]!.trim(), link: m[4]! });
  }
  return rows;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('ERROR_CODES', () => {
  const table = ERROR_CODES as Readonly<Record<string, ErrorCodeInfo>>;

  it('is the same table as docs/ERRORS.md § All codes', () => {
    const rows = docRows();
    for (const [code, info] of Object.entries(table)) {
      const row = rows.get(code);
      expect(row, `${code} is not in docs/ERRORS.md § All codes`).toBeDefined();
      expect(row!.cls, code).toBe(info.class === null ? '—' : `\`${info.class}\``);
      expect(row!.status, code).toBe(info.status === undefined ? '—' : String(info.status));
      expect(row!.link, code).toBe(info.docs);
    }
    expect([...rows.keys()].filter((c) => !Object.hasOwn(table, c))).toEqual([]);
  });

  it('points every code at a docs page and heading that exist', () => {
    const headings = new Map<string, Set<string>>();
    const missing: string[] = [];
    for (const [code, info] of Object.entries(table)) {
      const [page, anchor] = info.docs.split('#') as [string, string];
      let set = headings.get(page);
      if (set === undefined) {
        const text = readFileSync(join(DOCS, page), 'utf8');
        set = new Set([...text.matchAll(/^#+\s+(.*)$/gm)].map((m) => slug(m[1]!)));
        headings.set(page, set);
      }
      if (!set.has(anchor)) missing.push(`${code}: ${info.docs}`);
    }
    expect(missing).toEqual([]);
  });

  it('holds every ERR_ code the packages use', () => {
    const packages = join(ROOT, 'packages');
    const unknown = new Set<string>();
    for (const pkg of readdirSync(packages)) {
      const src = join(packages, pkg, 'src');
      let files: string[];
      try {
        files = sources(src);
      } catch {
        continue;
      }
      for (const file of files) {
        for (const m of readFileSync(file, 'utf8').matchAll(/['"`](ERR_[A-Z0-9_]*[A-Z0-9])['"`]/g)) {
          if (!FOREIGN.has(m[1]!) && !Object.hasOwn(table, m[1]!)) unknown.add(`${m[1]} (${pkg})`);
        }
      }
    }
    expect([...unknown].sort()).toEqual([]);
  });

  it('names library classes that the library exports', () => {
    const library = new Set(Object.keys(errors).filter((n) => n.endsWith('Error')));
    const elsewhere = new Set([
      'JWKSetError',
      'ServerConfigError',
      'KeyLifecycleError',
      'TokenError',
      'CLIError',
    ]);
    for (const [code, info] of Object.entries(table)) {
      if (info.class === null || elsewhere.has(info.class)) continue;
      expect(library.has(info.class), `${code}: ${info.class}`).toBe(true);
    }
  });

  it('has no prototype and answers own codes only', () => {
    expect(errorCodeInfo('constructor')).toBeUndefined();
    expect(errorCodeInfo('__proto__')).toBeUndefined();
    expect(errorCodeInfo('ERR_JWK_INVALID')?.class).toBe('JWKError');
    expect(httpStatus('ERR_UNAUTHORIZED')).toBe(401);
    expect(httpStatus('ERR_BASE64URL')).toBeUndefined();
  });
});
