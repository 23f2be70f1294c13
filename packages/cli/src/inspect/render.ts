/** The human form of an inspect report (the `--json` form is the report object itself). */

import { fields, formatProblem, isoDate, type Style } from '../output.js';
import type { HttpReport, InspectReport, KeyReport } from './report.js';

const TYPE_NAMES: Record<InspectReport['type'], string> = {
  jwk: 'JWK',
  jwks: 'JWK Set',
  pem: 'PEM',
  der: 'DER',
  jwt: 'JWT (JWS compact)',
  jwe: 'JWE (encrypted token)',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderReport(report: InspectReport, style: Style): string[] {
  const lines: string[] = [];
  const skipped = report.keys.filter((k) => k.status === 'skipped').length;
  const what =
    report.type === 'jwt' || report.type === 'jwe'
      ? TYPE_NAMES[report.type]
      : `${TYPE_NAMES[report.type]}, ${plural(report.keys.length, 'key')}${skipped ? ` (${skipped} skipped)` : ''}`;
  lines.push(`${style.bold(report.source)}: ${what}`);

  if (report.discovery) {
    lines.push('', style.bold('discovery document'));
    lines.push(
      ...fields(
        [
          ['url', report.discovery.url],
          ['issuer', report.discovery.issuer],
          ['jwks_uri', report.discovery.jwks_uri],
        ],
        style,
      ),
    );
  }
  if (report.http) lines.push('', style.bold('http'), ...renderHttp(report.http, style));
  if (report.jwt) {
    lines.push('', style.bold('header'), ...indentJSON(report.jwt.header));
    if (report.jwt.payload !== undefined)
      lines.push(style.bold('payload'), ...indentJSON(report.jwt.payload));
    lines.push(...claimTimes(report.jwt.payload, style));
    lines.push(style.yellow('  not verified: decoding only; use `jwkit jwt verify` to check the signature'));
  }
  for (const key of report.keys) lines.push('', ...renderKey(key, report.type === 'jwk', style));

  const keyProblems = new Set(report.keys.flatMap((k) => k.problems));
  const documentProblems = report.problems.filter((p) => !keyProblems.has(p));
  if (documentProblems.length > 0) {
    lines.push('', style.bold('document'));
    for (const p of documentProblems) lines.push(`  ${formatProblem(p, style)}`);
  }
  const verdict = report.valid ? style.green('valid') : style.red('invalid');
  lines.push('', `${verdict}: ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}`);
  return lines;
}

function renderKey(key: KeyReport, single: boolean, style: Style): string[] {
  const title = single ? 'key' : `key ${key.index}`;
  if (key.status === 'skipped') {
    const about = [key.kty, key.kid === undefined ? undefined : `kid ${JSON.stringify(key.kid)}`]
      .filter(Boolean)
      .join(', ');
    const lines = [`${style.bold(title)}: ${style.red('skipped')} (unusable${about ? `: ${about}` : ''})`];
    for (const p of key.problems) lines.push(`  ${formatProblem(p, style)}`);
    if (key.reasons?.length) lines.push(`  ${style.dim('because:')}`);
    for (const p of key.reasons ?? []) lines.push(`    ${formatProblem(p, style)}`);
    return lines;
  }
  const size =
    key.kty === 'RSA' || key.kty === 'oct'
      ? `${key.kty} ${key.bits ?? '?'} bits`
      : key.kty === 'AKP'
        ? `AKP ${key.alg ?? '?'}` // RFC 9964 §3: the alg is the key's parameter set
        : `${key.kty} ${key.crv}`;
  const lines = [`${style.bold(title)}: ${size}${key.private ? style.yellow(' (private)') : ' (public)'}`];
  lines.push(
    ...fields(
      [
        ['kid', key.kid],
        ['alg', key.alg],
        ['use', key.use],
        ['key_ops', key.key_ops?.join(', ')],
        ['thumbprint', key.thumbprint],
      ],
      style,
    ),
  );
  key.certificates?.forEach((c, i) => {
    const validity = `${isoDate(new Date(c.notBefore))} to ${isoDate(new Date(c.notAfter))}`;
    const state = c.expired
      ? style.yellow(' (expired)')
      : c.notYetValid
        ? style.yellow(' (not yet valid)')
        : '';
    lines.push(`  ${style.dim(`x5c[${i}]:`)}`);
    lines.push(
      ...fields(
        [
          ['subject', c.subject],
          ['issuer', c.issuer],
          ['serial', c.serialNumber],
          ['valid', `${validity}${state}`],
          ['signature', c.signatureAlgorithm],
        ],
        style,
        '    ',
      ),
    );
  });
  for (const p of key.problems) lines.push(`  ${formatProblem(p, style)}`);
  return lines;
}

function renderHttp(http: HttpReport, style: Style): string[] {
  return fields(
    [
      ['url', http.url],
      ['status', String(http.status)],
      ['content-type', http.contentType],
      ['cache-control', http.cacheControl],
      ['expires', http.expires],
      ['etag', http.etag],
      ['last-modified', http.lastModified],
      ['age', http.age],
    ],
    style,
  );
}

function indentJSON(value: unknown): string[] {
  return JSON.stringify(value, null, 2)
    .split('\n')
    .map((l) => `  ${l}`);
}

/** exp / nbf / iat as dates, so a reader need not convert NumericDates by hand. */
function claimTimes(payload: unknown, style: Style): string[] {
  if (payload === null || typeof payload !== 'object') return [];
  const p = payload as Record<string, unknown>;
  const rows: [string, string | undefined][] = [];
  for (const claim of ['iat', 'nbf', 'exp']) {
    const v = p[claim];
    if (typeof v === 'number' && Number.isFinite(v)) rows.push([claim, isoDate(v * 1000)]);
  }
  return fields(rows, style);
}
