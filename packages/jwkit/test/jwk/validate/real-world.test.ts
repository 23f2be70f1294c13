/** Every JWKS in ../shared/fixtures/real-world parses with zero errors; quirks warn with their own code. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../../../../test/helpers/vectors.js';
import { parseJWKSet, validateJWK, validateJWKSet } from '../../../src/jwk/validate/index.js';

const DIR = join(FIXTURES, 'real-world');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');

/** The warnings each file is documented to produce (README "Quirks by file"); others have none. */
const QUIRKS: Record<string, string[]> = {
  'auth0-common.json': ['X5T_HEX_THUMBPRINT'],
  'workos.json': ['X5T_S256_MISMATCH'],
  'battle-net.json': ['B64URL_PADDING', 'B64URL_STD_ALPHABET', 'RSA_INT_LEADING_ZERO'],
  'microsoft-azure-ad-2015.json': ['B64URL_PADDING', 'B64URL_STD_ALPHABET'],
  'gluu-2015.json': ['ALG_UNKNOWN', 'EC_COORD_LENGTH', 'RSA_INT_LEADING_ZERO'],
  'paypal.json': ['B64URL_PADDING', 'RSA_INT_LEADING_ZERO'],
  'identityserver-demo.json': ['JSON_BOM'],
  'klarna.json': ['SET_DUPLICATE_KEY'],
  // 1024-bit RSA keys and a pre-RFC key without kty: skipped, the rest of the set kept.
  'google-2015-01-v2-certs.json': ['SET_KEY_SKIPPED'],
  'yahoo.json': ['SET_KEY_SKIPPED'],
  'forgerock-2015.json': ['SET_KEY_SKIPPED'],
  'openidconnect-info-2015.json': ['SET_KEY_SKIPPED'],
};

/** Keys kept per file under the default policy, where not all of them are. */
const KEPT: Record<string, number> = {
  'google-2015-01-v2-certs.json': 0,
  'yahoo.json': 1,
  'forgerock-2015.json': 0,
  'openidconnect-info-2015.json': 0,
};

describe('real-world JWK Sets', () => {
  it('has the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
  });

  for (const file of files) {
    it(`${file} parses with zero errors`, () => {
      const report = parseJWKSet(read(file));
      expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(report.valid).toBe(true);
      expect([...new Set(report.problems.map((p) => p.code))].sort()).toEqual(QUIRKS[file] ?? []);
      const total = report.keys.length + report.skipped.length;
      expect(report.keys.length).toBe(KEPT[file] ?? total);
      // What comes out is canonical: it validates again with no problem but what the key itself is.
      for (const key of report.keys) {
        const again = validateJWK(key);
        expect(again.valid).toBe(true);
        expect(again.key).toEqual(key);
        expect(
          again.problems
            .map((p) => p.code)
            .filter((c) => !['ALG_UNKNOWN', 'X5T_HEX_THUMBPRINT', 'X5T_S256_MISMATCH'].includes(c)),
        ).toEqual([]);
      }
    });
  }

  it('keeps the 1024-bit keys of legacy providers when minRSABits allows them', () => {
    for (const file of ['google-2015-01-v2-certs.json', 'yahoo.json', 'forgerock-2015.json']) {
      const report = validateJWKSet(read(file), { minRSABits: 1024 });
      expect(report.skipped, file).toEqual([]);
      expect(report.valid).toBe(true);
    }
    // Yahoo publishes one modulus under two kids.
    expect(validateJWKSet(read('yahoo.json'), { minRSABits: 1024 }).problems.map((p) => p.code)).toContain(
      'SET_DUPLICATE_KEY',
    );
  });

  it('says why the pre-RFC key was skipped', () => {
    const report = validateJWKSet(read('openidconnect-info-2015.json'));
    expect(report.skipped[0]!.problems.map((p) => p.code)).toEqual(['JWK_KTY_MISSING', 'ALG_UNKNOWN']);
  });

  it('rewrites lenient encodings into canonical base64url', () => {
    const [key] = validateJWKSet(read('battle-net.json')).keys;
    expect(key!.n).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(key!.n as string, 'base64url')[0]).not.toBe(0);
    const gluu = validateJWKSet(read('gluu-2015.json')).keys.filter((k) => k.kty === 'EC');
    const sizes = gluu.map((k) => [
      k.crv,
      Buffer.from(k.x as string, 'base64url').length,
      Buffer.from(k.y as string, 'base64url').length,
    ]);
    expect(sizes).toEqual([
      ['P-256', 32, 32],
      ['P-384', 48, 48],
      ['P-521', 66, 66],
    ]);
  });
});
