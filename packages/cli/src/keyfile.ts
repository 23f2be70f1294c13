/**
 * Reads keys from whatever a user hands the CLI: a JWK, a JWK Set, PEM (keys or certificates,
 * several blocks allowed) or DER. The format is recognised from the content, never from the file
 * name, so `-` and pipes work the same as files.
 */

import type { JWK, Problem } from 'jwkit';
import { JWKError, JWKitError } from 'jwkit';
import { CLIError, inSource } from './exit.js';
import { type Input, MAX_INPUT_BYTES } from './io.js';
import { loadJwkit } from './lib.js';

export type InputFormat = 'json' | 'pem' | 'jwt' | 'der' | 'unknown';

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const JWE_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/** What kind of document the input is, from its first meaningful bytes. */
export function detectFormat(input: Input): InputFormat {
  const text = input.text.trim();
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  if (text.includes('-----BEGIN ')) return 'pem';
  if (JWS_COMPACT.test(text) || JWE_COMPACT.test(text)) return 'jwt';
  // DER: a SEQUENCE with a long-form length, as every key and certificate has.
  if (input.bytes[0] === 0x30 && (input.bytes[1] ?? 0) >= 0x81 && (input.bytes[1] ?? 0) <= 0x84) return 'der';
  return 'unknown';
}

export interface LoadedKeys {
  /** What the input was: a single JWK, a JWK Set, PEM or DER. */
  readonly format: 'jwk' | 'jwks' | 'pem' | 'der';
  /** The usable keys, as canonical jwkit-owned copies (certificates come back with x5c). */
  readonly keys: JWK[];
  /** Every problem found, warnings included; paths as in the input (`keys[2].n`). */
  readonly problems: readonly Problem[];
  /** Keys of a set that were left out as unusable (RFC 7517 §5), with their index. */
  readonly skipped: readonly { index: number; kid?: string; problems: readonly Problem[] }[];
}

export interface LoadOptions {
  /** Decrypts an encrypted PKCS#8 PEM or DER key. */
  passphrase?: string;
}

function notKeys(input: Input, what: string): CLIError {
  return new CLIError(
    'ERR_CLI_INPUT_FORMAT',
    `${input.name} is ${what}, not a key; give a JWK, a JWK Set, or a PEM/DER key or certificate`,
  );
}

/** A JSON document's kind, from its top-level members. */
export function jsonKind(value: unknown): 'jwk' | 'jwks' | 'discovery' | 'other' {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'other';
  if ('keys' in value) return 'jwks';
  if ('kty' in value) return 'jwk';
  if ('jwks_uri' in value) return 'discovery';
  return 'other';
}

/**
 * Loads every key of `input`. A single JWK that fails validation throws `JWKError` (with all its
 * problems); a set keeps its good keys and reports the rest in `skipped`.
 */
export function loadKeys(input: Input, options: LoadOptions = {}): Promise<LoadedKeys> {
  return inSource(input.name, async () => {
    const format = detectFormat(input);
    if (format === 'json') return loadJSON(input);
    if (format === 'pem') return loadPEMKeys(input.text, options);
    if (format === 'der') return loadDER(input.bytes, options);
    if (format === 'jwt') throw notKeys(input, 'a JWT (use `jwkit jwt decode` or `jwkit inspect`)');
    throw notKeys(input, 'neither JSON, PEM nor DER');
  });
}

async function loadJSON(input: Input): Promise<LoadedKeys> {
  const { parseJSON } = await import('jwkit');
  const { validateJWK, validateJWKSet } = await loadJwkit();
  const { value } = parseJSON(input.text, { maxLength: MAX_INPUT_BYTES });
  const kind = jsonKind(value);
  const vopts = { maxLength: MAX_INPUT_BYTES };
  if (kind === 'jwks') {
    const report = validateJWKSet(input.text, vopts);
    const skipped = report.skipped;
    // A set whose `keys` is missing or not an array is unusable as a whole.
    if (!report.valid && report.keys.length === 0 && skipped.length === 0)
      throw new JWKError(report.problems);
    return { format: 'jwks', keys: report.keys, problems: report.problems, skipped };
  }
  if (kind === 'jwk') {
    const report = validateJWK(input.text, vopts);
    if (!report.valid || !report.key) throw new JWKError(report.problems);
    return { format: 'jwk', keys: [report.key], problems: report.problems, skipped: [] };
  }
  if (kind === 'discovery') {
    throw notKeys(
      input,
      'an OpenID/OAuth discovery document; inspect its jwks_uri, or pass the URL to `jwkit inspect`',
    );
  }
  throw notKeys(input, 'JSON without "kty" or "keys"');
}

/**
 * The keys of a PEM text: one key per block, except that a text of certificates only is one
 * chain, read as a single key with the whole chain in `x5c` (leaf first).
 */
export async function pemKeys(text: string, passphrase?: string): Promise<JWK[]> {
  const { pemToJWK, pemToJWKs } = await loadJwkit();
  const options = passphrase === undefined ? {} : { passphrase };
  try {
    return [await pemToJWK(text, options)];
  } catch (err) {
    if (err instanceof JWKitError && err.code === 'ERR_PEM_MULTIPLE_BLOCKS') return pemToJWKs(text, options);
    throw err;
  }
}

async function loadPEMKeys(text: string, options: LoadOptions): Promise<LoadedKeys> {
  return { format: 'pem', keys: await pemKeys(text, options.passphrase), problems: [], skipped: [] };
}

async function loadDER(bytes: Uint8Array, options: LoadOptions): Promise<LoadedKeys> {
  const { derToJWK } = await loadJwkit();
  const key = await derToJWK(
    bytes,
    options.passphrase === undefined ? {} : { passphrase: options.passphrase },
  );
  return { format: 'der', keys: [key], problems: [], skipped: [] };
}

/** Exactly one key, or a clear error naming how many there were. */
export function onlyKey(loaded: LoadedKeys, hint: string): JWK {
  const [first, ...rest] = loaded.keys;
  if (!first) throw new CLIError('ERR_CLI_NO_KEY', 'the input holds no usable key');
  if (rest.length > 0) {
    throw new CLIError('ERR_CLI_MANY_KEYS', `the input holds ${loaded.keys.length} keys; ${hint}`);
  }
  return first;
}
