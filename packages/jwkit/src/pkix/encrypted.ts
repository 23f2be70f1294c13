/**
 * Encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, RFC 5958 §3) with PBES2 (RFC 8018 §6.2):
 * PBKDF2 with HMAC-SHA-1/256/384/512 and AES-CBC, on WebCrypto so it runs in every runtime.
 * jwkit writes PBKDF2-HMAC-SHA256 + AES-256-CBC, what `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes.
 */

import { ConversionError, UnsupportedError } from '../errors/index.js';
import { paramsAbsentOrNull, readAlgorithm, writeAlgorithm } from './algorithm.js';
import {
  type DERNode,
  decodeDER,
  Fields,
  octetString,
  oid,
  readOctetString,
  readSmallInt,
  sequence,
  smallInteger,
  structureError,
  TAG,
} from './asn1.js';
import { describeOID, OID, oidOfKind } from './oids.js';

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about half a second in a browser, once per export. */
export const DEFAULT_ITERATIONS = 600_000;
/** A file asking for more work than this is refused rather than left to hang the process. */
export const MAX_ITERATIONS = 10_000_000;

const AES_256_CBC = '2.16.840.1.101.3.4.1.42';
const HMAC_SHA256 = '1.2.840.113549.2.9';

export type Passphrase = string | Uint8Array;

interface PBES2 {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly prf: string;
  readonly keyLength: number;
  readonly iv: Uint8Array;
  readonly data: Uint8Array;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined)
    throw new UnsupportedError('encrypted PKCS#8 needs WebCrypto (crypto.subtle), absent in this runtime');
  return s;
}

function passphraseBytes(passphrase: Passphrase): Uint8Array<ArrayBuffer> {
  if (typeof passphrase === 'string') return new TextEncoder().encode(passphrase);
  if (passphrase instanceof Uint8Array) return new Uint8Array(passphrase);
  throw new ConversionError('ERR_PASSPHRASE_REQUIRED', 'the passphrase must be a string or a Uint8Array');
}

/** Reads EncryptedPrivateKeyInfo, refusing every scheme but PBES2/PBKDF2/AES-CBC with a clear reason. */
function readEncryptedPrivateKeyInfo(node: DERNode, what: string): PBES2 {
  const f = new Fields(node, what);
  const alg = readAlgorithm(f.next(TAG.SEQUENCE, 'encryptionAlgorithm'), `${what} encryptionAlgorithm`);
  const data = readOctetString(f.next(TAG.OCTET_STRING, 'encryptedData'), `${what} encryptedData`);
  f.end();
  if (alg.oid !== OID.pbes2 || alg.params === undefined) {
    throw new UnsupportedError(
      `${what} is encrypted with ${describeOID(alg.oid)}, an old PBES1/PKCS#12 scheme; re-encrypt it with \`openssl pkcs8 -topk8 -v2 aes-256-cbc\``,
    );
  }
  const p = new Fields(alg.params, `${what} PBES2-params`);
  const kdf = readAlgorithm(p.next(TAG.SEQUENCE, 'keyDerivationFunc'), `${what} keyDerivationFunc`);
  const enc = readAlgorithm(p.next(TAG.SEQUENCE, 'encryptionScheme'), `${what} encryptionScheme`);
  p.end();
  if (kdf.oid !== OID.pbkdf2 || kdf.params === undefined) {
    throw new UnsupportedError(
      `${what} derives its key with ${kdf.oid === OID.scrypt ? 'scrypt' : describeOID(kdf.oid)}; jwkit reads PBKDF2 only (re-encrypt with \`openssl pkcs8 -topk8 -v2 aes-256-cbc\`)`,
    );
  }
  const keyLength = oidOfKind(enc.oid, 'cipher')?.keyBytes;
  if (keyLength === undefined || enc.params === undefined) {
    throw new UnsupportedError(
      `${what} is encrypted with ${describeOID(enc.oid)}; jwkit reads AES-128/192/256-CBC (re-encrypt with \`openssl pkcs8 -topk8 -v2 aes-256-cbc\`)`,
    );
  }
  const iv = readOctetString(enc.params, `${what} AES-CBC IV`);
  if (iv.length !== 16) throw structureError(what, `the AES-CBC IV is ${iv.length} bytes, not 16`);
  // PBKDF2-params (RFC 8018 Appendix A.2).
  const k = new Fields(kdf.params, `${what} PBKDF2-params`);
  const salt = readOctetString(k.next(TAG.OCTET_STRING, 'salt'), `${what} PBKDF2 salt`);
  const iterations = readSmallInt(k.next(TAG.INTEGER, 'iterationCount'), `${what} PBKDF2 iterationCount`);
  const lengthNode = k.optional(TAG.INTEGER);
  const prfNode = k.optional(TAG.SEQUENCE);
  k.end();
  if (iterations < 1) throw structureError(what, 'the PBKDF2 iteration count must be at least 1');
  if (iterations > MAX_ITERATIONS) {
    throw new ConversionError(
      'ERR_ENCRYPTION_LIMIT',
      `${what} asks for ${iterations} PBKDF2 iterations, more than the ${MAX_ITERATIONS} jwkit allows; re-encrypt it with fewer`,
    );
  }
  if (lengthNode && readSmallInt(lengthNode, `${what} PBKDF2 keyLength`) !== keyLength) {
    throw structureError(what, `the PBKDF2 keyLength does not match the ${keyLength * 8}-bit AES key`);
  }
  let prf = 'SHA-1'; // RFC 8018 Appendix A.2: the default PRF is hmacWithSHA1
  if (prfNode) {
    const prfAlg = readAlgorithm(prfNode, `${what} PBKDF2 prf`);
    paramsAbsentOrNull(prfAlg, `${what} PBKDF2 prf`);
    const name = oidOfKind(prfAlg.oid, 'prf')?.hash;
    if (name === undefined)
      throw new UnsupportedError(
        `${what} uses PBKDF2 PRF ${describeOID(prfAlg.oid)}; jwkit reads HMAC-SHA-1/256/384/512`,
      );
    prf = name;
  }
  return { salt, iterations, prf, keyLength, iv, data };
}

async function deriveKey(
  passphrase: Passphrase,
  salt: Uint8Array,
  iterations: number,
  prf: string,
  keyLength: number,
  usage: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  const s = subtle();
  const pass = passphraseBytes(passphrase);
  let bits: ArrayBuffer;
  try {
    const base = await s.importKey('raw', pass, 'PBKDF2', false, ['deriveBits']);
    bits = await s.deriveBits(
      { name: 'PBKDF2', salt: new Uint8Array(salt), iterations, hash: prf },
      base,
      keyLength * 8,
    );
  } catch (cause) {
    throw new UnsupportedError(`this runtime's WebCrypto cannot run PBKDF2 with HMAC-${prf}`, { cause });
  }
  try {
    return await s.importKey('raw', bits, 'AES-CBC', false, [usage]);
  } catch (cause) {
    // Browsers' WebCrypto lacks AES-192 (Node's has it).
    throw new UnsupportedError(
      `this runtime's WebCrypto has no AES-${keyLength * 8}-CBC; re-encrypt with aes-256-cbc`,
      {
        cause,
      },
    );
  }
}

/** True when a DER element looks like EncryptedPrivateKeyInfo (an AlgorithmIdentifier and an OCTET STRING). */
export function isEncryptedPrivateKeyInfo(node: DERNode): boolean {
  return (
    node.tag === TAG.SEQUENCE &&
    node.children.length === 2 &&
    node.children[0]!.tag === TAG.SEQUENCE &&
    node.children[0]!.children[0]?.tag === TAG.OID &&
    node.children[1]!.tag === TAG.OCTET_STRING
  );
}

/** Decrypts EncryptedPrivateKeyInfo to the DER of the PrivateKeyInfo inside. */
export async function decryptPKCS8(
  der: Uint8Array,
  passphrase: Passphrase | undefined,
  what = 'EncryptedPrivateKeyInfo',
): Promise<Uint8Array> {
  const info = readEncryptedPrivateKeyInfo(decodeDER(der, what), what);
  if (passphrase === undefined) {
    throw new ConversionError(
      'ERR_PASSPHRASE_REQUIRED',
      `${what} is encrypted; pass { passphrase } to decrypt it`,
    );
  }
  const key = await deriveKey(passphrase, info.salt, info.iterations, info.prf, info.keyLength, 'decrypt');
  let plain: ArrayBuffer;
  try {
    plain = await subtle().decrypt(
      { name: 'AES-CBC', iv: new Uint8Array(info.iv) },
      key,
      new Uint8Array(info.data),
    );
  } catch {
    // A wrong key almost always fails the CBC padding check (RFC 8018 §6.2.2 step 5).
    throw wrongPassphrase(what);
  }
  const bytes = new Uint8Array(plain);
  try {
    decodeDER(bytes, what);
  } catch {
    // The 1-in-256 wrong key that passes the padding check yields bytes that are not DER.
    throw wrongPassphrase(what);
  }
  return bytes;
}

function wrongPassphrase(what: string): ConversionError {
  return new ConversionError(
    'ERR_PASSPHRASE_WRONG',
    `${what} could not be decrypted: the passphrase is wrong or the file is damaged`,
  );
}

/** Encrypts a PrivateKeyInfo with PBES2: PBKDF2-HMAC-SHA256 (16-byte salt), AES-256-CBC. */
export async function encryptPKCS8(
  pkcs8: Uint8Array,
  passphrase: Passphrase,
  iterations: number = DEFAULT_ITERATIONS,
): Promise<Uint8Array> {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new ConversionError(
      'ERR_ENCRYPTION_LIMIT',
      `iterations must be an integer from 1 to ${MAX_ITERATIONS}`,
    );
  }
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const iv = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const key = await deriveKey(passphrase, salt, iterations, 'SHA-256', 32, 'encrypt');
  const data = new Uint8Array(await subtle().encrypt({ name: 'AES-CBC', iv }, key, new Uint8Array(pkcs8)));
  const kdf = sequence(
    oid(OID.pbkdf2),
    sequence(octetString(salt), smallInteger(iterations), writeAlgorithm(HMAC_SHA256)),
  );
  const enc = sequence(oid(AES_256_CBC), octetString(iv));
  return sequence(sequence(oid(OID.pbes2), sequence(kdf, enc)), octetString(data));
}
