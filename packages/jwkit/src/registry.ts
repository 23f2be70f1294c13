/**
 * The one table of algorithms, curves, uses and key operations.
 *
 * Validation, key selection, signing, generation, the CLI's choices and the web page's drop-downs
 * all read these tables; nothing else restates them. The tables have no prototype, so a lookup of
 * `constructor` or `__proto__` taken from untrusted input resolves to `undefined`.
 */

export type Kty = 'RSA' | 'EC' | 'OKP' | 'oct' | 'AKP';
export type Use = 'sig' | 'enc';
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type KeyOp =
  | 'sign'
  | 'verify'
  | 'encrypt'
  | 'decrypt'
  | 'wrapKey'
  | 'unwrapKey'
  | 'deriveKey'
  | 'deriveBits';

/** How a signature algorithm computes its signature; used by both crypto backends. */
export type SignatureFamily = 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'ECDSA' | 'EdDSA' | 'HMAC' | 'ML-DSA';
export type EncryptionFamily =
  | 'RSA-OAEP'
  | 'RSA1_5'
  | 'ECDH-ES'
  | 'AES-KW'
  | 'AES-GCM-KW'
  | 'dir'
  | 'content';

export interface AlgorithmInfo {
  readonly alg: string;
  readonly kty: Kty;
  readonly use: Use;
  /** Curves the algorithm accepts (EC and OKP only). */
  readonly crvs?: readonly string[];
  readonly family: SignatureFamily | EncryptionFamily;
  /** The signature or MAC hash (JWS algorithms). */
  readonly hash?: HashName;
  /** The OAEP and MGF1 hash (RSA-OAEP family); RSA-OAEP itself uses SHA-1 (RFC 7518 §4.3). */
  readonly oaepHash?: HashName | 'SHA-1';
  /** Minimum key size in bits (RSA modulus, oct key length). */
  readonly minBits?: number;
  /** Exact key size in bits when the algorithm fixes it (AES key wrap, content encryption). */
  readonly exactBits?: number;
  /** Registered but discouraged; generation and new keys avoid it, verification still accepts it. */
  readonly deprecated?: string;
  /** AKP algorithms (RFC 9964 §3): the exact octet sizes of `pub`, `priv` and the signature, and the SPKI OID. */
  readonly akp?: AKPInfo;
  readonly rfc: string;
}

/**
 * An "Algorithm Key Pair" algorithm (RFC 9964 §3): the key's `alg` fixes the format of `pub` and
 * `priv`. ML-DSA sizes are FIPS 204 Table 2; `priv` is always the 32-octet seed (RFC 9964 §4).
 */
export interface AKPInfo {
  /** Octets of `pub` (the FIPS 204 §7.2 pkEncode output). */
  readonly publicSize: number;
  /** Octets of `priv` (the KeyGen seed ξ). */
  readonly privateSize: number;
  /** Octets of a signature (FIPS 204 §7.2 sigEncode). */
  readonly signatureSize: number;
  /** AlgorithmIdentifier OID in SPKI, PKCS#8 and certificates (RFC 9881 §2). */
  readonly oid: string;
  /** The key type's name in node:crypto (`generateKeyPair('ml-dsa-65')`). */
  readonly nodeName: string;
}

export interface CurveInfo {
  readonly crv: string;
  readonly kty: 'EC' | 'OKP';
  /** Length in octets of an EC coordinate / the OKP public key (RFC 7518 §6.2.1.2, RFC 8037 §2). */
  readonly size: number;
  /** Length in octets of the private member `d`. */
  readonly privateSize: number;
  /** Field or group size in bits, for reports. */
  readonly bits: number;
  readonly use: Use;
  /** The algorithm a new key on this curve gets by default. */
  readonly defaultAlg: string;
  /** Named-curve OID (EC) or algorithm OID (OKP), as used in SPKI/PKCS#8. */
  readonly oid: string;
  /** The curve's name in OpenSSL / node:crypto. */
  readonly nodeName: string;
  readonly rfc: string;
}

function table<T>(entries: readonly T[], key: (t: T) => string): Readonly<Record<string, T>> {
  const out: Record<string, T> = Object.create(null);
  for (const e of entries) out[key(e)] = Object.freeze(e);
  return Object.freeze(out);
}

const ECDH_CURVES = ['P-256', 'P-384', 'P-521', 'X25519', 'X448'] as const;

/** JWS and JWE algorithms (RFC 7518 §3.1 and §4.1, RFC 8037 §3, RFC 8812 §3.2, RFC 9864 §2). */
export const ALGORITHMS: Readonly<Record<string, AlgorithmInfo>> = table<AlgorithmInfo>(
  [
    {
      alg: 'HS256',
      kty: 'oct',
      use: 'sig',
      family: 'HMAC',
      hash: 'SHA-256',
      minBits: 256,
      rfc: 'RFC 7518 §3.2',
    },
    {
      alg: 'HS384',
      kty: 'oct',
      use: 'sig',
      family: 'HMAC',
      hash: 'SHA-384',
      minBits: 384,
      rfc: 'RFC 7518 §3.2',
    },
    {
      alg: 'HS512',
      kty: 'oct',
      use: 'sig',
      family: 'HMAC',
      hash: 'SHA-512',
      minBits: 512,
      rfc: 'RFC 7518 §3.2',
    },
    {
      alg: 'RS256',
      kty: 'RSA',
      use: 'sig',
      family: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-256',
      minBits: 2048,
      rfc: 'RFC 7518 §3.3',
    },
    {
      alg: 'RS384',
      kty: 'RSA',
      use: 'sig',
      family: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-384',
      minBits: 2048,
      rfc: 'RFC 7518 §3.3',
    },
    {
      alg: 'RS512',
      kty: 'RSA',
      use: 'sig',
      family: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-512',
      minBits: 2048,
      rfc: 'RFC 7518 §3.3',
    },
    {
      alg: 'PS256',
      kty: 'RSA',
      use: 'sig',
      family: 'RSA-PSS',
      hash: 'SHA-256',
      minBits: 2048,
      rfc: 'RFC 7518 §3.5',
    },
    {
      alg: 'PS384',
      kty: 'RSA',
      use: 'sig',
      family: 'RSA-PSS',
      hash: 'SHA-384',
      minBits: 2048,
      rfc: 'RFC 7518 §3.5',
    },
    {
      alg: 'PS512',
      kty: 'RSA',
      use: 'sig',
      family: 'RSA-PSS',
      hash: 'SHA-512',
      minBits: 2048,
      rfc: 'RFC 7518 §3.5',
    },
    {
      alg: 'ES256',
      kty: 'EC',
      use: 'sig',
      family: 'ECDSA',
      hash: 'SHA-256',
      crvs: ['P-256'],
      rfc: 'RFC 7518 §3.4',
    },
    {
      alg: 'ES384',
      kty: 'EC',
      use: 'sig',
      family: 'ECDSA',
      hash: 'SHA-384',
      crvs: ['P-384'],
      rfc: 'RFC 7518 §3.4',
    },
    {
      alg: 'ES512',
      kty: 'EC',
      use: 'sig',
      family: 'ECDSA',
      hash: 'SHA-512',
      crvs: ['P-521'],
      rfc: 'RFC 7518 §3.4',
    },
    {
      alg: 'ES256K',
      kty: 'EC',
      use: 'sig',
      family: 'ECDSA',
      hash: 'SHA-256',
      crvs: ['secp256k1'],
      rfc: 'RFC 8812 §3.2',
    },
    {
      alg: 'EdDSA',
      kty: 'OKP',
      use: 'sig',
      family: 'EdDSA',
      crvs: ['Ed25519', 'Ed448'],
      deprecated: 'RFC 9864 deprecates the polymorphic EdDSA; use Ed25519 or Ed448',
      rfc: 'RFC 8037 §3.1',
    },
    { alg: 'Ed25519', kty: 'OKP', use: 'sig', family: 'EdDSA', crvs: ['Ed25519'], rfc: 'RFC 9864 §2.2' },
    { alg: 'Ed448', kty: 'OKP', use: 'sig', family: 'EdDSA', crvs: ['Ed448'], rfc: 'RFC 9864 §2.2' },
    // ML-DSA (FIPS 204) as JOSE algorithms on AKP keys (RFC 9964 §5); sizes from FIPS 204 Table 2,
    // OIDs from RFC 9881 §2 (id-ml-dsa-44/65/87 under NIST's sigAlgs arc).
    {
      alg: 'ML-DSA-44',
      kty: 'AKP',
      use: 'sig',
      family: 'ML-DSA',
      akp: {
        publicSize: 1312,
        privateSize: 32,
        signatureSize: 2420,
        oid: '2.16.840.1.101.3.4.3.17',
        nodeName: 'ml-dsa-44',
      },
      rfc: 'RFC 9964 §5',
    },
    {
      alg: 'ML-DSA-65',
      kty: 'AKP',
      use: 'sig',
      family: 'ML-DSA',
      akp: {
        publicSize: 1952,
        privateSize: 32,
        signatureSize: 3309,
        oid: '2.16.840.1.101.3.4.3.18',
        nodeName: 'ml-dsa-65',
      },
      rfc: 'RFC 9964 §5',
    },
    {
      alg: 'ML-DSA-87',
      kty: 'AKP',
      use: 'sig',
      family: 'ML-DSA',
      akp: {
        publicSize: 2592,
        privateSize: 32,
        signatureSize: 4627,
        oid: '2.16.840.1.101.3.4.3.19',
        nodeName: 'ml-dsa-87',
      },
      rfc: 'RFC 9964 §5',
    },
    // Key management (RFC 7518 §4.1): recognised so that `use: enc` keys validate and are never
    // picked for a signature.
    {
      alg: 'RSA1_5',
      kty: 'RSA',
      use: 'enc',
      family: 'RSA1_5',
      minBits: 2048,
      deprecated: 'RSAES-PKCS1-v1_5 is open to padding-oracle attacks; prefer RSA-OAEP-256',
      rfc: 'RFC 7518 §4.2',
    },
    {
      alg: 'RSA-OAEP',
      kty: 'RSA',
      use: 'enc',
      family: 'RSA-OAEP',
      oaepHash: 'SHA-1',
      minBits: 2048,
      rfc: 'RFC 7518 §4.3',
    },
    {
      alg: 'RSA-OAEP-256',
      kty: 'RSA',
      use: 'enc',
      family: 'RSA-OAEP',
      oaepHash: 'SHA-256',
      minBits: 2048,
      rfc: 'RFC 7518 §4.3',
    },
    {
      alg: 'RSA-OAEP-384',
      kty: 'RSA',
      use: 'enc',
      family: 'RSA-OAEP',
      oaepHash: 'SHA-384',
      minBits: 2048,
      rfc: 'RFC 9864 §4',
    },
    {
      alg: 'RSA-OAEP-512',
      kty: 'RSA',
      use: 'enc',
      family: 'RSA-OAEP',
      oaepHash: 'SHA-512',
      minBits: 2048,
      rfc: 'RFC 9864 §4',
    },
    { alg: 'ECDH-ES', kty: 'EC', use: 'enc', family: 'ECDH-ES', crvs: ECDH_CURVES, rfc: 'RFC 7518 §4.6' },
    {
      alg: 'ECDH-ES+A128KW',
      kty: 'EC',
      use: 'enc',
      family: 'ECDH-ES',
      crvs: ECDH_CURVES,
      rfc: 'RFC 7518 §4.6',
    },
    {
      alg: 'ECDH-ES+A192KW',
      kty: 'EC',
      use: 'enc',
      family: 'ECDH-ES',
      crvs: ECDH_CURVES,
      rfc: 'RFC 7518 §4.6',
    },
    {
      alg: 'ECDH-ES+A256KW',
      kty: 'EC',
      use: 'enc',
      family: 'ECDH-ES',
      crvs: ECDH_CURVES,
      rfc: 'RFC 7518 §4.6',
    },
    { alg: 'A128KW', kty: 'oct', use: 'enc', family: 'AES-KW', exactBits: 128, rfc: 'RFC 7518 §4.4' },
    { alg: 'A192KW', kty: 'oct', use: 'enc', family: 'AES-KW', exactBits: 192, rfc: 'RFC 7518 §4.4' },
    { alg: 'A256KW', kty: 'oct', use: 'enc', family: 'AES-KW', exactBits: 256, rfc: 'RFC 7518 §4.4' },
    { alg: 'A128GCMKW', kty: 'oct', use: 'enc', family: 'AES-GCM-KW', exactBits: 128, rfc: 'RFC 7518 §4.7' },
    { alg: 'A192GCMKW', kty: 'oct', use: 'enc', family: 'AES-GCM-KW', exactBits: 192, rfc: 'RFC 7518 §4.7' },
    { alg: 'A256GCMKW', kty: 'oct', use: 'enc', family: 'AES-GCM-KW', exactBits: 256, rfc: 'RFC 7518 §4.7' },
    { alg: 'dir', kty: 'oct', use: 'enc', family: 'dir', rfc: 'RFC 7518 §4.5' },
    { alg: 'A128GCM', kty: 'oct', use: 'enc', family: 'content', exactBits: 128, rfc: 'RFC 7518 §5.3' },
    { alg: 'A192GCM', kty: 'oct', use: 'enc', family: 'content', exactBits: 192, rfc: 'RFC 7518 §5.3' },
    { alg: 'A256GCM', kty: 'oct', use: 'enc', family: 'content', exactBits: 256, rfc: 'RFC 7518 §5.3' },
    {
      alg: 'A128CBC-HS256',
      kty: 'oct',
      use: 'enc',
      family: 'content',
      exactBits: 256,
      rfc: 'RFC 7518 §5.2.3',
    },
    {
      alg: 'A192CBC-HS384',
      kty: 'oct',
      use: 'enc',
      family: 'content',
      exactBits: 384,
      rfc: 'RFC 7518 §5.2.4',
    },
    {
      alg: 'A256CBC-HS512',
      kty: 'oct',
      use: 'enc',
      family: 'content',
      exactBits: 512,
      rfc: 'RFC 7518 §5.2.5',
    },
  ],
  (a) => a.alg,
);

/**
 * ECDH-ES also runs on OKP keys (X25519, X448; RFC 8037 §3.2). The registry lists it once under
 * EC; `algorithmAllowsKey` is the single place that knows the alg spans both key types.
 */
export function algorithmKtys(info: AlgorithmInfo): readonly Kty[] {
  return info.family === 'ECDH-ES' ? ['EC', 'OKP'] : [info.kty];
}

/** Curves (RFC 7518 §6.2.1.1, RFC 8037 §2, RFC 8812 §3.1). */
export const CURVES: Readonly<Record<string, CurveInfo>> = table<CurveInfo>(
  [
    {
      crv: 'P-256',
      kty: 'EC',
      size: 32,
      privateSize: 32,
      bits: 256,
      use: 'sig',
      defaultAlg: 'ES256',
      oid: '1.2.840.10045.3.1.7',
      nodeName: 'prime256v1',
      rfc: 'RFC 7518 §6.2.1.1',
    },
    {
      crv: 'P-384',
      kty: 'EC',
      size: 48,
      privateSize: 48,
      bits: 384,
      use: 'sig',
      defaultAlg: 'ES384',
      oid: '1.3.132.0.34',
      nodeName: 'secp384r1',
      rfc: 'RFC 7518 §6.2.1.1',
    },
    {
      crv: 'P-521',
      kty: 'EC',
      size: 66,
      privateSize: 66,
      bits: 521,
      use: 'sig',
      defaultAlg: 'ES512',
      oid: '1.3.132.0.35',
      nodeName: 'secp521r1',
      rfc: 'RFC 7518 §6.2.1.1',
    },
    {
      crv: 'secp256k1',
      kty: 'EC',
      size: 32,
      privateSize: 32,
      bits: 256,
      use: 'sig',
      defaultAlg: 'ES256K',
      oid: '1.3.132.0.10',
      nodeName: 'secp256k1',
      rfc: 'RFC 8812 §3.1',
    },
    {
      crv: 'Ed25519',
      kty: 'OKP',
      size: 32,
      privateSize: 32,
      bits: 256,
      use: 'sig',
      defaultAlg: 'Ed25519',
      oid: '1.3.101.112',
      nodeName: 'ed25519',
      rfc: 'RFC 8037 §2',
    },
    {
      crv: 'Ed448',
      kty: 'OKP',
      size: 57,
      privateSize: 57,
      bits: 448,
      use: 'sig',
      defaultAlg: 'Ed448',
      oid: '1.3.101.113',
      nodeName: 'ed448',
      rfc: 'RFC 8037 §2',
    },
    {
      crv: 'X25519',
      kty: 'OKP',
      size: 32,
      privateSize: 32,
      bits: 256,
      use: 'enc',
      defaultAlg: 'ECDH-ES',
      oid: '1.3.101.110',
      nodeName: 'x25519',
      rfc: 'RFC 8037 §2',
    },
    {
      crv: 'X448',
      kty: 'OKP',
      size: 56,
      privateSize: 56,
      bits: 448,
      use: 'enc',
      defaultAlg: 'ECDH-ES',
      oid: '1.3.101.111',
      nodeName: 'x448',
      rfc: 'RFC 8037 §2',
    },
  ],
  (c) => c.crv,
);

/** `use` values (RFC 7517 §4.2). Other values are allowed by the RFC but reported as a warning. */
export const USES: readonly Use[] = ['sig', 'enc'];

/** `key_ops` values (RFC 7517 §4.3) and the `use` each belongs to. */
export const KEY_OPS: Readonly<Record<KeyOp, Use>> = Object.freeze(
  Object.assign(Object.create(null) as Record<KeyOp, Use>, {
    sign: 'sig',
    verify: 'sig',
    encrypt: 'enc',
    decrypt: 'enc',
    wrapKey: 'enc',
    unwrapKey: 'enc',
    deriveKey: 'enc',
    deriveBits: 'enc',
  }),
);

/**
 * Members per key type (RFC 7518 §6.2-6.4, RFC 8037 §2, RFC 9964 §3). `private` members are never
 * published. AKP also requires `alg` (RFC 9964 §3); `alg` is a common member, so the AKP rules
 * check it rather than listing it here (where it would look foreign on every other key type).
 */
export const KTY_MEMBERS: Readonly<
  Record<
    Kty,
    { readonly required: readonly string[]; readonly private: readonly string[]; readonly rfc: string }
  >
> = Object.freeze(
  Object.assign(Object.create(null), {
    RSA: { required: ['n', 'e'], private: ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'], rfc: 'RFC 7518 §6.3' },
    EC: { required: ['crv', 'x', 'y'], private: ['d'], rfc: 'RFC 7518 §6.2' },
    OKP: { required: ['crv', 'x'], private: ['d'], rfc: 'RFC 8037 §2' },
    oct: { required: ['k'], private: ['k'], rfc: 'RFC 7518 §6.4' },
    AKP: { required: ['pub'], private: ['priv'], rfc: 'RFC 9964 §3' },
  }),
);

/** Members that may appear on any JWK (RFC 7517 §4). */
export const COMMON_MEMBERS: readonly string[] = [
  'kty',
  'use',
  'key_ops',
  'alg',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
];

/** Members of the RFC 7638 thumbprint input, in lexicographic order (RFC 7638 §3.2, RFC 8037 §2). */
export const THUMBPRINT_MEMBERS: Readonly<Record<Kty, readonly string[]>> = Object.freeze(
  Object.assign(Object.create(null), {
    RSA: ['e', 'kty', 'n'],
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
    oct: ['k', 'kty'],
    // RFC 9964 §6: alg, kty, pub (alg takes part: the same octets mean another key under another alg).
    AKP: ['alg', 'kty', 'pub'],
  }),
);

export const KTYS: readonly Kty[] = ['RSA', 'EC', 'OKP', 'oct', 'AKP'];

/**
 * RSA modulus sizes jwkit accepts and generates: RFC 7518 §3.3 sets the 2048-bit floor; above
 * 16384 bits keys buy no security that matters, generation takes minutes and every modular
 * exponentiation becomes a denial-of-service lever.
 */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 16384;

/** Own-property lookups only, so `getAlgorithm('constructor')` is `undefined`. */
export function getAlgorithm(alg: unknown): AlgorithmInfo | undefined {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg) ? ALGORITHMS[alg] : undefined;
}

/** The AKP algorithm `alg` names (RFC 9964 §3), or `undefined` for any other or unknown alg. */
export function getAKPAlgorithm(alg: unknown): (AlgorithmInfo & { readonly akp: AKPInfo }) | undefined {
  const info = getAlgorithm(alg);
  return info?.akp !== undefined ? (info as AlgorithmInfo & { readonly akp: AKPInfo }) : undefined;
}

export function getCurve(crv: unknown): CurveInfo | undefined {
  return typeof crv === 'string' && Object.hasOwn(CURVES, crv) ? CURVES[crv] : undefined;
}

export function isKty(kty: unknown): kty is Kty {
  return typeof kty === 'string' && (KTYS as readonly string[]).includes(kty);
}

export function isKeyOp(op: unknown): op is KeyOp {
  return typeof op === 'string' && Object.hasOwn(KEY_OPS, op);
}

/** Signature algorithms, in the order the CLI and the web page offer them. */
export function signatureAlgorithms(): AlgorithmInfo[] {
  return Object.values(ALGORITHMS).filter((a) => a.use === 'sig');
}

/** Algorithms a key of this type, curve and size may carry (drives drop-downs and `alg` checks). */
export function algorithmsForKey(kty: Kty, crv?: string, bits?: number): AlgorithmInfo[] {
  return Object.values(ALGORITHMS).filter((a) => algorithmAllowsKey(a, kty, crv, bits) === undefined);
}

/**
 * Why `info` cannot be used with a key of this kty/crv/size, or `undefined` when it can.
 * The reason is a sentence fit for a problem message.
 */
export function algorithmAllowsKey(
  info: AlgorithmInfo,
  kty: Kty,
  crv?: string,
  bits?: number,
): string | undefined {
  if (!algorithmKtys(info).includes(kty))
    return `${info.alg} needs a ${algorithmKtys(info).join(' or ')} key, not ${kty}`;
  if (info.crvs && crv !== undefined && !info.crvs.includes(crv)) {
    return `${info.alg} needs curve ${info.crvs.join(' or ')}, not ${crv}`;
  }
  if (bits !== undefined) {
    if (info.exactBits !== undefined && bits !== info.exactBits) {
      return `${info.alg} needs a key of exactly ${info.exactBits} bits, not ${bits}`;
    }
    if (info.minBits !== undefined && bits < info.minBits) {
      return `${info.alg} needs a key of at least ${info.minBits} bits, not ${bits}`;
    }
  }
  return undefined;
}
