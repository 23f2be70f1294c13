/**
 * The library surface the page uses, imported from src/ (the isomorphic core: WebCrypto backend,
 * @noble/curves where browsers lack a curve). One place lists it, so the bundle's dependency on
 * the core is easy to audit.
 */

export {
  decodeJWT,
  derToJWK,
  generateJWK,
  JWKitError,
  JWKSet,
  jwkToPEM,
  parseCertificate,
  pemToJWK,
  pemToJWKs,
  thumbprint,
  thumbprintURI,
  validateJWK,
  validateJWKSet,
  verifyJWT,
} from 'jwkit';
export { keyBits, keyProfile, verificationRejection } from 'jwkit/internal';
