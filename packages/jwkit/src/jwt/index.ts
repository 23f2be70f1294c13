/** JWS / JWT in the Compact Serialization: verify, sign, decode. */

export type { ClaimOptions, JWTPayload } from './claims.js';
export { type DecodedJWT, decodeJWT } from './decode.js';
export type { KeyInput } from './key-input.js';
export { type SignJWTOptions, type SignOptions, signJWS, signJWT } from './sign.js';
export {
  type EmbeddedKey,
  type VerifiedJWS,
  type VerifiedJWT,
  type VerifyJWSOptions,
  type VerifyJWTOptions,
  verifyJWS,
  verifyJWT,
  verifyJWTSync,
} from './verify.js';
