/**
 * The node backend's HMAC from two one-shot digests (crypto/node-hmac.ts, issue 15) must be
 * HMAC (RFC 2104): the Wycheproof HMAC vectors with full-length tags, and createHmac itself on
 * random keys (shorter and longer than the block) and texts (shorter and longer than the scratch
 * buffer). The tag compare is over text and must not stop at the first difference.
 */
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readWycheproof } from '../../../../test/helpers/vectors.js';
import { sameText, scratchHoldsKey, textMac } from '../../src/crypto/node-hmac.js';

interface MacFile {
  testGroups: {
    keySize: number;
    tagSize: number;
    tests: { tcId: number; key: string; msg: string; tag: string; result: 'valid' | 'invalid' }[];
  }[];
}

const HASHES = [
  ['sha256', 'hmac_sha256_test.json', 256],
  ['sha384', 'hmac_sha384_test.json', 384],
  ['sha512', 'hmac_sha512_test.json', 512],
] as const;

const latin1 = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

describe('textMac: HMAC from one-shot digests', () => {
  for (const [hash, file, bits] of HASHES) {
    it(`matches every full-length ${hash} Wycheproof tag (valid ones equal, invalid ones differ)`, () => {
      const groups = readWycheproof<MacFile>(file).testGroups.filter((g) => g.tagSize === bits);
      let valid = 0;
      let invalid = 0;
      for (const g of groups) {
        for (const t of g.tests) {
          const mac = textMac(hash, Buffer.from(t.key, 'hex'));
          expect(mac).toBeDefined();
          const tag = mac!(latin1(t.msg));
          if (t.result === 'valid') {
            expect(tag, `tcId ${t.tcId}`).toBe(b64(t.tag));
            valid++;
          } else {
            expect(tag, `tcId ${t.tcId}`).not.toBe(b64(t.tag));
            invalid++;
          }
        }
      }
      expect(valid).toBeGreaterThan(10);
      expect(invalid).toBeGreaterThan(10);
    });

    it(`equals createHmac(${hash}) for random keys and ASCII texts`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 0, maxLength: 300 }),
          fc.string({ unit: fc.constantFrom(...'ABCxyz019-_.'), maxLength: 3000 }),
          (key, text) => {
            const expected = createHmac(hash, key).update(text, 'latin1').digest('base64url');
            expect(textMac(hash, key)!(text)).toBe(expected);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('handles texts longer than the shared scratch buffer and leaves no padded key in it', () => {
    const key = randomBytes(32);
    const mac = textMac('sha256', key)!;
    for (const length of [0, 1, 1023, 1024, 5000, 16 * 1024, 16 * 1024 + 1, 70_000]) {
      const text = 'a.'.repeat(length).slice(0, length);
      expect(mac(text)).toBe(createHmac('sha256', key).update(text).digest('base64url'));
      expect(scratchHoldsKey()).toBe(false);
    }
  });
});

describe('sameText', () => {
  it('is true only for equal strings of equal length', () => {
    expect(sameText('abc', 'abc')).toBe(true);
    expect(sameText('', '')).toBe(true);
    expect(sameText('abc', 'abd')).toBe(false);
    expect(sameText('abc', 'Abc')).toBe(false);
    expect(sameText('abc', 'ab')).toBe(false);
    expect(sameText('ab', 'abc')).toBe(false);
  });

  it('agrees with === on random pairs', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), fc.string({ maxLength: 50 }), (a, b) => {
        expect(sameText(a, b)).toBe(a === b);
        expect(sameText(a, a)).toBe(true);
      }),
    );
  });
});
