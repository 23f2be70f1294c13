/**
 * The report `jwkit inspect` prints: what each key is, its certificates, and every problem with
 * severity, code, path and RFC. Built from the validators' reports; nothing here re-validates.
 */

import type { CertificateInfo, JWK, Problem } from 'jwkit';
import { problem, thumbprint } from 'jwkit';
import { decodeStd } from 'jwkit/internal';
import { describeKey, type KeySummary } from '../summary.js';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  signatureAlgorithm: string;
  /** Outside its validity period at the time of inspection. */
  expired: boolean;
  notYetValid: boolean;
}

export interface KeyReport extends Partial<KeySummary> {
  /** Position in the set (or PEM text). */
  index: number;
  /** `skipped`: the key failed validation and a consumer would ignore it (RFC 7517 §5). */
  status: 'ok' | 'skipped';
  thumbprint?: string;
  certificates?: CertificateSummary[];
  /** Counted problems: they decide `valid` and the exit status. */
  problems: Problem[];
  /** Why a skipped key was skipped, when the skip itself is the counted problem (lenient reading). */
  reasons?: Problem[];
}

export interface HttpReport {
  url: string;
  status: number;
  contentType?: string;
  cacheControl?: string;
  expires?: string;
  etag?: string;
  lastModified?: string;
  age?: string;
}

export interface InspectReport {
  source: string;
  type: 'jwk' | 'jwks' | 'pem' | 'der' | 'jwt' | 'jwe';
  /** No error (after `--strict` turned warnings into errors). */
  valid: boolean;
  errors: number;
  warnings: number;
  keys: KeyReport[];
  /** Every problem, keys' and document-level, in input order. */
  problems: Problem[];
  discovery?: { url: string; issuer?: string; jwks_uri?: string; http: HttpReport };
  http?: HttpReport;
  jwt?: { header: Record<string, unknown>; payload?: unknown; verified: false };
}

/** `keys[3].n` belongs to key 3; `''` and `keys` belong to the document. */
export function problemsOfKey(problems: readonly Problem[], prefix: string): Problem[] {
  return problems.filter(
    (p) => p.path === prefix || p.path.startsWith(`${prefix}.`) || p.path.startsWith(`${prefix}[`),
  );
}

/** Facts and certificates of a validated key. */
export function reportKey(
  jwk: JWK,
  index: number,
  problems: Problem[],
  parseCertificate: (der: Uint8Array) => CertificateInfo,
  now: Date,
): KeyReport {
  const report: KeyReport = { index, status: 'ok', ...describeKey(jwk), problems };
  try {
    report.thumbprint = thumbprint(jwk);
  } catch {}
  if (Array.isArray(jwk.x5c)) report.certificates = certificates(jwk.x5c, parseCertificate, now);
  return report;
}

/** What can be said of a key that failed validation: its raw kty and kid, and why it failed. */
export function reportSkipped(raw: unknown, index: number, problems: Problem[]): KeyReport {
  const r = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const report: KeyReport = { index, status: 'skipped', problems };
  if (typeof r.kty === 'string') report.kty = r.kty;
  if (typeof r.kid === 'string') report.kid = r.kid;
  if (typeof r.alg === 'string') report.alg = r.alg;
  if (typeof r.use === 'string') report.use = r.use;
  return report;
}

function certificates(
  x5c: readonly unknown[],
  parseCertificate: (der: Uint8Array) => CertificateInfo,
  now: Date,
): CertificateSummary[] {
  const out: CertificateSummary[] = [];
  for (const entry of x5c) {
    if (typeof entry !== 'string') break;
    let cert: CertificateInfo;
    try {
      cert = parseCertificate(decodeStd(entry));
    } catch {
      break; // The validator has reported the broken certificate with its path.
    }
    out.push({
      subject: cert.subject,
      issuer: cert.issuer,
      serialNumber: cert.serialNumber,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      signatureAlgorithm: cert.signatureAlgorithm.name,
      expired: now > cert.notAfter,
      notYetValid: now < cert.notBefore,
    });
  }
  return out;
}

/** RSA below the registry's 2048 bits: an error for a published set, a warning for a file. */
export function weakRSAWarning(key: KeyReport, path: string): Problem | undefined {
  if (key.kty !== 'RSA' || key.bits === undefined || key.bits >= 2048) return undefined;
  return problem(
    'warning',
    'RSA_MODULUS_WEAK',
    path,
    `the RSA modulus has ${key.bits} bits; RSA algorithms need at least 2048 (jwkit refuses it by default): replace the key`,
    'RFC 7518 §3.3',
  );
}

/**
 * Counts the problems and applies `--strict` (every warning counts as an error). A promoted
 * problem is the same object in the key's list and the document's, so renderers can tell them apart.
 */
export function finish(
  report: Omit<InspectReport, 'valid' | 'errors' | 'warnings'>,
  strict: boolean,
): InspectReport {
  const promoted = new Map<Problem, Problem>();
  const promote = (p: Problem): Problem => {
    if (!strict || p.severity === 'error') return p;
    const known = promoted.get(p);
    if (known) return known;
    const q: Problem = { ...p, severity: 'error' };
    promoted.set(p, q);
    return q;
  };
  const problems = report.problems.map(promote);
  const keys = report.keys.map((k) => ({ ...k, problems: k.problems.map(promote) }));
  const errors = problems.filter((p) => p.severity === 'error').length;
  return {
    source: report.source,
    type: report.type,
    valid: errors === 0,
    errors,
    warnings: problems.length - errors,
    ...(report.discovery && { discovery: report.discovery }),
    ...(report.http && { http: report.http }),
    ...(report.jwt && { jwt: report.jwt }),
    keys,
    problems,
  };
}
