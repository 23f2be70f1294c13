/**
 * toPublic never publishes a member that is private for ANY key type of the registry (issue 13
 * point 1), for every key type, and neither does JWKSet.toJSON().
 */

import { describe, expect, it } from 'vitest';
import { generateJWK } from '../../src/crypto/generate.js';
import { toPublic } from '../../src/jwk/model.js';
import { KTY_MEMBERS, KTYS } from '../../src/registry.js';
import { JWKSet } from '../../src/set/jwk-set.js';

const PRIVATE = [...new Set(KTYS.flatMap((k) => KTY_MEMBERS[k].private))];

/** A public key of each asymmetric type; toPublic does not validate, so any strings do. */
const PUBLIC_KEYS: Record<string, Record<string, unknown>> = {
  RSA: { kty: 'RSA', n: 'sXch', e: 'AQAB', kid: 'r' },
  EC: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'BBBB', kid: 'e' },
  OKP: { kty: 'OKP', crv: 'Ed25519', x: 'CCCC', kid: 'o' },
  AKP: { kty: 'AKP', alg: 'ML-DSA-44', pub: 'DDDD', kid: 'a' },
};

describe('toPublic', () => {
  it('covers every asymmetric key type of the registry', () => {
    expect(Object.keys(PUBLIC_KEYS).sort()).toEqual(KTYS.filter((k) => k !== 'oct').sort());
  });

  for (const [kty, key] of Object.entries(PUBLIC_KEYS)) {
    for (const member of PRIVATE) {
      if (KTY_MEMBERS[kty as 'RSA'].required.includes(member)) continue;
      it(`strips "${member}" from a ${kty} key (private for some key type)`, () => {
        const out = toPublic({ ...key, [member]: 'c2VjcmV0' } as never) as Record<string, unknown>;
        expect(out).not.toHaveProperty(member);
        expect(out).toEqual(key);
      });
    }
  }

  it('keeps the key type own required members and unknown public members', () => {
    expect(toPublic({ ...PUBLIC_KEYS.EC!, x5u: 'https://a', vendor: 1 } as never)).toEqual({
      ...PUBLIC_KEYS.EC,
      x5u: 'https://a',
      vendor: 1,
    });
  });
});

describe('JWKSet.toJSON', () => {
  it('publishes no member that is private for another key type, even on a public key', async () => {
    const ec = toPublic(await generateJWK({ alg: 'ES256' }));
    const set = new JWKSet([{ ...ec, k: 'c2VjcmV0', p: 'c2VjcmV0' }]);
    const [published] = set.toJSON().keys as Record<string, unknown>[];
    expect(published).not.toHaveProperty('k');
    expect(published).not.toHaveProperty('p');
    expect(published!.x).toBe(ec.x);
  });
});
