/**
 * Runs Wycheproof signature and MAC vectors against a backend. Imports nothing from `node:`, so
 * the same code runs in Node (wycheproof-signatures.test.ts) and in Chromium
 * (web-backend-chromium.test.ts). Policies for the cases Wycheproof leaves open:
 *
 * - `acceptable` (only `MissingNull`, RSASSA-PKCS1-v1_5 DigestInfo without the NULL parameter):
 *   rejected. RFC 8017 §9.2 defines one encoding; OpenSSL and BoringSSL both reject the other.
 * - HMAC tags shorter than the hash (Wycheproof's truncated-tag groups): invalid in JWS, whatever
 *   Wycheproof says, since RFC 7518 §3.2 defines the JWS signature as the full HMAC output.
 * - HMAC keys shorter than the hash: the primitive still computes the right verdict, but the JWK
 *   layer (`importKey`) refuses them, as RFC 7518 §3.2 requires (asserted in the Node test).
 * - A group key the backend refuses to import makes each of its tests a "no".
 */
import type { CryptoBackend, KeyHandle } from '../../src/crypto/backend.js';
import { encode } from '../../src/encoding/base64url.js';
import type { JWK } from '../../src/jwk/model.js';

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig?: string;
  tag?: string;
  key?: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
export interface WycheproofGroup {
  publicKeyJwk?: JWK;
  keyJwk?: JWK;
  publicKey?: { curve?: string; wx: string; wy: string };
  keySize?: number;
  tagSize?: number;
  tests: WycheproofTest[];
}
export interface WycheproofFile {
  testGroups: WycheproofGroup[];
}

export const SIGNATURE_FILES: readonly (readonly [file: string, alg: string])[] = [
  ['ecdsa_secp256r1_sha256_p1363_test.json', 'ES256'],
  ['ecdsa_secp384r1_sha384_p1363_test.json', 'ES384'],
  ['ecdsa_secp521r1_sha512_p1363_test.json', 'ES512'],
  ['ecdsa_secp256k1_sha256_p1363_test.json', 'ES256K'],
  ['ed25519_test.json', 'Ed25519'],
  ['ed448_test.json', 'Ed448'],
  ['rsa_signature_2048_sha256_test.json', 'RS256'],
  ['rsa_signature_2048_sha384_test.json', 'RS384'],
  ['rsa_signature_2048_sha512_test.json', 'RS512'],
  ['rsa_signature_3072_sha256_test.json', 'RS256'],
  ['rsa_signature_4096_sha256_test.json', 'RS256'],
  ['rsa_signature_4096_sha512_test.json', 'RS512'],
  ['rsa_pss_2048_sha256_mgf1_32_test.json', 'PS256'],
  ['rsa_pss_3072_sha256_mgf1_32_test.json', 'PS256'],
  ['rsa_pss_2048_sha384_mgf1_48_test.json', 'PS384'],
  ['rsa_pss_4096_sha384_mgf1_48_test.json', 'PS384'],
  ['rsa_pss_4096_sha512_mgf1_64_test.json', 'PS512'],
];

export const MAC_FILES: readonly (readonly [file: string, alg: string, hashBits: number])[] = [
  ['hmac_sha256_test.json', 'HS256', 256],
  ['hmac_sha384_test.json', 'HS384', 384],
  ['hmac_sha512_test.json', 'HS512', 512],
];

export function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const CURVE_SIZE: Record<string, [crv: string, size: number]> = {
  secp256r1: ['P-256', 32],
  secp384r1: ['P-384', 48],
  secp521r1: ['P-521', 66],
  secp256k1: ['secp256k1', 32],
};

/** The group's public key as a JWK; a few later ECDSA groups carry only wx/wy in hex. */
export function groupJWK(group: WycheproofGroup): JWK {
  const given = group.publicKeyJwk ?? group.keyJwk;
  if (given) {
    // Wycheproof keys carry `kid: "none"` and sometimes `alg`; the primitive layer wants material.
    const { kid: _kid, alg: _alg, ...rest } = given;
    return rest as JWK;
  }
  const pk = group.publicKey!;
  const [crv, size] = CURVE_SIZE[pk.curve!]!;
  const coord = (h: string) => encode(hex(h.padStart(2 * size, '0').slice(-2 * size)));
  return { kty: 'EC', crv, x: coord(pk.wx), y: coord(pk.wy) };
}

export interface Verdicts {
  /** Tests whose verdict differs from the policy, as `tc N (...)` lines. */
  wrong: string[];
  count: number;
}

/** Runs a signature file: the group key is imported once, then every test verified. */
export async function signatureVerdicts(
  backend: CryptoBackend,
  data: WycheproofFile,
  alg: string,
): Promise<Verdicts> {
  const wrong: string[] = [];
  let count = 0;
  for (const group of data.testGroups) {
    count += group.tests.length;
    let handle: KeyHandle;
    try {
      handle = await backend.importKey(groupJWK(group), alg, 'verify');
    } catch (error) {
      for (const t of group.tests)
        if (t.result === 'valid') wrong.push(`tc ${t.tcId}: key refused: ${String(error)}`);
      continue;
    }
    for (const t of group.tests) {
      const verdict = await backend.verify(handle, hex(t.msg), hex(t.sig!));
      if (verdict !== (t.result === 'valid'))
        wrong.push(`tc ${t.tcId} (${t.result}, ${t.flags.join(',')}): got ${verdict}`);
    }
  }
  return { wrong, count };
}

/** Runs a MAC file: only full-length tags of valid tests may verify. */
export async function macVerdicts(
  backend: CryptoBackend,
  data: WycheproofFile,
  alg: string,
  hashBits: number,
): Promise<Verdicts> {
  const wrong: string[] = [];
  let count = 0;
  for (const group of data.testGroups) {
    const full = group.tagSize === hashBits;
    for (const t of group.tests) {
      count++;
      let verdict = false;
      // An empty key cannot even be imported; it never verifies either.
      if (t.key !== '') {
        const handle = await backend.importKey({ kty: 'oct', k: encode(hex(t.key!)) }, alg, 'verify');
        verdict = await backend.verify(handle, hex(t.msg), hex(t.tag!));
      }
      if (verdict !== (full && t.result === 'valid')) {
        wrong.push(`tc ${t.tcId} (tag ${group.tagSize}, key ${group.keySize}): got ${verdict}`);
      }
    }
  }
  return { wrong, count };
}
