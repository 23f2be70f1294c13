import { describe, expect, it } from 'vitest';
import { assertKid, checkKid, KID_MAX_LENGTH } from '../../src/jwk/kid.js';

describe('checkKid (issue 13.11)', () => {
  it('accepts what real key ids look like', () => {
    for (const kid of [
      'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
      '2026-12-02',
      '6f1d7c6a-3b1e-4a8e-9a3f-1f0c2b5d7e90',
      'https://issuer.example/keys#1',
      'k'.repeat(KID_MAX_LENGTH),
    ]) {
      expect(checkKid(kid)).toBeUndefined();
    }
  });

  it('refuses control characters, spaces, non-ASCII, empty and overlong kids, naming the rule and the path', () => {
    expect(checkKid('a\r\nb\u001b[31m', 'keys[3].kid')).toMatchObject({
      code: 'KID_INVALID',
      path: 'keys[3].kid',
    });
    expect(checkKid('a b')?.message).toContain('U+0020');
    expect(checkKid('ключ')?.code).toBe('KID_INVALID');
    expect(checkKid('')?.code).toBe('KID_INVALID');
    expect(checkKid(42)?.code).toBe('KID_INVALID');
    expect(checkKid('k'.repeat(60_000))).toMatchObject({
      code: 'KID_TOO_LONG',
      message: expect.stringContaining('60000'),
    });
    expect(() => assertKid('a\u0000', 'jwk.kid')).toThrow(
      expect.objectContaining({
        code: 'ERR_KID_INVALID',
        message: expect.stringMatching(/^jwk\.kid: .*\[KID_INVALID\]$/),
      }),
    );
  });
});
