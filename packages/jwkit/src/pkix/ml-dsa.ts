/**
 * The DER forms of ML-DSA keys (RFC 9881): SubjectPublicKeyInfo with the id-ml-dsa-* OID and
 * absent parameters (§4), and the PKCS#8 / OneAsymmetricKey private key (§6), whose
 * ML-DSA-PrivateKey is a CHOICE of `seed [0] OCTET STRING (SIZE (32))`, `expandedKey OCTET
 * STRING` or `both SEQUENCE { seed, expandedKey }`. jwkit writes the seed form only (what a JWK
 * `priv` holds, RFC 9964 §4) and reads all three: `both` is accepted once the seed is known,
 * `expandedKey` alone is refused because the seed cannot be recovered from it.
 *
 * Every ML-DSA structure has a fixed size per parameter set, so encoding is a prefix and a copy.
 */

import type { MlDsaAlg } from '../math/ml-dsa.js';
import { getAKPAlgorithm } from '../registry.js';

/** The DER of an OID (X.690 §8.19): first two arcs in one octet, then base-128 arcs. */
export function oidBytes(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return new Uint8Array([0x06, out.length, ...out]);
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  return [0x82, n >> 8, n & 0xff];
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((s, p) => s + p.length, 0);
  const head = [tag, ...lengthBytes(length)];
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function akp(alg: MlDsaAlg) {
  const info = getAKPAlgorithm(alg);
  if (info === undefined) throw new TypeError(`${String(alg)} is not an ML-DSA algorithm`);
  return info.akp;
}

/** AlgorithmIdentifier { id-ml-dsa-*, parameters ABSENT } (RFC 9881 §2). */
export function mlDsaAlgorithmIdentifier(alg: MlDsaAlg): Uint8Array {
  return tlv(0x30, oidBytes(akp(alg).oid));
}

/** SubjectPublicKeyInfo of an ML-DSA public key: the BIT STRING holds the raw pk (RFC 9881 §4). */
export function mlDsaSpki(alg: MlDsaAlg, publicKey: Uint8Array): Uint8Array {
  const { publicSize } = akp(alg);
  if (publicKey.length !== publicSize) throw new RangeError(`an ${alg} public key is ${publicSize} octets`);
  return tlv(0x30, mlDsaAlgorithmIdentifier(alg), tlv(0x03, new Uint8Array([0]), publicKey));
}

/** OneAsymmetricKey v0 holding the seed form, `[0] IMPLICIT OCTET STRING` (RFC 9881 §6). */
export function mlDsaPkcs8Seed(alg: MlDsaAlg, seed: Uint8Array): Uint8Array {
  const { privateSize } = akp(alg);
  if (seed.length !== privateSize) throw new RangeError(`an ${alg} seed is ${privateSize} octets`);
  return tlv(
    0x30,
    new Uint8Array([0x02, 0x01, 0x00]),
    mlDsaAlgorithmIdentifier(alg),
    tlv(0x04, tlv(0x80, seed)),
  );
}

/** The ML-DSA alg an AlgorithmIdentifier OID names, or `undefined`. */
export function mlDsaAlgForOid(oid: string): MlDsaAlg | undefined {
  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'] as const) if (akp(alg).oid === oid) return alg;
  return undefined;
}

/** What an ML-DSA-PrivateKey CHOICE (the PKCS#8 privateKey OCTET STRING's content) holds. */
export type MlDsaPrivateKeyForm =
  | { form: 'seed'; seed: Uint8Array }
  | { form: 'expandedKey'; expandedKey: Uint8Array }
  | { form: 'both'; seed: Uint8Array; expandedKey: Uint8Array };

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function read(der: Uint8Array, at: number, limit: number): Tlv {
  const tag = der[at];
  let length = der[at + 1];
  if (tag === undefined || length === undefined) throw new RangeError('truncated DER');
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 2) throw new RangeError('unsupported DER length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[start + i] ?? 0);
    if (length < 0x80 || (n === 2 && length < 0x100)) throw new RangeError('non-minimal DER length');
    start += n;
  }
  if (start + length > limit) throw new RangeError('truncated DER');
  return { tag, start, end: start + length };
}

/**
 * Parses the ML-DSA-PrivateKey CHOICE (RFC 9881 §6) for `alg`, checking every size. Throws
 * `RangeError` with a sentence fit for a problem message when the encoding is wrong.
 */
export function parseMlDsaPrivateKey(alg: MlDsaAlg, content: Uint8Array): MlDsaPrivateKeyForm {
  const expandedSize = { 'ML-DSA-44': 2560, 'ML-DSA-65': 4032, 'ML-DSA-87': 4896 }[alg];
  const { privateSize } = akp(alg);
  const outer = read(content, 0, content.length);
  if (outer.end !== content.length) throw new RangeError('trailing octets after the ML-DSA private key');
  const body = content.subarray(outer.start, outer.end);
  if (outer.tag === 0x80) {
    if (body.length !== privateSize)
      throw new RangeError(`the seed is ${body.length} octets, not ${privateSize}`);
    return { form: 'seed', seed: body };
  }
  if (outer.tag === 0x04) {
    if (body.length !== expandedSize)
      throw new RangeError(`the expanded key is ${body.length} octets, not ${expandedSize}`);
    return { form: 'expandedKey', expandedKey: body };
  }
  if (outer.tag === 0x30) {
    const seed = read(content, outer.start, outer.end);
    const expanded = seed.tag === 0x04 ? read(content, seed.end, outer.end) : undefined;
    if (seed.tag !== 0x04 || expanded === undefined || expanded.tag !== 0x04 || expanded.end !== outer.end)
      throw new RangeError(
        'the "both" form must be SEQUENCE { seed OCTET STRING, expandedKey OCTET STRING }',
      );
    const s = content.subarray(seed.start, seed.end);
    const e = content.subarray(expanded.start, expanded.end);
    if (s.length !== privateSize) throw new RangeError(`the seed is ${s.length} octets, not ${privateSize}`);
    if (e.length !== expandedSize)
      throw new RangeError(`the expanded key is ${e.length} octets, not ${expandedSize}`);
    return { form: 'both', seed: s, expandedKey: e };
  }
  throw new RangeError(
    'an ML-DSA private key is a seed [0], an expandedKey OCTET STRING or a "both" SEQUENCE',
  );
}

/** Whether DER holds an id-ml-dsa-* OID (so the async converters load the engine first). */
export function mentionsMlDsa(der: Uint8Array): boolean {
  // 06 09 60 86 48 01 65 03 04 03 {11,12,13}: the three RFC 9881 §2 OIDs.
  const prefix = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03];
  outer: for (let i = 0; i + prefix.length < der.length; i++) {
    for (let j = 0; j < prefix.length; j++) if (der[i + j] !== prefix[j]) continue outer;
    const last = der[i + prefix.length]!;
    if (last >= 0x11 && last <= 0x13) return true;
  }
  return false;
}
