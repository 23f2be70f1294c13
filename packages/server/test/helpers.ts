/** Shared fixtures of the server tests: temp dirs, PostgreSQL schemas, a fake clock. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MasterKey } from '../src/crypto-at-rest.js';

export const PG_URL = process.env.JWKIT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'jwkit-server-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A schema name unique to one test file run. */
export function uniqueSchema(tag: string): string {
  return `jwkit_test_${tag}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A clock tests move by hand. */
export class FakeClock {
  constructor(public t = Date.UTC(2030, 0, 1)) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function testMasterKey(): MasterKey {
  return MasterKey.generate().key;
}

/** Every private member a JWK of any type can carry (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
export { PRIVATE_JWK_MEMBERS as PRIVATE_MEMBERS } from '../../../test/helpers/jwk-members.js';
