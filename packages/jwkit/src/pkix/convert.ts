/**
 * JWK <-> PEM / DER (the public API of this folder): SPKI, PKCS#8 (plain and encrypted), PKCS#1
 * and SEC1, plus certificates through x509.ts. Isomorphic: WebCrypto for the passphrase
 * encryption, @noble/curves for public points, nothing from `node:`.
 */

import { ConversionError } from '../errors/index.js';
import type { JWK, PrivateJWK } from '../jwk/model.js';
import { loadMlDsaEngine } from '../math/ml-dsa.js';
import { decodePEM, encodePEM, type PEMBlock } from './armor.js';
import { type DERNode, decodeDER, structureError, TAG } from './asn1.js';
import { decryptPKCS8, encryptPKCS8, isEncryptedPrivateKeyInfo, type Passphrase } from './encrypted.js';
import { mentionsMlDsa } from './ml-dsa.js';
import { readRSAPrivateKey, readRSAPublicKey, writeRSAPrivateKey, writeRSAPublicKey } from './pkcs1.js';
import { readPKCS8, writePKCS8 } from './pkcs8.js';
import { readECPrivateKey, writeECPrivateKey } from './sec1.js';
import { noPEMForm, readSPKI, writeSPKI } from './spki.js';
import { certificateChainToJWK } from './x509/index.js';

export { DEFAULT_ITERATIONS, MAX_ITERATIONS, type Passphrase } from './encrypted.js';

/** The key encodings jwkit writes (RFC 5280 §4.1.2.7, RFC 5208/5958, RFC 8017 §A.1, RFC 5915). */
export type KeyFormat = 'spki' | 'pkcs8' | 'pkcs1' | 'sec1';

export interface FromPEMOptions {
  /** Decrypts `ENCRYPTED PRIVATE KEY` blocks. Default: none (such blocks throw `ERR_PASSPHRASE_REQUIRED`). */
  passphrase?: Passphrase;
}

export interface ToPEMOptions {
  /** Default `pkcs8` for a private key, `spki` for a public one. */
  format?: KeyFormat;
  /** Encrypts a private key as `ENCRYPTED PRIVATE KEY` (PKCS#8 only). Default: not encrypted. */
  passphrase?: Passphrase;
  /** PBKDF2 iterations when encrypting. Default 600000. */
  iterations?: number;
}

/** What a DER structure is: the PEM label says it, or its shape does. */
type Kind = 'spki' | 'pkcs8' | 'encrypted-pkcs8' | 'rsa-private' | 'rsa-public' | 'sec1' | 'certificate';

const LABELS: Readonly<Record<string, Kind>> = Object.freeze(
  Object.assign(Object.create(null), {
    'PUBLIC KEY': 'spki',
    'PRIVATE KEY': 'pkcs8',
    'ENCRYPTED PRIVATE KEY': 'encrypted-pkcs8',
    'RSA PRIVATE KEY': 'rsa-private',
    'RSA PUBLIC KEY': 'rsa-public',
    'EC PRIVATE KEY': 'sec1',
    CERTIFICATE: 'certificate',
  }),
);

/** Blocks that travel with keys and carry nothing a JWK needs (`openssl ecparam -genkey` writes one). */
const IGNORED_LABELS = new Set(['EC PARAMETERS']);

/** Labels users meet, with what to do instead. */
const LABEL_HINTS: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null), {
    'OPENSSH PRIVATE KEY': 'convert it first: ssh-keygen -p -m PKCS8 -f <file>',
    'SSH2 PUBLIC KEY': 'convert it first: ssh-keygen -i -m PKCS8 -f <file>',
    'DSA PRIVATE KEY': 'DSA keys have no JWK form (RFC 7518 defines RSA, EC, OKP and oct)',
    'CERTIFICATE REQUEST': 'a CSR is not a key; extract its key with: openssl req -in <file> -pubkey -noout',
    'NEW CERTIFICATE REQUEST':
      'a CSR is not a key; extract its key with: openssl req -in <file> -pubkey -noout',
    'X509 CRL': 'a certificate revocation list holds no key',
    'TRUSTED CERTIFICATE': 'strip the OpenSSL trust settings first: openssl x509 -in <file> -out <plain.pem>',
    PKCS7: 'extract the certificates first: openssl pkcs7 -print_certs -in <file>',
    'ENCRYPTED PRIVATE KEY INFO': 'expected the label ENCRYPTED PRIVATE KEY',
  }),
);

function unknownLabel(block: PEMBlock): ConversionError {
  const hint = Object.hasOwn(LABEL_HINTS, block.label)
    ? LABEL_HINTS[block.label]
    : 'jwkit reads PUBLIC KEY, PRIVATE KEY, ENCRYPTED PRIVATE KEY, RSA PRIVATE KEY, RSA PUBLIC KEY, EC PRIVATE KEY and CERTIFICATE';
  return new ConversionError(
    'ERR_PEM_UNKNOWN_LABEL',
    `PEM block "${block.label}" at line ${block.line}: ${hint}`,
  );
}

/** Recognises a DER structure by its shape when there is no PEM label to say what it is. */
function detectKind(node: DERNode): Kind {
  const c = node.children;
  const tags = c.map((n) => n.tag);
  if (node.tag === TAG.SEQUENCE) {
    if (tags.length === 2 && tags[0] === TAG.SEQUENCE && tags[1] === TAG.BIT_STRING) return 'spki';
    if (isEncryptedPrivateKeyInfo(node)) return 'encrypted-pkcs8';
    if (
      tags.length === 3 &&
      tags[0] === TAG.SEQUENCE &&
      tags[1] === TAG.SEQUENCE &&
      tags[2] === TAG.BIT_STRING
    ) {
      return 'certificate';
    }
    if (tags[0] === TAG.INTEGER) {
      if (tags.length === 2 && tags[1] === TAG.INTEGER) return 'rsa-public';
      if (tags[1] === TAG.SEQUENCE) return 'pkcs8';
      if (tags[1] === TAG.OCTET_STRING) return 'sec1';
      if (tags.length >= 9 && tags.every((t) => t === TAG.INTEGER || t === TAG.SEQUENCE))
        return 'rsa-private';
    }
  }
  throw structureError(
    'DER input',
    'not a key or certificate jwkit knows (SPKI, PKCS#8, encrypted PKCS#8, PKCS#1, SEC1 or X.509)',
  );
}

async function convert(kind: Kind, der: Uint8Array, options: FromPEMOptions): Promise<JWK> {
  // ML-DSA (RFC 9881): reading a private key derives `pub` from the seed, which needs the
  // ML-DSA implementation; load it now, and only for input that names an ML-DSA OID.
  if (mentionsMlDsa(der)) await loadMlDsaEngine();
  switch (kind) {
    case 'spki':
      return readSPKI(der);
    case 'pkcs8':
      return readPKCS8(der);
    case 'encrypted-pkcs8': {
      const plain = await decryptPKCS8(der, options.passphrase);
      if (mentionsMlDsa(plain)) await loadMlDsaEngine(); // the OID was encrypted too
      return readPKCS8(plain, 'decrypted PrivateKeyInfo');
    }
    case 'rsa-private':
      return readRSAPrivateKey(der);
    case 'rsa-public':
      return readRSAPublicKey(der);
    case 'sec1':
      return readECPrivateKey(der, 'ECPrivateKey');
    case 'certificate':
      return certificateChainToJWK(der);
  }
}

/**
 * A JWK from DER bytes of any supported structure, recognised by its shape. A certificate gives
 * its public key with `x5c`, `x5t` and `x5t#S256`.
 */
export async function derToJWK(der: Uint8Array, options: FromPEMOptions = {}): Promise<JWK> {
  return convert(detectKind(decodeDER(der, 'DER input')), der, options);
}

function blockKind(block: PEMBlock): Kind | undefined {
  if (IGNORED_LABELS.has(block.label)) return undefined;
  const kind = Object.hasOwn(LABELS, block.label) ? LABELS[block.label] : undefined;
  if (kind === undefined) throw unknownLabel(block);
  // RFC 1421 encryption (`Proc-Type: 4,ENCRYPTED`) uses MD5 as its KDF; jwkit does not read it.
  if (block.headers['Proc-Type']?.includes('ENCRYPTED')) {
    throw new ConversionError(
      'ERR_PEM_LEGACY_ENCRYPTION',
      `PEM block "${block.label}" at line ${block.line} uses legacy OpenSSL encryption; convert it with: openssl pkcs8 -topk8 -v2 aes-256-cbc -in <file>`,
    );
  }
  return kind;
}

/** Every key in a PEM text, in order, one JWK per block (a certificate gives its key with `x5c`). */
export async function pemToJWKs(text: string, options: FromPEMOptions = {}): Promise<JWK[]> {
  const out: JWK[] = [];
  for (const block of decodePEM(text)) {
    const kind = blockKind(block);
    if (kind !== undefined) out.push(await convert(kind, block.der, options));
  }
  return out;
}

/**
 * The one key in a PEM text. Text holding only certificates is read as a chain, leaf first
 * (see `certificateToJWK`); several keys are an error (`ERR_PEM_MULTIPLE_BLOCKS`: use `pemToJWKs`).
 */
export async function pemToJWK(pem: string, options: FromPEMOptions = {}): Promise<JWK> {
  const blocks = decodePEM(pem).flatMap((block) => {
    const kind = blockKind(block);
    return kind === undefined ? [] : [{ block, kind }];
  });
  if (blocks.length > 1 && blocks.every((b) => b.kind === 'certificate')) {
    return certificateChainToJWK(blocks.map((b) => b.block.der));
  }
  const [first, ...rest] = blocks;
  if (first === undefined) throw new ConversionError('ERR_PEM_NO_BLOCK', 'the PEM text holds no key');
  if (rest.length > 0) {
    throw new ConversionError(
      'ERR_PEM_MULTIPLE_BLOCKS',
      `the PEM text holds ${blocks.length} keys or certificates; use pemToJWKs to read them all`,
    );
  }
  return convert(first.kind, first.block.der, options);
}

function formatError(message: string): ConversionError {
  return new ConversionError('ERR_FORMAT_UNSUPPORTED', message);
}

/** DER and PEM label for a JWK in a format, before any encryption. */
function encodeKey(jwk: JWK, format: KeyFormat, isPrivate: boolean): { der: Uint8Array; label: string } {
  switch (format) {
    case 'spki':
      return { der: writeSPKI(jwk), label: 'PUBLIC KEY' };
    case 'pkcs8':
      if (!isPrivate) throw formatError('a public key cannot be written as PKCS#8; use format "spki"');
      return { der: writePKCS8(jwk as PrivateJWK), label: 'PRIVATE KEY' };
    case 'pkcs1':
      if (jwk.kty !== 'RSA')
        throw formatError(`PKCS#1 holds RSA keys only, not ${jwk.kty}; use "spki" or "pkcs8"`);
      return isPrivate
        ? { der: writeRSAPrivateKey(jwk), label: 'RSA PRIVATE KEY' }
        : { der: writeRSAPublicKey(jwk), label: 'RSA PUBLIC KEY' };
    case 'sec1':
      if (jwk.kty !== 'EC') throw formatError(`SEC1 holds EC private keys only, not ${jwk.kty}; use "pkcs8"`);
      if (!isPrivate) throw formatError('SEC1 holds EC private keys only; write a public key as "spki"');
      return { der: writeECPrivateKey(jwk, true), label: 'EC PRIVATE KEY' };
    default:
      throw formatError(`unknown format ${JSON.stringify(format)}; use "spki", "pkcs8", "pkcs1" or "sec1"`);
  }
}

async function encodeJWK(jwk: JWK, options: ToPEMOptions): Promise<{ der: Uint8Array; label: string }> {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') {
    throw new ConversionError('ERR_KEY_INVALID', 'expected a JWK object with a "kty" member');
  }
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP' && jwk.kty !== 'AKP')
    throw noPEMForm(jwk.kty);
  // RFC 9964 §3: an AKP key's private member is `priv`; writing checks it against `pub`.
  const isPrivate = jwk.kty === 'AKP' ? jwk.priv !== undefined : jwk.d !== undefined;
  if (jwk.kty === 'AKP' && isPrivate) await loadMlDsaEngine();
  const format = options.format ?? (isPrivate ? 'pkcs8' : 'spki');
  const encoded = encodeKey(jwk, format, isPrivate);
  if (options.passphrase === undefined) return encoded;
  if (format !== 'pkcs8') {
    throw formatError(
      format === 'spki'
        ? 'a passphrase applies to private keys only; public keys are not encrypted'
        : `jwkit encrypts PKCS#8 only (legacy ${format} encryption is weak); use format "pkcs8" with the passphrase`,
    );
  }
  return {
    der: await encryptPKCS8(encoded.der, options.passphrase, options.iterations),
    label: 'ENCRYPTED PRIVATE KEY',
  };
}

/** A JWK as DER in the requested format (see `jwkToPEM`). */
export async function jwkToDER(jwk: JWK, options: ToPEMOptions = {}): Promise<Uint8Array> {
  return (await encodeJWK(jwk, options)).der;
}

/**
 * A JWK as PEM. `spki` writes the public part of any key; `pkcs8` and `sec1` need a private key;
 * `pkcs1` writes `RSA PRIVATE KEY` or `RSA PUBLIC KEY` as the key is private or not. `oct` keys
 * have no PEM form (`ERR_OCT_NO_PEM`).
 */
export async function jwkToPEM(jwk: JWK, options: ToPEMOptions = {}): Promise<string> {
  const { der, label } = await encodeJWK(jwk, options);
  return encodePEM(label, der);
}
