/**
 * PEM armor (RFC 7468): finds every `-----BEGIN X-----` ... `-----END X-----` block in a text,
 * tolerating CRLF line ends, indentation and explanatory text around the blocks (RFC 7468 §2),
 * and writes the strict form (64-column lines, LF, RFC 7468 §3).
 */

import { decodeStd, encodeStd } from '../encoding/base64url.js';
import { ConversionError } from '../errors/index.js';

export interface PEMBlock {
  /** The label between BEGIN and END, e.g. `PRIVATE KEY`. */
  readonly label: string;
  /** RFC 1421 headers (`Proc-Type`, `DEK-Info`) of legacy encrypted keys; empty otherwise. */
  readonly headers: Readonly<Record<string, string>>;
  readonly der: Uint8Array;
  /** 1-based line of the BEGIN line, for error messages. */
  readonly line: number;
}

/** Largest PEM text accepted (a long certificate bundle is well under 1 MiB). */
export const MAX_PEM_LENGTH = 4 << 20;
/** Most blocks accepted in one text. */
export const MAX_PEM_BLOCKS = 1000;

const BEGIN = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----$/;
const END = /^-----END ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?-----$/;
const HEADER = /^([A-Za-z0-9-]+):\s*(.*)$/;

function pemError(code: string, message: string): ConversionError {
  return new ConversionError(code, message);
}

/**
 * Every PEM block in `text`, in order. Throws `ERR_PEM_NO_BLOCK` when there is none and
 * `ERR_PEM_MALFORMED` for a block without its END line, with mismatched labels or a bad body.
 */
export function decodePEM(text: string): PEMBlock[] {
  if (typeof text !== 'string') throw pemError('ERR_PEM_NO_BLOCK', 'PEM input must be a string');
  if (text.length > MAX_PEM_LENGTH) {
    throw pemError(
      'ERR_PEM_LIMIT',
      `PEM text is ${text.length} characters, more than the ${MAX_PEM_LENGTH} limit`,
    );
  }
  const lines = text.split(/\r\n|\r|\n/);
  const blocks: PEMBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i]!.trim());
    if (!begin) continue;
    const label = begin[1] ?? '';
    const start = i + 1;
    if (blocks.length >= MAX_PEM_BLOCKS)
      throw pemError('ERR_PEM_LIMIT', `more than ${MAX_PEM_BLOCKS} PEM blocks`);
    const headers: Record<string, string> = Object.create(null);
    const body: string[] = [];
    let ended = false;
    let inHeaders = true;
    for (i++; i < lines.length; i++) {
      const line = lines[i]!.trim();
      const end = END.exec(line);
      if (end) {
        if ((end[1] ?? '') !== label) {
          throw pemError(
            'ERR_PEM_MALFORMED',
            `PEM block "${label}" at line ${start} ends with "-----END ${end[1] ?? ''}-----" at line ${i + 1}`,
          );
        }
        ended = true;
        break;
      }
      if (BEGIN.test(line)) break;
      // RFC 1421 §4.4 headers come first and end with a blank line; only legacy encrypted keys
      // use them, and we read them only to say that encryption is not supported.
      const header = inHeaders ? HEADER.exec(line) : null;
      if (header) {
        headers[header[1]!] = header[2]!;
        continue;
      }
      inHeaders = false;
      body.push(line);
    }
    if (!ended) throw pemError('ERR_PEM_MALFORMED', `PEM block "${label}" at line ${start} has no END line`);
    const b64 = body.join('').replace(/\s+/g, '');
    let der: Uint8Array;
    try {
      der = decodeStd(b64);
    } catch {
      throw pemError(
        'ERR_PEM_MALFORMED',
        `the body of PEM block "${label}" at line ${start} is not valid base64`,
      );
    }
    if (der.length === 0)
      throw pemError('ERR_PEM_MALFORMED', `PEM block "${label}" at line ${start} is empty`);
    blocks.push({ label, headers, der, line: start });
  }
  if (blocks.length === 0) {
    throw pemError('ERR_PEM_NO_BLOCK', 'no PEM block found: expected a "-----BEGIN ...-----" line');
  }
  return blocks;
}

/** One block in the strict RFC 7468 §3 form, ending with a newline. */
export function encodePEM(label: string, der: Uint8Array): string {
  const b64 = encodeStd(der);
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}
