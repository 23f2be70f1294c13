/**
 * The JWT debugger: decode a compact token, verify it against a pasted JWK, JWK Set or PEM, or a
 * JWK Set the browser fetches from a URL, and say which key was used and why, or exactly why
 * verification failed. The token and keys stay in the page; the only request is the explicit
 * JWKS fetch, which carries no token and no key.
 */

import type { DecodedJWT, JWK, JWSHeader, JWTPayload } from 'jwkit';
import { getAlgorithm, JWKError, signatureAlgorithms } from 'jwkit';
import { dropzone } from '../components/dropzone.js';
import { field, setOptions } from '../components/form.js';
import { keyTitle } from '../components/keyview.js';
import { announce } from '../components/status.js';
import { detectInput } from '../detect.js';
import { debounce, h, render } from '../dom.js';
import { errorView } from '../errors-view.js';
import { readPEM } from '../import.js';
import {
  decodeJWT,
  JWKitError,
  JWKSet,
  keyProfile,
  thumbprint,
  validateJWK,
  verificationRejection,
  verifyJWT,
} from '../lib.js';

/** Registered time claims (RFC 7519 §4.1.4-4.1.6), shown as dates. */
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

interface Keys {
  readonly list: readonly JWK[];
  /** What verifyJWT gets: a set, or the one key the user gave. */
  readonly source: JWK | JWKSet;
}

async function readKeys(text: string): Promise<Keys | undefined> {
  const kind = detectInput(text);
  if (kind === 'empty') return undefined;
  if (kind === 'jwks') {
    const set = JWKSet.from(text);
    return { list: set.list(), source: set };
  }
  if (kind === 'pem' || kind === 'der') {
    const keys = await readPEM(text, kind);
    return { list: keys, source: keys.length === 1 ? keys[0]! : new JWKSet(keys) };
  }
  const report = validateJWK(text);
  if (!report.key) throw new JWKError(report.problems);
  return { list: [report.key], source: report.key };
}

/**
 * The key verification uses for this header, by the library's own rules: a set's `select`
 * (kid, then type, curve, size, use, key_ops and alg), or the single key given (whose kid is
 * not compared, as in verifyJWT).
 */
function selection(keys: Keys, header: JWSHeader): { jwk?: JWK; why: string } {
  const source = keys.source;
  if (source instanceof JWKSet) {
    try {
      const jwk = source.select(header);
      return {
        jwk,
        why:
          header.kid === undefined
            ? `the only key that can verify ${header.alg}`
            : `kid matches and it can verify ${header.alg}`,
      };
    } catch (error) {
      return { why: `no key selected: ${(error as Error).message}` };
    }
  }
  return { jwk: source, why: 'the one key given (its kid is not compared)' };
}

function rejection(jwk: JWK, header: JWSHeader): string | undefined {
  const alg = getAlgorithm(header.alg);
  if (alg === undefined || alg.use !== 'sig') return `${JSON.stringify(header.alg)} is not a JWS algorithm`;
  return verificationRejection(jwk, keyProfile(jwk), alg);
}

function json(value: unknown): HTMLElement {
  return h('pre', { class: 'output-text', tabindex: 0 }, h('code', null, JSON.stringify(value, null, 2)));
}

function relative(seconds: number, at: Date): string {
  const diff = seconds - at.getTime() / 1000;
  const abs = Math.abs(diff);
  const unit =
    abs < 120
      ? `${Math.round(abs)} s`
      : abs < 7200
        ? `${Math.round(abs / 60)} min`
        : abs < 172800
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86400)} days`;
  return diff >= 0 ? `in ${unit}` : `${unit} ago`;
}

function timeClaims(payload: JWTPayload, at: Date): HTMLElement | null {
  const rows = TIME_CLAIMS.filter((c) => typeof payload[c] === 'number').map((c) => {
    const s = payload[c] as number;
    return [
      h('dt', null, h('code', null, c)),
      h('dd', null, `${new Date(s * 1000).toISOString()} (${relative(s, at)})`),
    ];
  });
  return rows.length ? h('dl', { class: 'facts claims-times' }, rows) : null;
}

/** Every key of the input against the header, the selected one marked. */
function candidates(keys: Keys, header: JWSHeader, selected: JWK | undefined): HTMLElement {
  const single = !(keys.source instanceof JWKSet);
  const chosen = selected ? thumbprint(selected) : undefined;
  const rows = keys.list.map((k) => {
    const isSelected = chosen !== undefined && thumbprint(k) === chosen;
    const kidNote = single
      ? 'not compared'
      : header.kid === undefined
        ? 'token names no kid'
        : k.kid === header.kid
          ? 'matches'
          : k.kid === undefined
            ? 'key has no kid'
            : `differs (${JSON.stringify(k.kid)})`;
    const reason = rejection(k, header);
    return h(
      'tr',
      { class: isSelected ? 'selected' : '', 'data-candidate': k.kid ?? '' },
      h('td', null, isSelected ? h('span', { class: 'badge badge-ok' }, 'selected') : ''),
      h('td', null, keyTitle(k)),
      h('td', null, kidNote),
      h('td', null, reason === undefined ? `can verify ${header.alg}` : `cannot: ${reason}`),
    );
  });
  const th = (text: string) => h('th', { scope: 'col' }, text);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'candidates' },
      h('caption', { class: 'visually-hidden' }, 'Keys considered for the token'),
      h('thead', null, h('tr', null, th(''), th('Key'), th('kid'), th(`alg ${header.alg}`))),
      h('tbody', null, rows),
    ),
  );
}

function verdictView(outcome: { key: JWK } | { error: unknown } | undefined, at: Date): HTMLElement {
  if (outcome === undefined) {
    return h(
      'div',
      { class: 'verdict', 'data-verdict': 'none' },
      h('strong', null, 'Not verified.'),
      ' Paste a key, a JWK Set or PEM, or fetch a JWK Set, to check the signature.',
    );
  }
  if ('key' in outcome) {
    return h(
      'div',
      { class: 'verdict verdict-ok', 'data-verdict': 'valid' },
      h('strong', null, 'Signature verified'),
      ` with ${keyTitle(outcome.key)}; claims checked at ${at.toISOString()}.`,
    );
  }
  const error = outcome.error;
  const code = error instanceof JWKitError ? error.code : 'ERROR';
  return h(
    'div',
    { class: 'verdict verdict-bad', role: 'alert', 'data-verdict': 'invalid', 'data-code': code },
    h('strong', null, 'Rejected'),
    ' ',
    h('code', null, code),
    h('p', null, error instanceof Error ? error.message : String(error)),
  );
}

function input(id: string, type = 'text'): HTMLInputElement {
  return h('input', { id, name: id, type, autocomplete: 'off', spellcheck: 'false' });
}

export function jwtScreen(): HTMLElement {
  const result = h('div', { class: 'result', id: 'jwt-result' });
  const urlInput = input('jwt-url', 'url');
  urlInput.placeholder = 'https://issuer.example/.well-known/jwks.json';
  const fetchStatus = h('p', { class: 'hint', id: 'jwt-fetch-status', role: 'status' });
  const atInput = h('input', { id: 'jwt-at', name: 'at', type: 'datetime-local', step: 1 });
  const algSelect = h('select', { id: 'jwt-alg', name: 'alg' });
  setOptions(algSelect, [
    { value: '', label: 'the key’s own alg' },
    ...signatureAlgorithms().map((a) => ({ value: a.alg, label: a.alg })),
  ]);
  const issuerInput = input('jwt-iss');
  const audienceInput = input('jwt-aud');
  let run = 0;

  const verify = async () => {
    const mine = ++run;
    const token = tokenZone.textarea.value.trim();
    if (!token) {
      render(result);
      return;
    }
    const at = atInput.value ? new Date(atInput.value) : new Date();
    let decoded: DecodedJWT;
    try {
      decoded = decodeJWT(token);
    } catch (error) {
      render(result, errorView('This is not a readable JWT', error));
      return;
    }
    let keys: Keys | undefined;
    let keyError: HTMLElement | null = null;
    try {
      keys = await readKeys(keyZone.textarea.value);
    } catch (error) {
      keyError = errorView('The key input is not usable', error);
    }
    let outcome: { key: JWK } | { error: unknown } | undefined;
    if (keys) {
      const iss = issuerInput.value.trim();
      const aud = audienceInput.value.trim();
      outcome = await verifyJWT(token, keys.source, {
        clock: () => at.getTime(),
        ...(algSelect.value ? { algorithms: [algSelect.value] } : {}),
        ...(iss ? { issuer: iss } : {}),
        ...(aud ? { audience: aud } : {}),
      }).then(
        (res) => ({ key: res.key }),
        (error: unknown) => ({ error }),
      );
    }
    if (mine !== run) return;
    announce(
      outcome === undefined
        ? 'Token decoded; not verified.'
        : 'key' in outcome
          ? 'Signature verified.'
          : `Rejected: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`,
    );
    const { header, payload } = decoded;
    const alg = getAlgorithm(header.alg);
    const picked = keys ? selection(keys, header) : undefined;
    render(
      result,
      verdictView(outcome, at),
      keyError,
      h(
        'div',
        { class: 'grid-2' },
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'jwt-header-h' },
          h('h3', { id: 'jwt-header-h', class: 'card-title' }, 'Header'),
          alg
            ? h(
                'p',
                { class: 'muted' },
                `${alg.alg}: ${alg.family}${alg.hash ? ` with ${alg.hash}` : ''} (${alg.rfc})`,
              )
            : null,
          json(header),
        ),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'jwt-claims-h' },
          h('h3', { id: 'jwt-claims-h', class: 'card-title' }, 'Claims'),
          timeClaims(payload, at),
          json(payload),
        ),
      ),
      keys && picked
        ? h(
            'section',
            { class: 'card', 'aria-labelledby': 'jwt-keys-h' },
            h('h3', { id: 'jwt-keys-h', class: 'card-title' }, 'Key selection'),
            h(
              'p',
              { 'data-selection': '' },
              `The token asks for alg ${header.alg}${header.kid === undefined ? ' and names no kid' : ` and kid ${JSON.stringify(header.kid)}`}. `,
              picked.jwk ? h('strong', null, `Selected ${keyTitle(picked.jwk)}: `) : null,
              picked.why,
              '.',
            ),
            candidates(keys, header, picked.jwk),
          )
        : null,
    );
  };
  const later = debounce(() => void verify(), 300);

  const fetchJWKS = async () => {
    let url: URL;
    try {
      url = new URL(urlInput.value.trim());
    } catch {
      fetchStatus.textContent = 'Enter an absolute URL, e.g. https://issuer.example/.well-known/jwks.json.';
      return;
    }
    fetchStatus.textContent = `Fetching ${url.href}…`;
    try {
      // A plain GET without credentials or referrer: it carries neither the token nor a key.
      const res = await fetch(url.href, {
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        cache: 'no-store',
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      const count = JWKSet.from(text).size;
      keyZone.textarea.value = text;
      fetchStatus.textContent = `Fetched ${count} usable key${count === 1 ? '' : 's'} from ${url.host} (HTTP ${res.status}).`;
      await verify();
    } catch (error) {
      fetchStatus.textContent = `Could not fetch the set: ${(error as Error).message}. The server must allow cross-origin GET (CORS); the page fetches https URLs, or http on localhost.`;
    }
  };

  const tokenZone = dropzone({
    label: 'Token (JWS compact)',
    name: 'token',
    rows: 6,
    placeholder: 'eyJhbGciOi…',
    hint: 'Decoded and verified here; the token is never sent anywhere.',
    onLoad: () => void verify(),
    onInput: later,
  });
  const keyZone = dropzone({
    label: 'Key: JWK, JWK Set or PEM',
    name: 'jwt-key',
    rows: 6,
    placeholder: '{"keys":[…]}',
    onLoad: () => void verify(),
    onInput: later,
  });
  for (const control of [atInput, algSelect, issuerInput, audienceInput])
    control.addEventListener('change', () => void verify());

  return h(
    'div',
    { class: 'screen' },
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'jwt-heading' },
      h('h2', { id: 'jwt-heading', class: 'card-title' }, 'Decode and verify a JWT'),
      h('div', { class: 'grid-2' }, tokenZone.element, keyZone.element),
      h(
        'div',
        { class: 'url-row' },
        field('Or fetch a JWK Set from a URL', urlInput),
        h(
          'button',
          { type: 'button', class: 'btn', id: 'jwt-fetch', onclick: () => void fetchJWKS() },
          'Fetch',
        ),
      ),
      fetchStatus,
      h(
        'div',
        { class: 'options-grid' },
        field(
          'Accept algorithm',
          algSelect,
          'RFC 8725 §3.1: the verifier, not the token, picks the algorithm.',
        ),
        field('Expected issuer (iss)', issuerInput, 'Optional.'),
        field('Expected audience (aud)', audienceInput, 'Optional.'),
        field('Check time claims at', atInput, 'Empty means now.'),
      ),
      h(
        'div',
        { class: 'form-actions' },
        h(
          'button',
          { type: 'button', class: 'btn btn-primary', id: 'jwt-verify', onclick: () => void verify() },
          'Verify',
        ),
      ),
    ),
    result,
  );
}
