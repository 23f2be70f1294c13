/**
 * One key, shown three ways: its facts (type, size, alg, use, key_ops, kid, thumbprints, x5c
 * certificate), its members with the validator's problems beside each one, and its other forms
 * (public JWK, JWK Set, PEM, thumbprint URI) as copyable outputs.
 */

import type { Problem } from 'jwkit';
import { getAlgorithm, isKty, isPrivate, type JWK, KTY_MEMBERS, toPublic } from 'jwkit';
import { decodeStd } from 'jwkit/internal';
import { h } from '../dom.js';
import { describeKey, fileStem, keyBits } from '../keyinfo.js';
import { JWKSet, jwkToPEM, parseCertificate, thumbprint, thumbprintURI } from '../lib.js';
import { type OutputSpec, outputBox } from './output.js';
import { memberOfPath, problemItem } from './problems.js';

const THUMBPRINT_HASHES = ['SHA-256', 'SHA-384', 'SHA-512'] as const;

function row(term: string, ...value: (Node | string | null)[]): HTMLElement[] {
  return [h('dt', null, term), h('dd', null, ...value)];
}

function missing(text = 'not set'): HTMLElement {
  return h('span', { class: 'muted' }, text);
}

function describeAlg(alg: unknown): (Node | string)[] {
  if (typeof alg !== 'string') return [missing('not set: any algorithm that fits the key type may be used')];
  const info = getAlgorithm(alg);
  if (!info)
    return [h('code', null, alg), ' ', h('span', { class: 'muted' }, '(not a registered algorithm)')];
  const hash = info.hash ? ` with ${info.hash}` : '';
  return [
    h('code', null, alg),
    ' ',
    h(
      'span',
      { class: 'muted' },
      `${info.family}${hash}, ${info.use === 'sig' ? 'signing' : 'encryption'}, ${info.rfc}`,
    ),
    info.deprecated ? h('span', { class: 'badge badge-warning' }, `deprecated: ${info.deprecated}`) : '',
  ];
}

/** Subject, issuer and validity of the leaf of `x5c`, or why it could not be read. */
function certificateFacts(jwk: JWK, at: Date): HTMLElement[] {
  const x5c = jwk.x5c;
  if (!Array.isArray(x5c) || typeof x5c[0] !== 'string') return [];
  try {
    const { subject, issuer, notBefore, notAfter } = parseCertificate(decodeStd(x5c[0]));
    const state =
      at < notBefore
        ? 'not yet valid'
        : at > notAfter
          ? `expired ${notAfter.toISOString().slice(0, 10)}`
          : 'valid now';
    return [
      ...row('Certificate subject', h('span', { 'data-fact': 'subject' }, subject)),
      ...row('Certificate issuer', h('span', { 'data-fact': 'issuer' }, issuer)),
      ...row(
        'Certificate validity',
        h('span', { 'data-fact': 'validity' }, `${notBefore.toISOString()} to ${notAfter.toISOString()} `),
        h('span', { class: `badge ${state === 'valid now' ? 'badge-ok' : 'badge-warning'}` }, state),
      ),
      ...row('Chain length', `${x5c.length} certificate${x5c.length === 1 ? '' : 's'}`),
    ];
  } catch (error) {
    return row(
      'Certificate',
      h('span', { class: 'error-text' }, `cannot be read: ${(error as Error).message}`),
    );
  }
}

/** The facts list of a valid key. */
export function keyFacts(jwk: JWK): HTMLElement {
  const kty = jwk.kty;
  const bits = keyBits(jwk);
  const size =
    kty === 'EC' || kty === 'OKP'
      ? `${String(jwk.crv)} (${bits ?? '?'} bits)`
      : bits === undefined
        ? '?'
        : `${bits} bits`;
  const visibility = kty === 'oct' ? 'secret (symmetric)' : isPrivate(jwk) ? 'private (has d)' : 'public';
  const ops = Array.isArray(jwk.key_ops) ? jwk.key_ops.join(', ') : undefined;
  const prints = THUMBPRINT_HASHES.map((hash) =>
    h(
      'div',
      { class: 'thumb' },
      h('span', { class: 'muted' }, `${hash} `),
      h('code', null, thumbprint(jwk, hash)),
    ),
  );
  return h(
    'dl',
    { class: 'facts', 'data-facts': '' },
    row('Type', h('span', { 'data-fact': 'kty' }, kty)),
    row(kty === 'EC' || kty === 'OKP' ? 'Curve' : 'Size', h('span', { 'data-fact': 'size' }, size)),
    row(
      'Visibility',
      h(
        'span',
        { class: visibility === 'public' ? undefined : 'secret-text', 'data-fact': 'visibility' },
        visibility,
      ),
    ),
    row('Algorithm', ...describeAlg(jwk.alg)),
    row('Use', jwk.use === undefined ? missing() : h('code', { 'data-fact': 'use' }, String(jwk.use))),
    row('Key operations', ops === undefined ? missing() : h('code', { 'data-fact': 'key_ops' }, ops)),
    row('Key ID', jwk.kid === undefined ? missing() : h('code', { 'data-fact': 'kid' }, String(jwk.kid))),
    row('Thumbprints (RFC 7638)', ...prints),
    row('Thumbprint URI (RFC 9278)', h('code', { 'data-fact': 'thumbprint-uri' }, thumbprintURI(jwk))),
    certificateFacts(jwk, new Date()),
  );
}

/** Middle-truncates long member values; the full text stays in the title and the outputs. */
function shortValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 96 ? `${text.slice(0, 56)}…${text.slice(-24)} (${text.length} chars)` : text;
}

/**
 * The members of a key as given (not the canonical copy), each with the problems whose path
 * points at it; problems about the key as a whole come first.
 */
export function memberView(raw: unknown, problems: readonly Problem[], prefix: string): HTMLElement {
  const obj =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const byMember = new Map<string, Problem[]>();
  const whole: Problem[] = [];
  for (const p of problems) {
    const m = memberOfPath(p.path, prefix);
    if (m === undefined) continue;
    if (m === '' || !Object.hasOwn(obj, m)) whole.push(p);
    else byMember.set(m, [...(byMember.get(m) ?? []), p]);
  }
  const kty = obj.kty;
  const privateMembers = isKty(kty) ? KTY_MEMBERS[kty].private : [];
  const items = Object.entries(obj).map(([name, value]) => {
    const own = byMember.get(name) ?? [];
    const worst = own.some((p) => p.severity === 'error') ? 'error' : own.length ? 'warning' : 'ok';
    return h(
      'li',
      { class: `member member-${worst}`, 'data-member': name },
      h(
        'div',
        { class: 'member-row' },
        h('code', { class: 'member-name' }, JSON.stringify(name)),
        h(
          'code',
          { class: 'member-value', title: typeof value === 'string' ? value : undefined },
          shortValue(value),
        ),
        privateMembers.includes(name) ? h('span', { class: 'badge badge-secret' }, 'private') : null,
      ),
      own.length ? h('ul', { class: 'problems' }, own.map(problemItem)) : null,
    );
  });
  return h(
    'div',
    { class: 'members-wrap' },
    whole.length
      ? h('ul', { class: 'problems', 'aria-label': 'Problems with the whole key' }, whole.map(problemItem))
      : null,
    items.length ? h('ol', { class: 'members', 'aria-label': 'Members' }, items) : null,
  );
}

async function pem(jwk: JWK, format: 'spki' | 'pkcs8'): Promise<string> {
  try {
    return await jwkToPEM(jwk, { format });
  } catch (error) {
    return `(cannot convert: ${(error as Error).message})`;
  }
}

/**
 * Every form of a key worth copying. Private forms only when the key is private; `oct` keys
 * have no public form (RFC 7517 §5 sets are published; a shared secret must never be).
 */
export async function keyOutputs(jwk: JWK): Promise<OutputSpec[]> {
  const stem = fileStem(jwk, thumbprint(jwk).slice(0, 16));
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  const out: OutputSpec[] = [];
  if (jwk.kty === 'oct') {
    out.push({
      name: 'private-jwk',
      title: 'Secret JWK',
      text: json(jwk),
      filename: `${stem}.secret.jwk.json`,
      secret: true,
      wide: true,
      note: 'A symmetric key has no public form, PEM or public set: share it only with the parties that verify or decrypt.',
    });
  } else {
    const pub = toPublic(jwk);
    // Secret forms side by side on the first row, public forms below them.
    if (isPrivate(jwk)) {
      out.push(
        {
          name: 'private-jwk',
          title: 'Private JWK',
          text: json(jwk),
          filename: `${stem}.private.jwk.json`,
          secret: true,
        },
        {
          name: 'pkcs8',
          title: 'Private key PEM (PKCS#8)',
          text: await pem(jwk, 'pkcs8'),
          filename: `${stem}.pkcs8.pem`,
          secret: true,
        },
      );
    }
    out.push(
      { name: 'public-jwk', title: 'Public JWK', text: json(pub), filename: `${stem}.public.jwk.json` },
      {
        name: 'spki',
        title: 'Public key PEM (SPKI)',
        text: await pem(pub, 'spki'),
        filename: `${stem}.spki.pem`,
      },
      {
        name: 'public-jwks',
        title: 'Public JWK Set',
        text: json(JWKSet.from({ keys: [pub] }).toJSON()),
        filename: `${stem}.jwks.json`,
        note: 'Ready to publish at /.well-known/jwks.json.',
        wide: true,
      },
    );
  }
  out.push(
    {
      name: 'thumbprint',
      title: 'Thumbprint (SHA-256, RFC 7638)',
      text: thumbprint(jwk),
      filename: `${stem}.thumbprint.txt`,
      wide: true,
    },
    {
      name: 'thumbprint-uri',
      title: 'Thumbprint URI (RFC 9278)',
      text: thumbprintURI(jwk),
      filename: `${stem}.thumbprint-uri.txt`,
      wide: true,
    },
  );
  return out;
}

export async function keyOutputsView(jwk: JWK): Promise<HTMLElement> {
  return h('div', { class: 'outputs' }, (await keyOutputs(jwk)).map(outputBox));
}

/** A heading line for a key: "RSA 2048 · kid abc". */
export function keyTitle(jwk: { kty?: unknown; kid?: unknown; [m: string]: unknown }): string {
  return `${describeKey(jwk)}${typeof jwk.kid === 'string' ? ` · kid ${jwk.kid}` : ''}`;
}
