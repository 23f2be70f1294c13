/**
 * The inspector: paste or drop a JWK, a JWK Set, PEM or a certificate; see each key's facts, every
 * validator problem next to the member it is about, and the key's other forms.
 */

import type { JWK, Problem } from 'jwkit';
import { dropzone } from '../components/dropzone.js';
import { field, setOptions } from '../components/form.js';
import { keyFacts, keyOutputsView, keyTitle, memberView } from '../components/keyview.js';
import { outputBox } from '../components/output.js';
import { countProblems, memberOfPath, problemList } from '../components/problems.js';
import { announce } from '../components/status.js';
import { detectInput, type InputKind } from '../detect.js';
import { debounce, h, render } from '../dom.js';
import { errorView } from '../errors-view.js';
import { readPEM } from '../import.js';
import { JWKSet, validateJWK, validateJWKSet } from '../lib.js';

/** One key of the input, valid or not. */
interface Entry {
  readonly label: string;
  /** The key as given, for the member view. */
  readonly raw: unknown;
  /** Path prefix of the key's problems: `keys[3]` in a set, '' for a single key. */
  readonly prefix: string;
  readonly problems: readonly Problem[];
  /** The validated, canonical key; absent when the key has errors. */
  readonly key?: JWK;
}

interface Inspection {
  readonly summary: string;
  readonly problems: readonly Problem[];
  readonly entries: readonly Entry[];
  /** The usable keys as a public set, for a set input. */
  readonly publicSet?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

/** "2 warnings", or for a key that cannot be used "skipped: 1 error" (in a set) / "invalid: ...". */
function status(problems: readonly Problem[], key: JWK | undefined, inSet: boolean): string {
  return key ? countProblems(problems) : `${inSet ? 'skipped' : 'invalid'}: ${countProblems(problems)}`;
}

function inspectSet(text: string): Inspection {
  const report = validateJWKSet(text);
  const raw = parseLoose(text) as { keys?: unknown } | undefined;
  const rawKeys = Array.isArray(raw?.keys) ? raw.keys : [];
  // A skipped key's own problems live on its `skipped` entry; the set's list says it was skipped.
  const skipped = new Map(report.skipped.map((s) => [s.index, s.problems]));
  const all = [...report.problems, ...report.skipped.flatMap((s) => s.problems)];
  let good = 0;
  const entries = rawKeys.map((rawKey, i): Entry => {
    const prefix = `keys[${i}]`;
    const problems = [
      ...report.problems.filter((p) => memberOfPath(p.path, prefix) !== undefined),
      ...(skipped.get(i) ?? []),
    ];
    const key = skipped.has(i) ? undefined : report.keys[good++];
    return {
      label: `#${i} ${keyTitle(key ?? (isObject(rawKey) ? rawKey : {}))} (${status(problems, key, true)})`,
      raw: rawKey,
      prefix,
      problems,
      ...(key ? { key } : {}),
    };
  });
  return {
    summary: `JWK Set: ${rawKeys.length} key${rawKeys.length === 1 ? '' : 's'}, ${report.keys.length} usable, ${report.skipped.length} skipped; ${countProblems(all)}`,
    problems: report.problems.filter((p) => !/^keys\[\d+\]/.test(p.path)),
    entries,
    ...(report.keys.length
      ? { publicSet: `${JSON.stringify(JWKSet.from({ keys: report.keys }).toJSON(), null, 2)}\n` }
      : {}),
  };
}

function inspectKey(text: string): Inspection {
  const report = validateJWK(text);
  const raw = parseLoose(text);
  return {
    summary: `JWK: ${report.valid ? 'valid' : 'invalid'}; ${countProblems(report.problems)}`,
    problems: [],
    entries: [
      {
        label: keyTitle(report.key ?? (isObject(raw) ? raw : {})),
        raw,
        prefix: '',
        problems: report.problems,
        ...(report.key ? { key: report.key } : {}),
      },
    ],
  };
}

async function inspectPEM(text: string, kind: InputKind): Promise<Inspection> {
  const keys = await readPEM(text, kind);
  const entries = keys.map((jwk, i): Entry => {
    const report = validateJWK(jwk);
    return {
      label: `#${i} ${keyTitle(jwk)} (${status(report.problems, report.key, false)})`,
      raw: jwk,
      prefix: '',
      problems: report.problems,
      ...(report.key ? { key: report.key } : {}),
    };
  });
  return { summary: `PEM: ${keys.length} key${keys.length === 1 ? '' : 's'}`, problems: [], entries };
}

async function entryView(entry: Entry): Promise<HTMLElement> {
  const badge = entry.key ? (entry.problems.length ? 'badge-warning' : 'badge-ok') : 'badge-error';
  return h(
    'article',
    { class: 'card key-result', 'data-entry': entry.prefix || 'key' },
    h(
      'h3',
      { class: 'card-title' },
      `${entry.key ? keyTitle(entry.key) : 'Unusable key'} `,
      h('span', { class: `badge ${badge}` }, status(entry.problems, entry.key, entry.prefix !== '')),
    ),
    entry.key ? keyFacts(entry.key) : null,
    h('h4', { class: 'section-title' }, isObject(entry.raw) ? 'Members' : 'Problems'),
    memberView(entry.raw, entry.problems, entry.prefix),
    entry.key ? [h('h4', { class: 'section-title' }, 'Other forms'), await keyOutputsView(entry.key)] : null,
  );
}

export function inspectScreen(): HTMLElement {
  const result = h('div', { class: 'result', id: 'inspect-result' });
  const picker = h('select', { id: 'inspect-pick', name: 'key' });
  const pickerField = field('Key', picker, 'Pick a key of the set by kid.');
  const slot = h('div', { 'data-entry-slot': '' });
  let current: Inspection | undefined;
  let inspected: string | undefined;
  let run = 0;
  let shown = 0;

  const showEntry = async () => {
    const entry = current?.entries[Number(picker.value)];
    // Views build asynchronously (PEM forms); only the latest pick may render.
    const mine = ++shown;
    let view: HTMLElement | null;
    try {
      view = entry ? await entryView(entry) : null;
    } catch (error) {
      view = errorView('Could not show this key', error);
    }
    if (mine === shown) render(slot, view);
  };
  picker.addEventListener('change', () => void showEntry());

  const read = async (text: string): Promise<Inspection | HTMLElement | undefined> => {
    const kind = detectInput(text);
    if (kind === 'empty') return undefined;
    if (kind === 'jwks') return inspectSet(text);
    if (kind === 'jwk' || kind === 'json') return inspectKey(text);
    if (kind === 'pem' || kind === 'der') return inspectPEM(text, kind);
    if (kind === 'jwt') {
      return h(
        'div',
        { class: 'alert' },
        'This is a JWT: open the ',
        h('a', { href: '#jwt' }, 'JWT debugger'),
        ' to decode and verify it.',
      );
    }
    return h(
      'div',
      { class: 'alert alert-error', role: 'alert' },
      'Not recognised. Paste a JWK (a JSON object), a JWK Set ({"keys": [...]}), PEM text, or a base64 DER certificate.',
    );
  };

  const inspect = async () => {
    const text = zone.textarea.value;
    // The debounced run after typing and the button may both fire: the same text keeps its view.
    if (text === inspected) return;
    inspected = text;
    const mine = ++run;
    let outcome: Inspection | HTMLElement | undefined;
    try {
      outcome = await read(text);
    } catch (error) {
      outcome = errorView('Could not read the input', error);
    }
    if (mine !== run) return;
    current = outcome instanceof HTMLElement ? undefined : outcome;
    render(slot);
    if (!current) {
      render(result, outcome as HTMLElement | undefined);
      return;
    }
    setOptions(
      picker,
      current.entries.map((e, i) => ({ value: String(i), label: e.label })),
    );
    pickerField.hidden = current.entries.length < 2;
    const hasErrors = [...current.problems, ...current.entries.flatMap((e) => e.problems)].some(
      (p) => p.severity === 'error',
    );
    render(
      result,
      h(
        'div',
        { class: `summary ${hasErrors ? 'summary-error' : ''}` },
        h('strong', { 'data-summary': '' }, current.summary),
        problemList(current.problems, 'Problems with the set'),
        pickerField,
      ),
      slot,
      current.publicSet
        ? outputBox({
            name: 'set-public',
            title: 'Usable keys as a canonical public JWK Set',
            text: current.publicSet,
            filename: 'jwks.json',
          })
        : null,
    );
    announce(current.summary);
    await showEntry();
  };

  const zone = dropzone({
    label: 'JWK, JWK Set, PEM or certificate',
    name: 'inspect-input',
    rows: 10,
    placeholder: '{"kty":"EC","crv":"P-256","x":"…","y":"…"}',
    onLoad: () => void inspect(),
    onInput: debounce(() => void inspect(), 400),
  });

  return h(
    'div',
    { class: 'screen' },
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'inspect-heading' },
      h('h2', { id: 'inspect-heading', class: 'card-title' }, 'Inspect a key or set'),
      zone.element,
      h(
        'div',
        { class: 'form-actions' },
        h(
          'button',
          { type: 'button', class: 'btn btn-primary', id: 'inspect-submit', onclick: () => void inspect() },
          'Inspect',
        ),
      ),
    ),
    result,
  );
}
