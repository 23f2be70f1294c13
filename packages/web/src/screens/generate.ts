/**
 * The generator: pick a key type, then only the algorithms, uses and key operations the registry
 * allows for it; the key is made in this browser (WebCrypto, or @noble/curves where WebCrypto
 * lacks the curve) and never sent anywhere. Also imports PEM keys and certificates.
 */

import type { JWK, KeyOp, Use } from 'jwkit';
import {
  algorithmChoices,
  defaultAlgorithm,
  findKeyType,
  type KeyTypeChoice,
  keyOpChoices,
  keyTypeChoices,
  octSizes,
  useChoices,
} from '../choices.js';
import { dropzone } from '../components/dropzone.js';
import { checkboxGroup, field, setOptions } from '../components/form.js';
import { keyFacts, keyOutputsView, keyTitle } from '../components/keyview.js';
import { countProblems, problemList } from '../components/problems.js';
import { announce } from '../components/status.js';
import { detectInput } from '../detect.js';
import { h, render } from '../dom.js';
import { errorView } from '../errors-view.js';
import { readPEM } from '../import.js';
import { generateJWK, validateJWK } from '../lib.js';

const NONE = '';

export function generateScreen(): HTMLElement {
  const typeSelect = h('select', { id: 'gen-type', name: 'type' });
  const sizeSelect = h('select', { id: 'gen-size', name: 'size' });
  const algSelect = h('select', { id: 'gen-alg', name: 'alg' });
  const useSelect = h('select', { id: 'gen-use', name: 'use' });
  const kidInput = h('input', {
    id: 'gen-kid',
    name: 'kid',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'RFC 7638 thumbprint',
  });
  const ops = checkboxGroup(
    'Key operations (key_ops)',
    'key_ops',
    'Optional. RFC 7517 §4.3: use either "use" or "key_ops", not both.',
  );
  const sizeField = field('Key size (bits)', sizeSelect);
  const button = h('button', { type: 'submit', class: 'btn btn-primary', id: 'gen-submit' }, 'Generate key');
  const result = h('div', { class: 'result', id: 'gen-result' });

  setOptions(
    typeSelect,
    keyTypeChoices().map((c) => ({ value: c.value, label: c.label, group: c.group })),
    'EC:P-256',
  );
  setOptions(
    sizeSelect,
    octSizes().map((b) => ({ value: String(b), label: String(b) })),
    '256',
  );

  const type = (): KeyTypeChoice => findKeyType(typeSelect.value)!;
  const bits = (): number | undefined => (type().kty === 'oct' ? Number(sizeSelect.value) : type().bits);
  const alg = (): string | undefined => algSelect.value || undefined;
  const use = (): Use | undefined => (useSelect.value as Use) || undefined;

  // Each choice narrows the next: type -> alg -> use -> key_ops (principle 1: the registry decides).
  const refreshOps = () => {
    const kept = ops.checked();
    const offered = keyOpChoices(type(), alg(), use(), bits());
    ops.set(
      offered,
      kept.filter((o) => offered.includes(o as KeyOp)),
    );
  };
  const refreshUse = () => {
    const uses = useChoices(type(), alg(), bits());
    const keep = useSelect.value || (alg() ? uses[0] : undefined);
    setOptions(
      useSelect,
      [
        { value: NONE, label: '(not set)' },
        ...uses.map((u) => ({ value: u, label: u === 'sig' ? 'sig (signature)' : 'enc (encryption)' })),
      ],
      keep ?? NONE,
    );
    refreshOps();
  };
  const refreshAlg = () => {
    const choices = algorithmChoices(type(), bits());
    const keep = choices.some((a) => a.alg === algSelect.value)
      ? algSelect.value
      : defaultAlgorithm(type(), bits());
    setOptions(
      algSelect,
      [
        { value: NONE, label: '(not set)' },
        ...choices.map((a) => ({
          value: a.alg,
          label: a.alg,
          group: a.use === 'sig' ? 'Signing' : 'Encryption',
        })),
      ],
      keep ?? NONE,
    );
    useSelect.value = NONE;
    refreshUse();
  };
  const refreshType = () => {
    sizeField.hidden = type().kty !== 'oct';
    refreshAlg();
  };
  typeSelect.addEventListener('change', refreshType);
  sizeSelect.addEventListener('change', refreshAlg);
  algSelect.addEventListener('change', () => {
    useSelect.value = NONE;
    refreshUse();
  });
  useSelect.addEventListener('change', refreshOps);
  refreshType();

  const generate = async () => {
    const t = type();
    button.disabled = true;
    button.textContent = 'Generating…';
    result.setAttribute('aria-busy', 'true');
    try {
      const keyOps = ops.checked() as KeyOp[];
      const jwk = await generateJWK({
        kty: t.kty,
        ...(t.crv ? { crv: t.crv } : {}),
        ...(bits() ? { size: bits() } : {}),
        ...(alg() ? { alg: alg() } : {}),
        ...(use() ? { use: use() } : {}),
        ...(keyOps.length ? { keyOps } : {}),
        ...(kidInput.value.trim() ? { kid: kidInput.value.trim() } : {}),
      });
      render(result, await keyResult(jwk, 'Generated'));
      announce(`Generated ${keyTitle(jwk)}.`);
    } catch (error) {
      render(result, errorView('Could not generate the key', error));
    } finally {
      button.disabled = false;
      button.textContent = 'Generate key';
      result.removeAttribute('aria-busy');
    }
  };

  const form = h(
    'form',
    {
      class: 'card form-grid',
      id: 'gen-form',
      'aria-labelledby': 'gen-heading',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void generate();
      },
    },
    h('h2', { id: 'gen-heading', class: 'card-title' }, 'Generate a key'),
    field('Key type', typeSelect),
    sizeField,
    field('Algorithm (alg)', algSelect, 'Only algorithms that fit this key type are listed.'),
    field('Use', useSelect),
    field('Key ID (kid)', kidInput, 'Leave empty to use the key’s thumbprint.'),
    ops.element,
    h('div', { class: 'form-actions' }, button),
  );

  return h('div', { class: 'screen' }, form, result, importSection());
}

/** A key's heading, validation summary, facts and outputs. */
async function keyResult(jwk: JWK, verb: string): Promise<HTMLElement> {
  const report = validateJWK(jwk);
  return h(
    'article',
    { class: 'card key-result', 'data-key-result': '' },
    h(
      'h3',
      { class: 'card-title' },
      `${verb} ${keyTitle(jwk)} `,
      h(
        'span',
        {
          class: `badge ${report.valid ? (report.problems.length ? 'badge-warning' : 'badge-ok') : 'badge-error'}`,
        },
        countProblems(report.problems),
      ),
    ),
    problemList(report.problems, 'Validator problems'),
    keyFacts(jwk),
    await keyOutputsView(jwk),
  );
}

function importSection(): HTMLElement {
  const out = h('div', { class: 'result', id: 'import-result' });
  const run = async () => {
    const text = zone.textarea.value;
    if (!text.trim()) {
      render(out);
      return;
    }
    try {
      const keys = await readPEM(text, detectInput(text), passphrase.value || undefined);
      render(out, ...(await Promise.all(keys.map((k) => keyResult(k, 'Imported')))));
      announce(`Imported ${keys.length} key${keys.length === 1 ? '' : 's'}.`);
    } catch (error) {
      render(out, errorView('Could not read the PEM', error));
    }
  };
  const passphrase = h('input', {
    id: 'import-passphrase',
    type: 'password',
    autocomplete: 'off',
    name: 'passphrase',
  });
  const zone = dropzone({
    label: 'PEM key, certificate or chain',
    name: 'pem',
    rows: 6,
    placeholder: '-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----',
    hint: 'PKCS#8, SPKI, PKCS#1, SEC1 or X.509 certificates (a chain gives one key with x5c). Nothing is uploaded.',
    onLoad: () => void run(),
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'import-heading' },
    h('h2', { id: 'import-heading', class: 'card-title' }, 'Import PEM'),
    zone.element,
    h(
      'div',
      { class: 'url-row' },
      field('Passphrase (encrypted PKCS#8 only)', passphrase),
      h(
        'button',
        { type: 'button', class: 'btn btn-primary', id: 'import-submit', onclick: () => void run() },
        'Convert to JWK',
      ),
    ),
    out,
  );
}
