/**
 * JWS algorithm → PKCS#11 mechanisms. The algorithms come from jwkit's registry (family, hash,
 * curve); this file only says how each family is done on a token:
 *
 * - ECDSA (ES256, ES384, ES512, ES256K): CKM_EC_KEY_PAIR_GEN with CKA_EC_PARAMS = the curve's
 *   namedCurve OID; CKM_ECDSA over the SHA-2 digest jwkit computes (tokens offer plain CKM_ECDSA far
 *   more often than CKM_ECDSA_SHA256). The output is r‖s, each of the curve's size (PKCS#11 v2.40
 *   §2.3.1), which is already the JWS form (RFC 7518 §3.4).
 * - RSASSA-PKCS1-v1_5 (RS256/384/512): CKM_SHA256_RSA_PKCS etc. (the token hashes).
 * - RSASSA-PSS (PS256/384/512): CKM_SHA256_RSA_PKCS_PSS etc. with CK_RSA_PKCS_PSS_PARAMS: the same
 *   hash, MGF1 with that hash, salt length = hash length (RFC 7518 §3.5).
 * - EdDSA on Ed25519 (EdDSA, Ed25519): CKM_EC_EDWARDS_KEY_PAIR_GEN with CKA_EC_PARAMS = the
 *   id-Ed25519 OID 1.3.101.112 (RFC 8410; PKCS#11 v3.0 §2.3.5 allows it next to the printable
 *   string "edwards25519"), CKM_EDDSA without parameters = pure Ed25519 over the message (RFC 8032).
 *
 * Ed448 needs CK_EDDSA_PARAMS, which pkcs11js cannot pass: it, HMAC and ML-DSA are not offered.
 */

import { ALGORITHMS, CURVES, type HashName } from 'jwkit';

/** PKCS#11 v3.0 constants (pkcs11t.h); some are missing from pkcs11js's table. */
export const CKM = Object.freeze({
  RSA_PKCS_KEY_PAIR_GEN: 0x0000,
  SHA256_RSA_PKCS: 0x0040,
  SHA384_RSA_PKCS: 0x0041,
  SHA512_RSA_PKCS: 0x0042,
  SHA256_RSA_PKCS_PSS: 0x0043,
  SHA384_RSA_PKCS_PSS: 0x0044,
  SHA512_RSA_PKCS_PSS: 0x0045,
  SHA256: 0x0250,
  SHA384: 0x0260,
  SHA512: 0x0270,
  EC_KEY_PAIR_GEN: 0x1040,
  ECDSA: 0x1041,
  EC_EDWARDS_KEY_PAIR_GEN: 0x1055,
  EDDSA: 0x1057,
});
const CKK = Object.freeze({ RSA: 0x00, EC: 0x03, EC_EDWARDS: 0x40 });
const CKG_MGF1 = Object.freeze({ 'SHA-256': 0x02, 'SHA-384': 0x03, 'SHA-512': 0x04 });
const HASH_MECH = Object.freeze({ 'SHA-256': CKM.SHA256, 'SHA-384': CKM.SHA384, 'SHA-512': CKM.SHA512 });
const HASH_LEN = Object.freeze({ 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 });

/** Names for messages ("the token lacks CKM_EDDSA"). */
const NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(Object.entries(CKM).map(([name, value]) => [value, `CKM_${name}`])),
);
export function mechanismName(mechanism: number): string {
  return NAMES[mechanism] ?? `0x${mechanism.toString(16)}`;
}

export interface AlgMechanism {
  readonly alg: string;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** EC and OKP: the JWK curve. */
  readonly crv?: string;
  /** EC and OKP: CKA_EC_PARAMS, the DER of the curve OID. */
  readonly ecParams?: Uint8Array;
  readonly keyType: number;
  readonly keyGen: number;
  readonly sign: number;
  /** RSA-PSS: CK_RSA_PKCS_PSS_PARAMS (the pkcs11js param tag is added at call time). */
  readonly pss?: { readonly hashAlg: number; readonly mgf: number; readonly saltLen: number };
  /** ECDSA: the digest jwkit computes before C_Sign (node:crypto name). */
  readonly prehash?: 'sha256' | 'sha384' | 'sha512';
  /** EC and OKP: the exact signature length in octets (r‖s, or the Ed25519 signature). */
  readonly signatureLength?: number;
}

/** DER of an OBJECT IDENTIFIER (X.690 §8.19). */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const body: number[] = [];
  const push = (n: number) => {
    const bytes = [n & 0x7f];
    for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) bytes.unshift((n & 0x7f) | 0x80);
    body.push(...bytes);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return Uint8Array.from([0x06, body.length, ...body]);
}

const nodeHash = (h: HashName) => h.replace('SHA-', 'sha') as 'sha256' | 'sha384' | 'sha512';

/**
 * How `alg` is done on a token, or a sentence saying why jwkit cannot do it there.
 * Derived from the registry entry, never from a list of its own.
 */
export function algMechanism(alg: string): AlgMechanism | string {
  const info = Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
  if (info === undefined || info.use !== 'sig') return `${alg} is not a JWS signature algorithm jwkit knows`;
  switch (info.family) {
    case 'ECDSA': {
      const crv = info.crvs![0]!;
      const curve = CURVES[crv]!;
      return Object.freeze({
        alg,
        kty: 'EC',
        crv,
        ecParams: derOid(curve.oid),
        keyType: CKK.EC,
        keyGen: CKM.EC_KEY_PAIR_GEN,
        sign: CKM.ECDSA,
        prehash: nodeHash(info.hash!),
        signatureLength: 2 * curve.size,
      });
    }
    case 'RSASSA-PKCS1-v1_5':
    case 'RSA-PSS': {
      const hash = info.hash!;
      const pss = info.family === 'RSA-PSS';
      const sign = {
        'SHA-256': pss ? CKM.SHA256_RSA_PKCS_PSS : CKM.SHA256_RSA_PKCS,
        'SHA-384': pss ? CKM.SHA384_RSA_PKCS_PSS : CKM.SHA384_RSA_PKCS,
        'SHA-512': pss ? CKM.SHA512_RSA_PKCS_PSS : CKM.SHA512_RSA_PKCS,
      }[hash];
      return Object.freeze({
        alg,
        kty: 'RSA',
        keyType: CKK.RSA,
        keyGen: CKM.RSA_PKCS_KEY_PAIR_GEN,
        sign,
        ...(pss
          ? { pss: Object.freeze({ hashAlg: HASH_MECH[hash], mgf: CKG_MGF1[hash], saltLen: HASH_LEN[hash] }) }
          : {}),
      });
    }
    case 'EdDSA': {
      if (!info.crvs!.includes('Ed25519'))
        return `${alg} needs CK_EDDSA_PARAMS (Ed448), which jwkit's PKCS#11 layer does not pass; use Ed25519`;
      return Object.freeze({
        alg,
        kty: 'OKP',
        crv: 'Ed25519',
        ecParams: derOid(CURVES.Ed25519!.oid),
        keyType: CKK.EC_EDWARDS,
        keyGen: CKM.EC_EDWARDS_KEY_PAIR_GEN,
        sign: CKM.EDDSA,
        signatureLength: 64,
      });
    }
    default:
      return `${alg} (${info.family}) has no PKCS#11 mechanism in jwkit`;
  }
}

/** The JWK curve of a CKA_EC_PARAMS value (namedCurve OID, or Edwards printable-string name). */
export function curveOfEcParams(params: Uint8Array): string | undefined {
  const hex = Buffer.from(params).toString('hex');
  for (const curve of Object.values(CURVES))
    if (Buffer.from(derOid(curve.oid)).toString('hex') === hex) return curve.crv;
  // PKCS#11 v3.0 §2.3.5: PrintableString "edwards25519" also names Ed25519.
  if (hex === Buffer.from('\x13\x0cedwards25519', 'latin1').toString('hex')) return 'Ed25519';
  return undefined;
}
