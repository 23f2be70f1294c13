/**
 * Two `serve()` replicas on the real PostgreSQL: a rotation through one replica's admin API (and
 * one by the CLI) shows up in the other replica's log and metrics (issue 14.7); the database
 * password comes from the environment, not the URL (issue 14.6), and never reaches a log.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../src/serve.js';
import { dropSchema, PG_URL, uniqueSchema } from './helpers.js';

const TOKEN = 'replica-test-admin-token-0123456789abcdef';
const schema = uniqueSchema('serve_listeners');
afterAll(() => dropSchema(schema));

describe('replicas on PostgreSQL', () => {
  it("one replica's rotation appears in the other's log and metrics; the store password is taken from storePassword", async () => {
    const master = randomBytes(32).toString('base64');
    const linesA: string[] = [];
    const linesB: string[] = [];
    const common = {
      store: PG_URL,
      schema,
      port: 0,
      algs: ['ES256'],
      masterKey: master,
      adminToken: TOKEN,
      pollInterval: '100ms',
      webRoot: false as const,
      // The test database trusts every password; what matters is that it is added to the URL and never logged.
      storePassword: 'p@ss/word:with#odd',
    };
    const a: RunningServer = await serve({ ...common, log: (l) => linesA.push(l) });
    const b: RunningServer = await serve({ ...common, log: (l) => linesB.push(l) });
    try {
      const res = await fetch(`${a.adminUrl}/admin/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{"alg":"ES256"}',
      });
      expect(res.status).toBe(200);
      const [rotated] = ((await res.json()) as { rotated: { kid: string }[] }).rotated;
      const seen = () => linesB.find((l) => l.includes('store event: activated') && l.includes(rotated!.kid));
      for (let i = 0; i < 100 && !seen(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen()).toMatch(/actor=admin-api/);
      const metrics = await (await fetch(`${b.adminUrl}/metrics`)).text();
      expect(metrics).toMatch(/^jwkit_store_rotations_total\{alg="ES256",actor="admin-api"\} 1$/m);
      for (let i = 0; i < 100 && b.manager.signingKey('ES256').kid !== rotated!.kid; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(b.manager.signingKey('ES256').kid).toBe(rotated!.kid);
      for (const l of [...linesA, ...linesB]) expect(l).not.toContain('p@ss');
      expect(a.store.description).not.toContain('p@ss');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
