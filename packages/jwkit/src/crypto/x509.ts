/**
 * Certificate signatures, through the crypto backend (no hand-written cryptography): whether one
 * certificate signed another, a whole chain, and `certificateToJWK` with `verifyChain`. Parsing
 * and the link checks are the pkix layer's (src/pkix/x509/); this module adds what needs a key.
 */

import { ConversionError, UnsupportedError } from '../errors/index.js';
import type { PublicJWK } from '../jwk/model.js';
import {
  type CertificateInfo,
  type CertificateInput,
  type CertificateJWK,
  chainJWK,
  chainLinks,
  checkChainLinks,
  ecdsaSignatureToP1363,
  jwsAlgorithm,
  readCertificates,
} from '../pkix/x509/index.js';
import { getBackend } from './active.js';
import type { CryptoBackend } from './backend.js';

export interface CertificateVerifyOptions {
  /** The crypto backend to verify with. Default: the active backend (`getBackend()`). */
  backend?: CryptoBackend;
}

/**
 * Whether `issuer`'s key signed `cert`. Returns false for a wrong or malformed signature; throws
 * `UnsupportedError` when no JWS algorithm matches the signature algorithm and key (SHA-1 and
 * SHA-224 signatures, ECDSA with a hash other than its curve's JWS pairing, DSA).
 */
export async function verifyCertificateSignature(
  cert: CertificateInfo,
  issuer: CertificateInfo,
  options: CertificateVerifyOptions = {},
): Promise<boolean> {
  const alg = jwsAlgorithm(cert.signatureAlgorithm, issuer.publicKey);
  if (alg === undefined) {
    throw new UnsupportedError(
      `cannot verify "${cert.subject}": signature algorithm ${cert.signatureAlgorithm.name} with a ${describeKey(issuer.publicKey)} issuer key has no JWS equivalent`,
    );
  }
  let signature: Uint8Array | undefined = cert.signature;
  if (cert.signatureAlgorithm.family === 'ECDSA' && issuer.publicKey.kty === 'EC') {
    signature = ecdsaSignatureToP1363(cert.signature, issuer.publicKey.crv);
    if (signature === undefined) return false;
  }
  const backend = options.backend ?? getBackend();
  const handle = await backend.importKey(issuer.publicKey, alg, 'verify');
  return backend.verify(handle, cert.tbs, signature);
}

function describeKey(key: PublicJWK): string {
  return key.kty === 'RSA' ? 'RSA' : `${key.kty} ${key.crv}`;
}

/**
 * Checks a chain leaf first with the one chain walker (src/pkix/x509/chain.ts): each
 * certificate's issuer is the next one's subject (by DER), each issuer is a CA allowed to sign
 * certificates (RFC 5280 §6.1.4), and, with `signatures` (the default), each signature verifies
 * with the next certificate's key. The last certificate is not checked against a trust anchor:
 * trust decisions belong to the caller. Throws `ConversionError` `ERR_X509_CHAIN` or
 * `ERR_X509_SIGNATURE`, or `UnsupportedError`.
 */
export async function verifyCertificateChain(
  chain: readonly CertificateInfo[],
  options: CertificateVerifyOptions & { signatures?: boolean } = {},
): Promise<void> {
  checkChainLinks(chain);
  if (options.signatures === false) return;
  for (const link of chainLinks(chain)) {
    if (link.self) continue; // a self-signed root vouches only for itself
    if (!(await verifyCertificateSignature(link.cert, link.issuer, options))) {
      throw new ConversionError(
        'ERR_X509_SIGNATURE',
        `the signature of certificate ${link.index} ("${link.cert.subject}") does not verify with the key of certificate ${link.index + 1}`,
      );
    }
  }
}

export interface CertificateToJWKOptions extends CertificateVerifyOptions {
  /** Also verify each certificate's signature with the next one's key. Default `false`. */
  verifyChain?: boolean;
}

/**
 * The leaf certificate's public key as a JWK with `x5c` (standard base64 DER, leaf first),
 * `x5t` and `x5t#S256`. The chain's links are always checked (RFC 7517 §4.7, RFC 5280 §6.1.4);
 * its signatures with `verifyChain: true`.
 */
export async function certificateToJWK(
  input: CertificateInput,
  options: CertificateToJWKOptions = {},
): Promise<CertificateJWK> {
  const chain = readCertificates(input);
  await verifyCertificateChain(chain, { ...options, signatures: options.verifyChain === true });
  return chainJWK(chain);
}
