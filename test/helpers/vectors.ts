/**
 * Where the shared test data lives. CI lays `shared/` next to the clone (`../shared`); a local
 * clone of a checkout (`git clone . /tmp/x`) finds it next to the checkout it was cloned from;
 * `JWKIT_SHARED_DIR` overrides both.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function originCheckout(): string | undefined {
  try {
    const url = execFileSync('git', ['config', '--get', 'remote.origin.url'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return isAbsolute(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

function findShared(): string {
  if (process.env.JWKIT_SHARED_DIR) return process.env.JWKIT_SHARED_DIR;
  const origin = originCheckout();
  const candidates = [resolve(root, '..', 'shared'), ...(origin ? [resolve(origin, '..', 'shared')] : [])];
  const found = candidates.find((dir) => existsSync(join(dir, 'vectors')));
  if (found === undefined) {
    throw new Error(
      `the shared test data is missing: looked in ${candidates.join(', ')}; set JWKIT_SHARED_DIR`,
    );
  }
  return found;
}

export const SHARED = findShared();
export const VECTORS = join(SHARED, 'vectors');
export const FIXTURES = join(SHARED, 'fixtures');

export function readJSON<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(SHARED, ...parts), 'utf8')) as T;
}

export function readWycheproof<T = unknown>(file: string): T {
  return readJSON<T>('vectors', 'wycheproof', 'testvectors_v1', file);
}
