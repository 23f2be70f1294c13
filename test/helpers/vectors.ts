/** Paths to the shared test data (../shared next to the repository, as CI lays it out). */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = process.env.JWKIT_SHARED_DIR ?? resolve(root, '..', 'shared');
export const VECTORS = join(SHARED, 'vectors');
export const FIXTURES = join(SHARED, 'fixtures');

export function readJSON<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(join(SHARED, ...parts), 'utf8')) as T;
}

export function readWycheproof<T = unknown>(file: string): T {
  return readJSON<T>('vectors', 'wycheproof', 'testvectors_v1', file);
}
