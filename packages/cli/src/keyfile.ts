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
  // DER: any SEQUENCE with a well-formed length; the DER reader decides the rest. Short keys
  // (Ed25519 PKCS#8 is 48 bytes) have a short-form length (X.690 §8.1.3.4), so a long form
  // cannot be required (issue 13.15).
  if (isDERSequence(input.bytes)) return 'der';
  // A token that is not strict base64url (padding, standard alphabet, whitespace, 4 parts) is
  // still a token: the JWT parser says what is wrong with it (issue 13.13).
  if (looksLikeToken(text)) return 'jwt';
  return 'unknown';
}

/** Tag SEQUENCE (0x30) followed by a definite length of at most 4 octets (X.690 §8.1.3). */
function isDERSequence(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes[0] !== 0x30) return false;
  const first = bytes[1]!;
  if (first < 0x80) return true;
  return first >= 0x81 && first <= 0x84 && bytes.length >= 2 + (first & 0x7f);
}

/**
 * Whether `text` is meant as a compact JWT even though it is not a well-formed one: dot-separated
 * parts in a base64 alphabet (URL-safe or standard, padding and whitespace tolerated here) whose
 * first part decodes to a JSON object, as every JOSE header does (RFC 7515 §7.1). A file name such
 * as `token.txt` does not qualify, so a missing file stays a usage error.
 */
export function looksLikeToken(text: string): boolean {
  const t = text.trim();
  const dot = t.indexOf('.');
  if (dot <= 0 || t.length > 1_048_576 || !/^[A-Za-z0-9_\-+/=.\s]+$/.test(t)) return false;
  const head = t.slice(0, dot).replace(/\s+/g, '').replace(/=+$/, '');
  if (head.length < 4 || !/^[A-Za-z0-9_\-+/]+$/.test(head)) return false;
  const bytes = Uint8Array.from(atob(base64Pad(head.replace(/-/g, '+').replace(/_/g, '/'))), (c) =>
    c.charCodeAt(0),
  );
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d) i++;
  return bytes[i] === 0x7b; // '{'
}

function base64Pad(b64: string): string {
  const cut = b64.length % 4 === 1 ? b64.slice(0, -1) : b64;
  return cut + '='.repeat((4 - (cut.length % 4)) % 4);
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
    if (!(err instanceof JWKitError) || err.code !== 'ERR_PEM_MULTIPLE_BLOCKS') throw err;
  }
  return (await keyWithItsCertificate(text, options)) ?? pemToJWKs(text, options);
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * A private key followed (or preceded) by its own certificate chain, as servers keep them
 * (`cat key.pem cert.pem`): ONE key, the private JWK with the chain as `x5c` (RFC 7517 §4.7:
 * the first certificate's key must be this key, which is checked by thumbprint). `undefined`
 * when the text is not exactly one key plus certificates of that key (issue 13.17).
 */
async function keyWithItsCertificate(
  text: string,
  options: { passphrase?: string },
): Promise<JWK[] | undefined> {
  const blocks = [...text.matchAll(PEM_BLOCK)].filter((m) => m[1] !== 'EC PARAMETERS');
  const certs = blocks.filter((m) => m[1] === 'CERTIFICATE').map((m) => m[0]);
  const keys = blocks.filter((m) => m[1] !== 'CERTIFICATE').map((m) => m[0]);
  if (certs.length === 0 || keys.length !== 1) return undefined;
  const { pemToJWK, thumbprint, isPrivate } = await loadJwkit();
  const key = await pemToJWK(keys[0]!, options);
  if (!isPrivate(key)) return undefined;
  let chain: JWK;
  try {
    chain = await pemToJWK(certs.join('\n'), options);
  } catch {
    return undefined; // Not one chain: read block by block, as before.
  }
  if (thumbprint(key) !== thumbprint(chain)) return undefined;
  const { x5c, x5t, 'x5t#S256': x5tS256 } = chain as JWK & { x5t?: string; 'x5t#S256'?: string };
  return [
    {
      ...key,
      ...(x5c !== undefined && { x5c }),
      ...(x5t !== undefined && { x5t }),
      ...(x5tS256 !== undefined && { 'x5t#S256': x5tS256 }),
    } as JWK,
  ];
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
