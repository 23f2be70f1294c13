import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBase64url, decode, decodeStd, encode, encodeStd } from '../../src/encoding/base64url.js';
import { JWKitError } from '../../src/errors/index.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);

describe('base64url', () => {
  it('encodes the RFC 7515 Appendix C example', () => {
    expect(encode(new Uint8Array([3, 236, 255, 224, 193]))).toBe('A-z_4ME');
    expect(decode('A-z_4ME')).toEqual(new Uint8Array([3, 236, 255, 224, 193]));
  });

  it('round-trips any bytes, short (table path) and long (Buffer path)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encode(bytes);
        expect(checkBase64url(text)).toBeUndefined();
        expect(decode(text)).toEqual(bytes);
        expect(decodeStd(encodeStd(bytes))).toEqual(bytes);
      }),
      { numRuns: runs },
    );
  });

  it('rejects padding unless allowed, and then decodes the same bytes', () => {
    expect(checkBase64url('AQ==')).toBe('padding');
    expect(() => decode('AQ==')).toThrow(JWKitError);
    expect(decode('AQ==', { allowPadding: true })).toEqual(new Uint8Array([1]));
  });

  it('rejects characters outside the URL alphabet (standard base64, whitespace, dots)', () => {
    for (const bad of ['ab+c', 'ab/c', 'ab c', 'ab.c', 'ab\nc', 'é']) {
      expect(checkBase64url(bad)).toBe('alphabet');
      expect(() => decode(bad)).toThrow(/base64url alphabet/);
    }
  });

  it('rejects impossible lengths and non-canonical trailing bits (RFC 4648 §3.5)', () => {
    expect(checkBase64url('A')).toBe('length');
    expect(checkBase64url('AQ=')).toBe('length');
    expect(checkBase64url('AR')).toBe('noncanonical'); // 'R' leaves non-zero low bits
    expect(checkBase64url('AQE')).toBeUndefined();
    expect(checkBase64url('AQF')).toBe('noncanonical');
  });

  it('never throws anything but JWKitError on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          decode(s);
        } catch (e) {
          expect(e).toBeInstanceOf(JWKitError);
        }
      }),
      { numRuns: runs },
    );
  });

  it('standard base64 must be padded and use + and /', () => {
    expect(decodeStd('+/8=')).toEqual(new Uint8Array([251, 255]));
    expect(() => decodeStd('-_8')).toThrow(JWKitError);
    expect(() => decodeStd('+/8')).toThrow(JWKitError);
  });
});

describe('decoded bytes own their memory (issue 13 point 8)', () => {
  it('never hands out a view of Node’s shared buffer pool', () => {
    const text = 'A'.repeat(88); // over the Buffer fast-path threshold
    const bytes = decode(text);
    expect(bytes.length).toBe(66);
    // A pooled Buffer's .buffer is the 8 KiB pool: other allocations' memory.
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.length);
  });
});
