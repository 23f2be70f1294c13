/** The alg → mechanism table, derived from jwkit's registry, and the encodings it relies on. */

import { signatureAlgorithms } from 'jwkit';
import { describe, expect, it } from 'vitest';
import { objectId, parseObjectId, unwrapOctetString } from '../../src/pkcs11/keys.js';
import { algMechanism, CKM, curveOfEcParams, derOid, mechanismName } from '../../src/pkcs11/mechanisms.js';
import { sessionBound } from '../../src/pkcs11/session-pool.js';

const hex = (v: Uint8Array) => Buffer.from(v).toString('hex');

describe('algMechanism', () => {
  it('maps every ECDSA, RSA and Ed25519 signature alg of the registry, and explains the others', () => {
    const mapped: string[] = [];
    for (const info of signatureAlgorithms()) {
      const m = algMechanism(info.alg);
      if (typeof m === 'string') expect(m).toContain(info.alg);
      else mapped.push(info.alg);
    }
    expect(mapped.sort()).toEqual(
      [
        'ES256',
        'ES256K',
        'ES384',
        'ES512',
        'EdDSA',
        'Ed25519',
        'PS256',
        'PS384',
        'PS512',
        'RS256',
        'RS384',
        'RS512',
      ].sort(),
    );
  });

  it('ECDSA: CKM_ECDSA over the digest jwkit computes, r‖s of twice the curve size', () => {
    expect(algMechanism('ES256')).toMatchObject({ sign: CKM.ECDSA, prehash: 'sha256', signatureLength: 64 });
    expect(algMechanism('ES384')).toMatchObject({ prehash: 'sha384', signatureLength: 96 });
    expect(algMechanism('ES512')).toMatchObject({ prehash: 'sha512', signatureLength: 132 });
  });

  it('PSS: the same hash for the message and MGF1, salt = hash length (RFC 7518 §3.5)', () => {
    expect(algMechanism('PS256')).toMatchObject({
      sign: CKM.SHA256_RSA_PKCS_PSS,
      pss: { hashAlg: CKM.SHA256, mgf: 2, saltLen: 32 },
    });
    expect(algMechanism('PS512')).toMatchObject({ pss: { hashAlg: CKM.SHA512, mgf: 4, saltLen: 64 } });
    expect(algMechanism('RS384')).toMatchObject({ sign: CKM.SHA384_RSA_PKCS });
    expect(algMechanism('RS384')).not.toHaveProperty('pss');
  });

  it('names mechanisms for messages', () => {
    expect(mechanismName(CKM.EDDSA)).toBe('CKM_EDDSA');
    expect(mechanismName(0x9999)).toBe('0x9999');
  });
});

describe('encodings', () => {
  it('DER-encodes curve OIDs (X.690 §8.19)', () => {
    expect(hex(derOid('1.2.840.10045.3.1.7'))).toBe('06082a8648ce3d030107');
    expect(hex(derOid('1.3.132.0.34'))).toBe('06052b81040022');
    expect(hex(derOid('1.3.101.112'))).toBe('06032b6570');
  });

  it('reads the curve of CKA_EC_PARAMS, OID or the "edwards25519" printable string', () => {
    expect(curveOfEcParams(derOid('1.3.132.0.35'))).toBe('P-521');
    expect(curveOfEcParams(Buffer.from('130c656477617264733235353139', 'hex'))).toBe('Ed25519');
    expect(curveOfEcParams(Buffer.from('0601ff', 'hex'))).toBeUndefined();
  });

  it('unwraps CKA_EC_POINT from its DER OCTET STRING, and takes a bare point of the right length', () => {
    const point = Buffer.alloc(65, 7);
    point[0] = 4;
    // A bare point whose second octet happens to equal length - 2 is still read as bare.
    point[1] = 63;
    expect(unwrapOctetString(Buffer.concat([Buffer.from([4, 65]), point]), 65)).toEqual(point);
    expect(unwrapOctetString(point, 65)).toEqual(point);
    const p521 = Buffer.alloc(133, 1);
    expect(unwrapOctetString(Buffer.concat([Buffer.from([4, 0x81, 133]), p521]), 133)).toEqual(p521);
    const ed = Buffer.alloc(32, 9);
    expect(unwrapOctetString(Buffer.concat([Buffer.from([4, 32]), ed]), 32)).toEqual(ed);
  });

  it('CKA_ID jwkit:<alg>:<label> marks jwkit objects; anything else is not jwkit’s', () => {
    expect(objectId('ES256', 'abc').toString()).toBe('jwkit:ES256:abc');
    expect(parseObjectId(objectId('PS256', 'k:with:colons'))).toEqual({
      alg: 'PS256',
      label: 'k:with:colons',
    });
    expect(parseObjectId(Buffer.from('their-id'))).toBeUndefined();
    expect(parseObjectId(Buffer.from('jwkit:'))).toBeUndefined();
    expect(parseObjectId(Buffer.from([0xff, 0x01]))).toBeUndefined();
  });
});

describe('sessionBound', () => {
  it('takes what was asked within the token limit minus one, and 1 without library locking', () => {
    expect(sessionBound(4, undefined, true)).toBe(4);
    expect(sessionBound(4, 3, true)).toBe(2);
    expect(sessionBound(4, 1, true)).toBe(1);
    expect(sessionBound(2, 100, true)).toBe(2);
    expect(sessionBound(4, undefined, false)).toBe(1);
  });
});
