/** Keys from PEM text or a base64 DER blob, as the library reads them. */

import type { JWK } from 'jwkit';
import { decodeStd } from 'jwkit/internal';
import type { InputKind } from './detect.js';
import { derToJWK, JWKitError, pemToJWK, pemToJWKs } from './lib.js';

/**
 * One key, or a certificate chain as one key with `x5c` (what `pemToJWK` reads); a text with
 * several keys gives each of them (`pemToJWKs`).
 */
export async function readPEM(text: string, kind: InputKind, passphrase?: string): Promise<JWK[]> {
  if (kind === 'der') return [await derToJWK(decodeStd(text.replace(/\s+/g, '')))];
  const options = passphrase ? { passphrase } : {};
  try {
    return [await pemToJWK(text, options)];
  } catch (error) {
    if (error instanceof JWKitError && error.code === 'ERR_PEM_MULTIPLE_BLOCKS')
      return pemToJWKs(text, options);
    throw error;
  }
}
