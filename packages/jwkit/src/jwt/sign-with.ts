/**
 * Signing a JWT with a key jwkit does not hold: an HSM (PKCS#11), a cloud KMS, any signer that
 * takes the JWS Signing Input (RFC 7515 §5.1 step 8) and returns the JWS Signature octets (for
 * ECDSA the R‖S form of RFC 7518 §3.4). The header and the claims are built exactly as `signJWT`
 * builds them (the same functions), so a token from a signer is byte-for-byte the token the same
 * key would give through `signJWT`, up to the randomness of the signature.
 */

import { JWTError } from '../errors/index.js';
import { asciiBytes, bytesBase64url } from './bytes.js';
import type { JWTPayload } from './claims.js';
import {
  jwtPayloadSegment,
  protectedHeaderSegment,
  type SignJWTOptions,
  signatureAlgorithm,
} from './sign.js';

/** A signing key held elsewhere. */
export interface ExternalSigner {
  /** The JWS algorithm the key signs with. */
  readonly alg: string;
  /** Header `kid` (unless the options say otherwise). */
  readonly kid?: string;
  /** The JWS Signature over the JWS Signing Input octets. */
  sign(signingInput: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** `signJWT` with an external signer; `options.alg`, when given, must be the signer's alg. */
export async function signJWTWith(
  payload: JWTPayload,
  signer: ExternalSigner,
  options: Omit<SignJWTOptions, 'backend'> = {},
): Promise<string> {
  if (options.alg !== undefined && options.alg !== signer.alg) {
    throw new JWTError(
      'ERR_JWT_SIGN_ALG',
      `the signer's key signs ${signer.alg}, not ${options.alg}; leave options.alg out or use a ${options.alg} key`,
    );
  }
  const alg = signatureAlgorithm(signer.alg);
  const payloadSegment = jwtPayloadSegment(payload, options);
  const signingInput = `${protectedHeaderSegment(alg, options, signer.kid, 'JWT')}.${payloadSegment}`;
  const signature = await signer.sign(asciiBytes(signingInput));
  if (!(signature instanceof Uint8Array) || signature.length === 0) {
    throw new JWTError('ERR_JWT_SIGN_KEY', `the external ${alg.alg} signer returned no signature`);
  }
  return `${signingInput}.${bytesBase64url(signature)}`;
}
