/**
 * X.509 certificates (RFC 5280) as far as JWKs need them, without a crypto backend: parsing
 * (parse.ts), names and the one name comparator (names.ts), signature algorithms
 * (signature.ts), the chain walker (chain.ts) and certificates to JWK (to-jwk.ts). Signature
 * checks live in the crypto layer (src/crypto/x509.ts).
 */

export { type ChainLink, chainLinks, issuedBy, type LinkProblem } from './chain.js';
export { formatName, sameName } from './names.js';
export {
  type CertificateExtension,
  type CertificateInfo,
  KEY_USAGES,
  type KeyUsageName,
  parseCertificate,
} from './parse.js';
export {
  ecdsaSignatureToP1363,
  jwsAlgorithm,
  readSignatureAlgorithm,
  type SignatureAlgorithm,
} from './signature.js';
export {
  type CertificateInput,
  type CertificateJWK,
  certificateChainToJWK,
  certificateThumbprints,
  chainJWK,
  checkChainLinks,
  readCertificates,
} from './to-jwk.js';
