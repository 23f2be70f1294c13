/**
 * Certificates to a JWK (RFC 7517 §4.7-4.9): the leaf's public key with `x5c` (standard base64
 * DER, leaf first), `x5t` and `x5t#S256`. Pure: the chain's links are checked by the walker
 * (chain.ts); their signatures, which need a crypto backend, by the crypto layer
 * (`certificateToJWK` with `verifyChain: true`).
 */

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeStd, encode, encodeStd } from '../../encoding/base64url.js';
import { ConversionError, JWKitError, UnsupportedError } from '../../errors/index.js';
import type { PublicJWK } from '../../jwk/model.js';
import { decodePEM } from '../armor.js';
import { chainLinks } from './chain.js';
import { type CertificateInfo, parseCertificate } from './parse.js';

/** `x5t` (SHA-1) and `x5t#S256` (SHA-256) of a DER certificate, base64url (RFC 7517 §4.8-4.9). */
export function certificateThumbprints(der: Uint8Array): { x5t: string; 'x5t#S256': string } {
  return { x5t: encode(sha1(der)), 'x5t#S256': encode(sha256(der)) };
}

/** One certificate, or a chain: PEM text (one or more CERTIFICATE blocks), DER, or x5c strings. */
export type CertificateInput = string | Uint8Array | readonly (string | Uint8Array)[];

export type CertificateJWK = PublicJWK & { x5c: string[]; x5t: string; 'x5t#S256': string };

/** Every certificate of the input, parsed, leaf first; errors name the certificate's index. */
export function readCertificates(input: CertificateInput): CertificateInfo[] {
  const ders = certificateDERs(input);
  if (ders.length === 0) throw new ConversionError('ERR_X509_INVALID', 'no certificate given');
  return ders.map((der, i) => withIndex(i, () => parseCertificate(der)));
}

/**
 * Throws `ConversionError` `ERR_X509_CHAIN` for the first link the walker refuses: an issuer
 * that is not the next certificate's subject, or one that may not issue certificates.
 */
export function checkChainLinks(chain: readonly CertificateInfo[]): void {
  for (const link of chainLinks(chain)) {
    if (link.problem !== undefined) throw new ConversionError('ERR_X509_CHAIN', link.message!);
  }
}

/** The leaf's key with `x5c`, `x5t` and `x5t#S256`, for a chain whose links are already checked. */
export function chainJWK(chain: readonly CertificateInfo[]): CertificateJWK {
  const leaf = chain[0]!;
  return {
    ...leaf.publicKey,
    x5c: chain.map((c) => encodeStd(c.der)),
    ...certificateThumbprints(leaf.der),
  };
}

/** `certificateToJWK` without signature checks: parse, check the links, build the JWK. Synchronous. */
export function certificateChainToJWK(input: CertificateInput): CertificateJWK {
  const chain = readCertificates(input);
  checkChainLinks(chain);
  return chainJWK(chain);
}

function withIndex<T>(i: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (i === 0 || !(e instanceof JWKitError)) throw e;
    const message = `certificate ${i} of the chain: ${e.message}`;
    throw e instanceof UnsupportedError
      ? new UnsupportedError(message, { cause: e })
      : new ConversionError(e.code, message, { cause: e });
  }
}

function certificateDERs(input: CertificateInput): Uint8Array[] {
  if (input instanceof Uint8Array) return [input];
  if (typeof input === 'string') return stringDERs(input);
  if (Array.isArray(input))
    return input.flatMap((item) => (item instanceof Uint8Array ? [item] : stringDERs(item)));
  throw new ConversionError(
    'ERR_X509_INVALID',
    'certificate input must be PEM text, DER bytes or an array of them',
  );
}

/** PEM text, or one standard-base64 DER certificate as found in `x5c`. */
function stringDERs(text: unknown): Uint8Array[] {
  if (typeof text !== 'string')
    throw new ConversionError(
      'ERR_X509_INVALID',
      'certificate input must be PEM text, DER bytes or an array of them',
    );
  if (text.includes('-----BEGIN')) {
    return decodePEM(text).map((block) => {
      if (block.label !== 'CERTIFICATE') {
        throw new ConversionError(
          'ERR_PEM_UNEXPECTED_LABEL',
          `PEM block "${block.label}" at line ${block.line} is not a CERTIFICATE; pass certificates only (or use pemToJWKs for mixed files)`,
        );
      }
      return block.der;
    });
  }
  try {
    return [decodeStd(text.trim())];
  } catch {
    throw new ConversionError(
      'ERR_X509_INVALID',
      'a certificate string must be PEM or standard base64 DER (as in x5c, RFC 7517 §4.7), not base64url',
    );
  }
}
