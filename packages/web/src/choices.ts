/**
 * The generator's drop-down choices, all read from the registry (DESIGN principle 1): a key type
 * offers only the algorithms `algorithmsForKey` allows, an algorithm fixes `use`, and `use` limits
 * `key_ops`. Nothing here restates which algorithm fits which key.
 */

import {
  ALGORITHMS,
  type AlgorithmInfo,
  algorithmsForKey,
  CURVES,
  type CurveInfo,
  getAlgorithm,
  getCurve,
  KEY_OPS,
  type KeyOp,
  type Kty,
  USES,
  type Use,
} from 'jwkit';

/** One entry of the key-type drop-down. */
export interface KeyTypeChoice {
  /** Drop-down value, e.g. `RSA:2048`, `EC:P-256`, `oct`. */
  readonly value: string;
  readonly label: string;
  readonly group: string;
  readonly kty: Kty;
  readonly crv?: string;
  readonly bits?: number;
}

/**
 * RSA moduli offered for new keys. The registry's floor (`minBits` 2048) is the first; larger
 * sizes are the ones in common use (NIST SP 800-57 levels 112/128/152 bits).
 */
const RSA_SIZES = [2048, 3072, 4096] as const;

const GROUP_LABEL: Record<Kty, string> = {
  RSA: 'RSA',
  EC: 'Elliptic curve (EC)',
  OKP: 'Octet key pair (OKP, RFC 8037)',
  oct: 'Symmetric (oct)',
  AKP: 'Post-quantum (AKP, RFC 9964)',
};

function curveLabel(c: CurveInfo): string {
  return `${c.crv} (${c.use === 'sig' ? 'signing' : 'key agreement'})`;
}

/** Every key type the generator offers, grouped for `<optgroup>`. */
export function keyTypeChoices(): KeyTypeChoice[] {
  const rsa = RSA_SIZES.map((bits) => ({
    value: `RSA:${bits}`,
    label: `RSA ${bits}`,
    group: GROUP_LABEL.RSA,
    kty: 'RSA' as const,
    bits,
  }));
  const curves = Object.values(CURVES).map((c) => ({
    value: `${c.kty}:${c.crv}`,
    label: curveLabel(c),
    group: GROUP_LABEL[c.kty],
    kty: c.kty,
    crv: c.crv,
  }));
  return [
    ...rsa,
    ...curves,
    { value: 'oct', label: 'oct (shared secret)', group: GROUP_LABEL.oct, kty: 'oct' },
    // One AKP type; its algorithm drop-down (algorithmsForKey('AKP')) offers ML-DSA-44/65/87.
    { value: 'AKP', label: 'ML-DSA (post-quantum)', group: GROUP_LABEL.AKP, kty: 'AKP' },
  ];
}

export function findKeyType(value: string): KeyTypeChoice | undefined {
  return keyTypeChoices().find((c) => c.value === value);
}

/**
 * Sizes a new oct key may have: every size some algorithm needs exactly or as its minimum
 * (RFC 7518 §3.2 HMAC floors, §4.4/§4.7/§5 AES sizes), smallest first.
 */
export function octSizes(): number[] {
  const sizes = new Set<number>();
  for (const a of Object.values(ALGORITHMS)) {
    if (a.kty !== 'oct') continue;
    const bits = a.exactBits ?? a.minBits;
    if (bits !== undefined) sizes.add(bits);
  }
  return [...sizes].sort((a, b) => a - b);
}

/**
 * Algorithms a new key of this type may carry. Deprecated ones (RSA1_5, polymorphic EdDSA) are
 * left out: the registry marks them as accepted on verification only.
 */
export function algorithmChoices(type: KeyTypeChoice, bits?: number): AlgorithmInfo[] {
  return algorithmsForKey(type.kty, type.crv, type.bits ?? bits).filter((a) => a.deprecated === undefined);
}

/** The algorithm the generator preselects: the curve's own default, or the first signing one. */
export function defaultAlgorithm(type: KeyTypeChoice, bits?: number): string | undefined {
  const choices = algorithmChoices(type, bits);
  const preferred = getCurve(type.crv)?.defaultAlg;
  if (preferred !== undefined && choices.some((a) => a.alg === preferred)) return preferred;
  return (choices.find((a) => a.use === 'sig') ?? choices[0])?.alg;
}

/** `use` values that fit: exactly the algorithm's, or any use some fitting algorithm has. */
export function useChoices(type: KeyTypeChoice, alg: string | undefined, bits?: number): Use[] {
  const info = getAlgorithm(alg);
  if (info) return [info.use];
  const uses = new Set(algorithmChoices(type, bits).map((a) => a.use));
  return USES.filter((u) => uses.has(u));
}

/** `key_ops` values that belong to the chosen `use` (RFC 7517 §4.3), or to any fitting use. */
export function keyOpChoices(
  type: KeyTypeChoice,
  alg: string | undefined,
  use: Use | undefined,
  bits?: number,
): KeyOp[] {
  const uses = use ? [use] : useChoices(type, alg, bits);
  return (Object.keys(KEY_OPS) as KeyOp[]).filter((op) => uses.includes(KEY_OPS[op]));
}
