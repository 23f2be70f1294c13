/**
 * The one chain walker (issue 13 point 7), shared by `verifyCertificateChain`, `certificateToJWK`,
 * the x5c validation rule and `verifyX5cChain`. A chain is leaf first and "each following
 * certificate MUST directly certify the one preceding it" (RFC 7517 §4.7). Each link is checked
 * here without any cryptography; the signature of each link is the crypto layer's part.
 *
 * What a link needs (RFC 5280 §6.1.4):
 * - (names) the certificate's issuer is the next certificate's subject, compared by DER;
 * - (k) the issuer is a CA: a version 3 issuer has basicConstraints with cA TRUE. Version 1 and 2
 *   certificates have no extensions; like OpenSSL, jwkit accepts one only as a self-issued root
 *   at the end of the chain;
 * - (n) when the issuer has a keyUsage extension, keyCertSign is set;
 * - (m) the issuer's pathLenConstraint, if any, is not below the number of CA certificates that
 *   follow the leaf beneath it (self-issued certificates do not count).
 * A self-issued last certificate closes the chain: it is checked against itself for the
 * signature only (a self-signed end-entity certificate, common in JWKS, is not a CA).
 */

import { sameName } from './names.js';
import type { CertificateInfo } from './parse.js';

export type LinkProblem = 'name' | 'not-ca' | 'key-usage' | 'path-length';

export interface ChainLink {
  /** Index of the certificate in the chain. */
  readonly index: number;
  readonly cert: CertificateInfo;
  /** The certificate that signed it: the next one, or itself for a self-issued last certificate. */
  readonly issuer: CertificateInfo;
  /** True for the self-issued last certificate checked against itself. */
  readonly self: boolean;
  /** What is wrong with the link, or `undefined`. Never set for a `self` link. */
  readonly problem?: LinkProblem;
  /** A sentence saying what is wrong and what to do, when `problem` is set. */
  readonly message?: string;
}

/** Whether `cert` names `issuer`'s subject as its issuer (by DER). */
export function issuedBy(cert: CertificateInfo, issuer: CertificateInfo): boolean {
  return sameName(cert.issuerDER, issuer.subjectDER);
}

function isSelfIssued(cert: CertificateInfo): boolean {
  return sameName(cert.issuerDER, cert.subjectDER);
}

/** Every link of the chain, leaf first, each with what is wrong with it (if anything). */
export function chainLinks(chain: readonly CertificateInfo[]): ChainLink[] {
  const links: ChainLink[] = [];
  // Intermediate CA certificates from the leaf up to link i's certificate (the leaf excluded,
  // self-issued ones not counted: RFC 5280 §4.2.1.9).
  let intermediates = 0;
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (i > 0 && !isSelfIssued(cert)) intermediates++;
    const issuer = chain[i + 1];
    if (issuer === undefined) {
      if (isSelfIssued(cert)) links.push({ index: i, cert, issuer: cert, self: true });
      break;
    }
    const why = linkProblem(i, cert, issuer, i + 1 === chain.length - 1, intermediates);
    links.push(
      why ? { index: i, cert, issuer, self: false, ...why } : { index: i, cert, issuer, self: false },
    );
  }
  return links;
}

function linkProblem(
  i: number,
  cert: CertificateInfo,
  issuer: CertificateInfo,
  issuerIsLast: boolean,
  below: number,
): { problem: LinkProblem; message: string } | undefined {
  const next = `certificate ${i + 1} ("${issuer.subject}")`;
  if (!issuedBy(cert, issuer)) {
    return {
      problem: 'name',
      message: `certificate ${i} is issued by "${cert.issuer}" but ${next} has another subject (names are compared by their DER, RFC 5280 §4.1.2.4); order the chain leaf first, each followed by its issuer`,
    };
  }
  const legacyRoot = issuer.version < 3 && issuerIsLast && isSelfIssued(issuer);
  if (issuer.isCA !== true && !legacyRoot) {
    return {
      problem: 'not-ca',
      message: `${next} signs certificate ${i} but is not a CA (${issuer.isCA === false ? 'basicConstraints cA is FALSE' : issuer.version < 3 ? `a version ${issuer.version} certificate inside the chain` : 'it has no basicConstraints'}; RFC 5280 §6.1.4 (k)); an end-entity certificate cannot issue others`,
    };
  }
  if (issuer.keyUsage !== undefined && !issuer.keyUsage.includes('keyCertSign')) {
    return {
      problem: 'key-usage',
      message: `${next} signs certificate ${i} but its keyUsage lacks keyCertSign (RFC 5280 §4.2.1.3, §6.1.4 (n))`,
    };
  }
  if (issuer.pathLength !== undefined && below > issuer.pathLength) {
    return {
      problem: 'path-length',
      message: `${next} allows ${issuer.pathLength} intermediate CA certificate(s) below it (pathLenConstraint) but the chain has ${below} (RFC 5280 §4.2.1.9)`,
    };
  }
  return undefined;
}
