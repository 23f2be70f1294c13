/**
 * The library surface the page uses, imported from src/ (the isomorphic core: WebCrypto backend,
 * @noble/curves where browsers lack a curve). One place lists it, so the bundle's dependency on
 * the core is easy to audit.
 */

export { JWKitError } from '../../src/errors.js';
export { keyBits } from '../../src/jwk/import.js';
export {
  derToJWK,
  generateJWK,
  jwkToPEM,
  parseCertificate,
  pemToJWK,
  pemToJWKs,
  thumbprint,
  thumbprintURI,
} from '../../src/jwk/index.js';
export { validateJWK, validateJWKSet } from '../../src/jwk/validate/index.js';
export { decodeJWT, verifyJWT } from '../../src/jwt/index.js';
export { JWKSet } from '../../src/set/jwk-set.js';
export { keyInfo } from '../../src/set/key-info.js';
export { verificationRejection } from '../../src/set/select.js';
