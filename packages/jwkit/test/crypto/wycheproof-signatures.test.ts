/**
 * Wycheproof primitive signature and MAC vectors (../shared/vectors/README.md), at the signature
 * layer of both backends. Policies for `acceptable`, truncated tags and short HMAC keys: see
 * wycheproof-runner.ts and docs/api/crypto.md.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../../test/helpers/backends.js';
import { readWycheproof } from '../../../../test/helpers/vectors.js';
import { importKey } from '../../src/crypto/import.js';
import { createWebBackend } from '../../src/crypto/web.js';
import { encode } from '../../src/encoding/base64url.js';
import {
  hex,
  MAC_FILES,
  macVerdicts,
  SIGNATURE_FILES,
  signatureVerdicts,
  type WycheproofFile,
} from './wycheproof-runner.js';

describe.each(BACKENDS)('Wycheproof signatures, $name backend', ({ backend }) => {
  it.each(SIGNATURE_FILES)('%s (%s) gives the expected verdict for every test', async (file, alg) => {
    const { wrong, count } = await signatureVerdicts(backend, readWycheproof<WycheproofFile>(file), alg);
    expect(wrong).toEqual([]);
    expect(count).toBeGreaterThan(80);
  });

  it.each(MAC_FILES)(
    '%s (%s): full-length tags verify as expected, truncated tags never',
    async (file, alg, bits) => {
      const { wrong, count } = await macVerdicts(backend, readWycheproof<WycheproofFile>(file), alg, bits);
      expect(wrong).toEqual([]);
      expect(count).toBe(174);
    },
  );

  it('refuses HMAC keys shorter than the hash at the JWK layer (RFC 7518 §3.2)', async () => {
    const data = readWycheproof<WycheproofFile>('hmac_sha256_test.json');
    const short = data.testGroups.find((g) => g.keySize! < 256)!;
    const jwk = { kty: 'oct' as const, k: encode(hex(short.tests[0]!.key!)) };
    await expect(importKey(jwk, 'HS256', 'verify', { backend })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    });
  });
});

describe('Wycheproof signatures, WebCrypto backend without native Ed25519 (@noble/curves)', () => {
  it('ed25519_test.json gives the expected verdict for every test', async () => {
    const backend = createWebBackend({ nativeCurves: false });
    const { wrong } = await signatureVerdicts(
      backend,
      readWycheproof<WycheproofFile>('ed25519_test.json'),
      'Ed25519',
    );
    expect(wrong).toEqual([]);
  });
});
