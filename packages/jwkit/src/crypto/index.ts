/** The crypto layer's public API: operations on a backend (node:crypto or WebCrypto). */

export { getBackend, setBackend } from './active.js';
export type { BackendName, CryptoBackend, GenerateSpec, KeyHandle, KeyUsage } from './backend.js';
export type { CryptoKeyOptions } from './cryptokey.js';
export { cryptoKeyToJWK, jwkToCryptoKey } from './cryptokey.js';
export type { GenerateOptions } from './generate.js';
export { generateJWK } from './generate.js';
export type { ImportOptions } from './import.js';
export { importKey } from './import.js';
export { createWebBackend, type WebBackendOptions, webBackend } from './web.js';
export type { VerifyX5cChainOptions } from './x5c-chain.js';
export { verifyX5cChain } from './x5c-chain.js';
export type { CertificateToJWKOptions, CertificateVerifyOptions } from './x509.js';
export { certificateToJWK, verifyCertificateChain, verifyCertificateSignature } from './x509.js';
