/** The JWS layer's base64url decoding: strict, and never a view of shared memory (issue 13 point 8). */
import { describe, expect, it } from 'vitest';
import { strictBase64url } from '../../src/jwt/bytes.js';

describe('strictBase64url', () => {
  it('returns bytes that own their memory, not a view of Node’s buffer pool', () => {
    const payload = strictBase64url(
      'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
    );
    expect(payload).toBeInstanceOf(Uint8Array);
    expect(payload!.byteOffset).toBe(0);
    expect(payload!.buffer.byteLength).toBe(payload!.length);
    expect(new TextDecoder().decode(payload)).toContain('John Doe');
  });

  it('still refuses what is not strict base64url', () => {
    for (const bad of ['abc=', 'ab+c', 'a b', 'abcde', 'ab$c', 'AB'])
      expect(strictBase64url(bad), bad).toBeUndefined();
    expect(strictBase64url('AA')).toEqual(new Uint8Array([0]));
    expect(strictBase64url('')).toEqual(new Uint8Array(0));
  });
});
