/**
 * The backup file: one store's keys (with their private material), schedule, policy and audit
 * trail, encrypted to a passphrase.
 *
 * Layout (text, three lines):
 *   jwkit-backup 1
 *   {"format":"jwkit-backup","version":1,"kdf":{...},"cipher":"A256GCM","iv":"...","created":"..."}
 *   <base64url of ciphertext || 16-byte tag>
 *
 * - KDF: scrypt (RFC 7914) from node:crypto with N = 2^17, r = 8, p = 1 (128 MiB, the "interactive
 *   login" figure of the scrypt paper doubled; OWASP's 2023 minimum is N = 2^17 as well) and a
 *   random 16-byte salt. The parameters are read from the header, so a future version can raise
 *   them; a header asking for less than the minimum, or for absurd memory, is refused.
 * - Cipher: AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV.
 * - AAD: the first two lines exactly as written, so a changed header (KDF parameters, version,
 *   IV) fails authentication instead of being interpreted.
 *
 * A wrong passphrase and a damaged file both fail GCM authentication; they cannot be told apart
 * and the error says both.
 */

import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { StoreError } from 'jwkit';

const MAGIC = 'jwkit-backup 1';
const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT_BYTES = 16;
/** Minimum scrypt cost accepted on read; what `encryptBackup` writes. */
export const SCRYPT_PARAMS = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
/** Refuse headers that would make us allocate more than this (a damaged or hostile file). */
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;
/** A passphrase shorter than this is refused when writing a backup. */
export const MIN_PASSPHRASE = 12;

interface Header {
  format: 'jwkit-backup';
  version: number;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'A256GCM';
  iv: string;
  created: string;
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function fromB64url(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw damaged(`${what} is not base64url`);
  return Buffer.from(text, 'base64url');
}

function damaged(why: string): StoreError {
  return new StoreError(
    'ERR_BACKUP_CORRUPT',
    `the backup file is damaged or not a jwkit backup (${why}); nothing was changed`,
  );
}

function deriveKey(
  passphrase: string,
  salt: Buffer,
  p: { N: number; r: number; p: number },
): Promise<Buffer> {
  const maxmem = 128 * p.N * p.r * p.p + 64 * 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), salt, 32, { N: p.N, r: p.r, p: p.p, maxmem }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

/** Encrypts `plaintext` (the backup's JSON) to `passphrase`; returns the file's text. */
export async function encryptBackup(
  plaintext: Uint8Array,
  passphrase: string,
  now: Date = new Date(),
): Promise<string> {
  if (passphrase.length < MIN_PASSPHRASE) {
    throw new StoreError(
      'ERR_BACKUP_PASSPHRASE',
      `the backup passphrase must be at least ${MIN_PASSPHRASE} characters; make one with: openssl rand -base64 24`,
    );
  }
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const header: Header = {
    format: 'jwkit-backup',
    version: FORMAT_VERSION,
    kdf: { name: 'scrypt', ...SCRYPT_PARAMS, salt: b64url(salt) },
    cipher: 'A256GCM',
    iv: b64url(iv),
    created: now.toISOString(),
  };
  const head = `${MAGIC}\n${JSON.stringify(header)}`;
  const key = await deriveKey(passphrase, salt, SCRYPT_PARAMS);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(head, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `${head}\n${b64url(ct)}\n`;
}

/** Decrypts a backup file's text; throws `ERR_BACKUP_CORRUPT` or `ERR_BACKUP_DECRYPT`. */
export async function decryptBackup(text: string, passphrase: string): Promise<Uint8Array> {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length !== 3 || lines[0] !== MAGIC) throw damaged(`the first line is not "${MAGIC}"`);
  let header: Header;
  try {
    header = JSON.parse(lines[1]!) as Header;
  } catch {
    throw damaged('the header is not JSON');
  }
  const k = header?.kdf;
  if (
    header?.format !== 'jwkit-backup' ||
    header.version !== FORMAT_VERSION ||
    header.cipher !== 'A256GCM' ||
    k?.name !== 'scrypt' ||
    typeof k.salt !== 'string' ||
    typeof header.iv !== 'string'
  ) {
    throw damaged('unknown header fields');
  }
  for (const n of ['N', 'r', 'p'] as const) {
    if (!Number.isSafeInteger(k[n]) || k[n] < SCRYPT_PARAMS[n])
      throw damaged(`scrypt ${n} below the minimum`);
  }
  if ((k.N & (k.N - 1)) !== 0 || 128 * k.N * k.r * k.p > MAX_SCRYPT_MEMORY) {
    throw damaged('scrypt parameters out of range');
  }
  const iv = fromB64url(header.iv, 'iv');
  const body = fromB64url(lines[2]!, 'the ciphertext');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw damaged('short iv or ciphertext');
  const key = await deriveKey(passphrase, fromB64url(k.salt, 'salt'), k);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(`${lines[0]}\n${lines[1]}`, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return new Uint8Array(
      Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]),
    );
  } catch {
    throw new StoreError(
      'ERR_BACKUP_DECRYPT',
      'the backup does not open: wrong passphrase, or the file was altered; nothing was changed',
    );
  }
}
