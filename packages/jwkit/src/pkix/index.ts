/** The pkix layer's public API: JWK <-> PEM / DER, and X.509 certificates without a backend. */

export type { FromPEMOptions, KeyFormat, Passphrase, ToPEMOptions } from './convert.js';
export { derToJWK, jwkToDER, jwkToPEM, pemToJWK, pemToJWKs } from './convert.js';
export type {
  CertificateExtension,
  CertificateInfo,
  CertificateInput,
  CertificateJWK,
  KeyUsageName,
  SignatureAlgorithm,
} from './x509/index.js';
export { certificateThumbprints, parseCertificate } from './x509/index.js';
