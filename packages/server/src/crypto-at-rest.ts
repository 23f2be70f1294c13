/**
 * At-rest encryption of private keys: AES-256-GCM (NIST SP 800-38D) under one 32-byte master
 * key. The store only ever receives sealed text; plaintext private keys exist in this process's
 * memory only.
 *
 * Sealed format: `v1.<master key id>.<iv>.<ciphertext>.<tag>`, each part base64url. The master
 * key id (a hash prefix of the key, not the key) lets a wrong key be told apart from tampering.
 * The additional authenticated data binds the ciphertext to its record (kid and alg), so a
 * sealed value moved to another row does not open.
 */

import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decode, decodeStd, encode } from 'jwkit/internal';
import { ServerConfigError } from './errors.js';

const VERSION = 'v1';
const IV_BYTES = 12; // SP 800-38D §8.2: 96-bit random IVs
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class MasterKey {
  readonly #key: KeyObject;
  /** A short public identifier of the key (base64url of a SHA-256 prefix), safe to log and store. */
  readonly id: string;

  private constructor(bytes: Uint8Array) {
    this.#key = createSecretKey(bytes);
    this.id = encode(
      createHash('sha256').update('jwkit master key id\0').update(bytes).digest().subarray(0, 6),
    );
  }

  /** A master key from 32 raw bytes; throws `ERR_MASTER_KEY_INVALID` for any other length. */
  static fromBytes(bytes: Uint8Array): MasterKey {
    if (bytes.length !== KEY_BYTES) {
      throw new ServerConfigError(
        'ERR_MASTER_KEY_INVALID',
        `the master key must be ${KEY_BYTES} bytes, not ${bytes.length}; create one with: openssl rand -base64 32`,
      );
    }
    return new MasterKey(bytes);
  }

  /** A master key from base64 or base64url text (as in `JWKIT_MASTER_KEY` or a key file). */
  static fromText(text: string): MasterKey {
    const t = text.trim();
    let bytes: Uint8Array;
    try {
      bytes = /[+/=]/.test(t) ? decodeStd(t) : decode(t);
    } catch {
      throw new ServerConfigError(
        'ERR_MASTER_KEY_INVALID',
        'the master key is not base64 text; create one with: openssl rand -base64 32',
      );
    }
    return MasterKey.fromBytes(bytes);
  }

  static generate(): { key: MasterKey; text: string } {
    const bytes = randomBytes(KEY_BYTES);
    return { key: new MasterKey(bytes), text: bytes.toString('base64') };
  }

  seal(plaintext: Uint8Array, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, this.id, encode(iv), encode(ct), encode(cipher.getAuthTag())].join('.');
  }

  /** Opens a sealed value; throws `ERR_MASTER_KEY_MISMATCH` or `ERR_SEALED_CORRUPT`. */
  open(sealed: string, aad: string): Uint8Array {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new ServerConfigError('ERR_SEALED_CORRUPT', 'a sealed private key is not in the v1 format');
    }
    const [, id, iv, ct, tag] = parts as [string, string, string, string, string];
    if (id !== this.id) {
      throw new ServerConfigError(
        'ERR_MASTER_KEY_MISMATCH',
        `the store's keys are sealed under master key ${id}, but this process has master key ${this.id}; ` +
          'start it with the JWKIT_MASTER_KEY (or key file) the store was created with',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, decode(iv), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(decode(tag));
      return new Uint8Array(Buffer.concat([decipher.update(decode(ct)), decipher.final()]));
    } catch (cause) {
      throw new ServerConfigError(
        'ERR_SEALED_CORRUPT',
        'a sealed private key failed authentication: the record was altered or moved to another row',
        { cause },
      );
    }
  }

  sealJSON(value: unknown, aad: string): string {
    return this.seal(Buffer.from(JSON.stringify(value), 'utf8'), aad);
  }

  openJSON(sealed: string, aad: string): unknown {
    return JSON.parse(Buffer.from(this.open(sealed, aad)).toString('utf8'));
  }

  /** Keeps the key material out of logs and `util.inspect`. */
  toJSON(): string {
    return `MasterKey(${this.id})`;
  }
}

export interface LoadMasterKeyOptions {
  /** Base64 key text; defaults to `process.env.JWKIT_MASTER_KEY`. Wins over `file`. */
  value?: string;
  /** A file holding the base64 key text. */
  file?: string;
  /** Create `file` (mode 0600) with a new random key when it does not exist. Default false. */
  create?: boolean;
}

export interface LoadedMasterKey {
  key: MasterKey;
  /** True when this call created the key file (callers warn: back it up). */
  created: boolean;
  source: 'env' | 'option' | 'file';
  /** Things the operator should fix, e.g. a key file readable by others. */
  warnings: string[];
}

/** Finds the master key: the option, then `JWKIT_MASTER_KEY`, then the key file. */
export async function loadMasterKey(options: LoadMasterKeyOptions = {}): Promise<LoadedMasterKey> {
  if (options.value !== undefined) {
    return { key: MasterKey.fromText(options.value), created: false, source: 'option', warnings: [] };
  }
  const env = process.env.JWKIT_MASTER_KEY;
  if (env !== undefined && env.trim() !== '') {
    return { key: MasterKey.fromText(env), created: false, source: 'env', warnings: [] };
  }
  const file = options.file;
  if (file === undefined) {
    throw new ServerConfigError(
      'ERR_MASTER_KEY_MISSING',
      'no master key: set JWKIT_MASTER_KEY to 32 random bytes in base64 (openssl rand -base64 32) or give a key file',
    );
  }
  const existing = await readKeyFile(file);
  if (existing) return existing;
  if (!options.create) {
    throw new ServerConfigError(
      'ERR_MASTER_KEY_MISSING',
      `no master key: ${file} does not exist; set JWKIT_MASTER_KEY or start \`jwkit serve\` once to create it`,
    );
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const { key, text } = MasterKey.generate();
  // Written whole to a private temporary file, then linked into place: link(2) fails when the
  // name exists, so a concurrent first start never overwrites another's key, and a crash never
  // leaves a half-written key file behind.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${text}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      const raced = await readKeyFile(file);
      if (raced) return raced;
    }
    throw e;
  } finally {
    await unlink(tmp);
  }
  return { key, created: true, source: 'file', warnings: [] };
}

async function readKeyFile(file: string): Promise<LoadedMasterKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const warnings: string[] = [];
  const mode = (await stat(file)).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    warnings.push(
      `master key file ${file} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${file}`,
    );
  }
  return { key: MasterKey.fromText(text), created: false, source: 'file', warnings };
}
