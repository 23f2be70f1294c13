/**
 * Reading a token without verifying it, for display and routing (which issuer, which key).
 * Nothing returned here is trustworthy until `verifyJWT` has checked the signature.
 */

import type { JWSHeader } from '../set/key-source.js';
import type { JWTPayload } from './claims.js';
import { parseCompact, signatureBytes } from './compact.js';
import { claimsFromText } from './verify.js';

export interface DecodedJWT {
  readonly header: Readonly<JWSHeader>;
  readonly payload: JWTPayload;
  /** The signature part, still base64url-encoded. */
  readonly signature: string;
}

/**
 * Splits and decodes a compact JWT with the same strict parsing as verification (three parts,
 * strict base64url, header checks, JSON object payload). Does NOT verify the signature.
 */
export function decodeJWT(token: string): DecodedJWT {
  const jws = parseCompact(token);
  signatureBytes(jws);
  return { header: jws.header, payload: claimsFromText(jws.payloadText), signature: jws.signatureB64 };
}
