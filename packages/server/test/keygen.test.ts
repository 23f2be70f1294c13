/**
 * The key manager's RSA generation: real keys from a worker thread that runs at nice 19, so
 * that making an RSA-4096 key takes only CPU the server leaves idle.
 */

import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PrivateJWK } from '../../jwkit/src/jwk/model.js';
import { serverBackend } from '../src/keygen.js';

/** The nice value of every thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

function signsAndVerifies(jwk: PrivateJWK): boolean {
  const data = Buffer.from('jwkit');
  const signature = sign('sha256', data, createPrivateKey({ key: jwk, format: 'jwk' }));
  return verify('sha256', data, createPublicKey({ key: jwk, format: 'jwk' }), signature);
}

describe('serverBackend.generate', () => {
  it('makes working RSA keys of the requested size, several at once, each its own', async () => {
    const keys = (await Promise.all([
      serverBackend.generate({ kty: 'RSA', bits: 2048 }),
      serverBackend.generate({ kty: 'RSA', bits: 3072 }),
    ])) as PrivateJWK[];
    expect(keys.map((k) => Buffer.from(k.n as string, 'base64url').length * 8)).toEqual([2048, 3072]);
    expect(keys[0]!.n).not.toBe(keys[1]!.n);
    for (const k of keys) {
      expect(Object.keys(k)).toEqual(['kty', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']);
      expect(signsAndVerifies(k)).toBe(true);
    }
  });

  it.runIf(process.platform === 'linux')(
    'runs RSA generation in a thread at nice 19, not the others',
    async () => {
      await serverBackend.generate({ kty: 'RSA', bits: 2048 });
      const nice = threadNiceValues();
      expect(nice).toContain(19);
      expect(nice.filter((n) => n === 19)).toHaveLength(1);
    },
  );

  it('refuses sizes the registry refuses, and leaves other key types to node:crypto', async () => {
    await expect(serverBackend.generate({ kty: 'RSA', bits: 1024 })).rejects.toThrow(/2048/);
    expect((await serverBackend.generate({ kty: 'EC', crv: 'P-256' })).kty).toBe('EC');
  });
});
