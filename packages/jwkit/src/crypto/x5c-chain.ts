/**
 * verifyX5cChain: validateJWK plus the signatures of the `x5c` chain. Signature verification
 * needs the crypto backend, which is asynchronous (WebCrypto), so it lives here rather than in
 * the synchronous validator.
 */

import { decodeStd } from '../encoding/base64url.js';
import { ConversionError, type Problem, UnsupportedError } from '../errors/index.js';
import { makeProblem } from '../jwk/validate/codes.js';
import { type JWKReport, validateJWK } from '../jwk/validate/jwk.js';
import type { ValidateOptions } from '../jwk/validate/options.js';
import { chainLinks, parseCertificate } from '../pkix/x509/index.js';
import type { CryptoBackend } from './backend.js';
import { verifyCertificateSignature } from './x509.js';

export interface VerifyX5cChainOptions extends ValidateOptions {
  /** Crypto backend for the signatures. Default: the active backend. */
  backend?: CryptoBackend;
}

/**
 * Validates the key (as `validateJWK`, with the chain order always checked) and then verifies
 * that each `x5c` certificate is signed by the next one, and a self-issued last certificate by
 * itself. No trust anchor is consulted: whether the chain's root is trusted is the caller's call.
 * Signature algorithms with no JWS equivalent (SHA-1 certificates, say) are reported as
 * `X5C_CHAIN_UNSUPPORTED` warnings. Never rejects.
 */
export async function verifyX5cChain(
  input: string | object,
  options: VerifyX5cChainOptions = {},
): Promise<JWKReport> {
  const report = validateJWK(input, { ...options, x5c: { ...options.x5c, verifyChain: true } });
  const x5c = report.key?.x5c;
  if (report.key === undefined || !Array.isArray(x5c) || x5c.length === 0) return report;
  // The validator has already decoded and parsed every certificate without error.
  const chain = x5c.map((c) => parseCertificate(decodeStd(c)));
  const strict = options.strict === true;
  const problems: Problem[] = [];
  const verifyOptions = options.backend === undefined ? {} : { backend: options.backend };
  // The same walker as the x5c rule: that rule has already reported every bad link (names, CA
  // flag, key usage), so only the signatures are checked here.
  for (const { index: i, cert, issuer, self } of chainLinks(chain)) {
    const path = `x5c[${i}]`;
    try {
      if (!(await verifyCertificateSignature(cert, issuer, verifyOptions))) {
        problems.push(
          makeProblem(
            'X5C_CHAIN_SIGNATURE',
            path,
            `the signature of certificate ${i} ("${cert.subject}") does not verify with the key of ${self ? 'itself' : `certificate ${i + 1}`}; the chain is forged or corrupt`,
            strict,
          ),
        );
      }
    } catch (e) {
      if (!(e instanceof UnsupportedError || e instanceof ConversionError)) throw e;
      problems.push(
        makeProblem(
          'X5C_CHAIN_UNSUPPORTED',
          path,
          `the signature of certificate ${i} could not be checked: ${e.message}`,
          strict,
        ),
      );
    }
  }
  const all = [...report.problems, ...problems];
  const valid = !all.some((p) => p.severity === 'error');
  return valid ? { valid, problems: all, key: report.key } : { valid, problems: all };
}
