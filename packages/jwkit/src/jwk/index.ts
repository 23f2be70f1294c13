/** The core JWK layer's public API. Each module below owns one concept. */

export type { ParsedJSON, ParseJSONOptions } from '../json/index.js';
export { parseJSON } from '../json/index.js';
export type { CryptoKeyOptions } from './cryptokey.js';
export { cryptoKeyToJWK, jwkToCryptoKey } from './cryptokey.js';
export type { GenerateOptions } from './generate.js';
export { generateJWK } from './generate.js';
export type { ImportOptions } from './import.js';
export { checkKeyForAlg, importKey } from './import.js';
export type * from './model.js';
export { canonicalOrder, isPrivate, toPublic } from './model.js';
export type { FromPEMOptions, KeyFormat, Passphrase, ToPEMOptions } from './pem/index.js';
export { derToJWK, jwkToDER, jwkToPEM, pemToJWK, pemToJWKs } from './pem/index.js';
export type { ThumbprintHash } from './thumbprint.js';
export { thumbprint, thumbprintInput, thumbprintURI } from './thumbprint.js';
export type {
  JWKReport,
  JWKSetReport,
  ProblemCode,
  SkippedKey,
  ValidateOptions,
  VerifyX5cChainOptions,
} from './validate/index.js';
export {
  PROBLEM_CODES,
  parseJWK,
  parseJWKSet,
  validateJWK,
  validateJWKSet,
  verifyX5cChain,
} from './validate/index.js';
export type {
  CertificateExtension,
  CertificateInfo,
  CertificateInput,
  CertificateJWK,
  CertificateToJWKOptions,
  CertificateVerifyOptions,
  SignatureAlgorithm,
} from './x509.js';
export {
  certificateThumbprints,
  certificateToJWK,
  parseCertificate,
  verifyCertificateChain,
  verifyCertificateSignature,
} from './x509.js';
