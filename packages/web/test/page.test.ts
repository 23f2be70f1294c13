/**
 * The web page in real Chromium: generate every key type and parse the outputs with the core,
 * import PEM keys and certificate chains, inspect valid and invalid keys and sets (Wycheproof,
 * RFC examples, real providers' quirks) and compare the problems shown with the validator's,
 * verify JWTs against sets (pasted and fetched), and record every request the page makes.
 * Screenshots of each screen, at desktop and phone width and in both themes, go to
 * test-artifacts/web/.
 */

import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl } from '../../../test/helpers/openssl.js';
import { FIXTURES, VECTORS } from '../../../test/helpers/vectors.js';
import {
  generateJWK,
  type JWK,
  pemToJWK,
  thumbprint,
  thumbprintURI,
  toPublic,
} from '../../jwkit/src/index.node.js';
import { parseJWKSet, validateJWK, validateJWKSet } from '../../jwkit/src/jwk/validate/index.js';
import { signJWT, verifyJWT } from '../../jwkit/src/jwt/index.js';
import {
  ALGORITHMS,
  algorithmAllowsKey,
  getAlgorithm,
  KEY_OPS,
  KTY_MEMBERS,
  type Kty,
} from '../../jwkit/src/registry.js';
import { JWKSet } from '../../jwkit/src/set/jwk-set.js';
import {
  buildPage,
  cleanup,
  launch,
  listen,
  type RecordedRequest,
  recordRequests,
  screenshotPath,
  staticHandler,
} from './harness.js';

let dist: string;
let profile: string;
let site: { server: Server; origin: string };
let issuer: { server: Server; origin: string };
let context: BrowserContext;
let page: Page;
let requests: RecordedRequest[];
const issuerHits: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[] = [];
let issuerBody = '{"keys":[]}';
const pageErrors: string[] = [];
/** Private key material and tokens the page handled; none may appear in any request. */
const secrets = new Set<string>();

function remember(jwk: Record<string, unknown>): void {
  for (const m of [...KTY_MEMBERS[jwk.kty as Kty].private]) {
    if (typeof jwk[m] === 'string' && (jwk[m] as string).length >= 16) secrets.add(jwk[m] as string);
  }
}

function issuerHandler(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => {
    body += c.toString();
  });
  req.on('end', () => {
    issuerHits.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
    res
      .writeHead(200, {
        'content-type': 'application/jwk-set+json',
        'access-control-allow-origin': '*',
        'cache-control': 'max-age=60',
      })
      .end(issuerBody);
  });
}

beforeAll(async () => {
  dist = buildPage();
  site = await listen(staticHandler(dist));
  issuer = await listen(issuerHandler);
  ({ context, page, profile } = await launch());
  requests = recordRequests(context);
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.origin });
  await page.goto(`${site.origin}/`);
  await page.waitForSelector('#gen-form');
});

afterAll(async () => {
  await context?.close();
  await new Promise((ok) => site?.server.close(ok));
  await new Promise((ok) => issuer?.server.close(ok));
  cleanup(dist, profile);
});

async function shot(name: string): Promise<void> {
  // From the top, so the sticky tab bar sits where a reader sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

async function tab(id: 'generate' | 'inspect' | 'jwt'): Promise<void> {
  await page.click(`#tab-${id}`);
  await expect.poll(() => page.getAttribute(`#tab-${id}`, 'aria-selected')).toBe('true');
}

async function output(scope: Locator | Page, name: string): Promise<string> {
  return (await scope.locator(`[data-output="${name}"]`).first().textContent()) ?? '';
}

async function options(selector: string): Promise<string[]> {
  return page.$$eval(`${selector} option`, (os) =>
    os.map((o) => (o as HTMLOptionElement).value).filter(Boolean),
  );
}

function problemKeys(problems: readonly { severity: string; code: string; path: string }[]): string[] {
  return [...new Set(problems.map((p) => `${p.severity} ${p.code} ${p.path}`))].sort();
}

describe('page shell', () => {
  it('has a strict CSP, Trusted Types, no third-party assets, and keyboard-operable tabs', async () => {
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    const assets = await page.$$eval('script[src], link[href]', (els) =>
      els.map((e) => (e as HTMLScriptElement).src || (e as HTMLLinkElement).href),
    );
    for (const a of assets) expect(new URL(a).origin).toBe(site.origin);
    // Trusted Types: an HTML string can never become markup on this page.
    const sink = await page.evaluate(() => {
      try {
        document.body.insertAdjacentHTML('beforeend', '<b id="tt">x</b>');
        return 'allowed';
      } catch (e) {
        return (e as Error).name;
      }
    });
    expect(sink).toBe('TypeError');
    pageErrors.length = 0; // the refused sink logs a CSP report; nothing else may.

    await page.focus('#tab-generate');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('#tab-inspect', 'aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-inspect');
    await page.keyboard.press('End');
    expect(await page.getAttribute('#tab-jwt', 'aria-selected')).toBe('true');
    expect(page.url()).toContain('#jwt');
    await page.keyboard.press('Home');
    expect(await page.getAttribute('#tab-generate', 'aria-selected')).toBe('true');
    expect(await page.isVisible('#panel-inspect')).toBe(false);
    // Every form control has a label.
    const unlabelled = await page.$$eval(
      'input:not([type=file]):not([type=checkbox]), select, textarea',
      (els) => els.filter((e) => (e as HTMLInputElement).labels?.length === 0).map((e) => e.id),
    );
    expect(unlabelled).toEqual([]);
    await shot('generate-empty');
  });
});

describe('generator', () => {
  it('offers only the algorithms, uses and key_ops the registry allows for each key type', async () => {
    await tab('generate');
    const types = await options('#gen-type');
    expect(types).toEqual([
      'RSA:2048',
      'RSA:3072',
      'RSA:4096',
      'EC:P-256',
      'EC:P-384',
      'EC:P-521',
      'EC:secp256k1',
      'OKP:Ed25519',
      'OKP:Ed448',
      'OKP:X25519',
      'OKP:X448',
      'oct',
      'AKP',
    ]);
    for (const type of types) {
      await page.selectOption('#gen-type', type);
      const [kty, detail] = type.split(':') as [Kty, string | undefined];
      const crv = kty === 'EC' || kty === 'OKP' ? detail : undefined;
      const bits =
        kty === 'RSA'
          ? Number(detail)
          : kty === 'oct'
            ? Number(await page.inputValue('#gen-size'))
            : undefined;
      const offered = await options('#gen-alg');
      const allowed = Object.values(ALGORITHMS)
        .filter((a) => !a.deprecated && algorithmAllowsKey(a, kty, crv, bits) === undefined)
        .map((a) => a.alg);
      expect(offered.sort(), type).toEqual(allowed.sort());
      for (const alg of offered) {
        await page.selectOption('#gen-alg', alg);
        const info = getAlgorithm(alg)!;
        expect(await options('#gen-use'), alg).toEqual([info.use]);
        const ops = await page.$$eval('input[name=key_ops]', (els) =>
          els.map((e) => (e as HTMLInputElement).value),
        );
        expect(ops.length).toBeGreaterThan(0);
        for (const op of ops) expect(KEY_OPS[op as keyof typeof KEY_OPS], `${alg} ${op}`).toBe(info.use);
      }
    }
  });

  it('generates every key type, and every output parses with the core', async () => {
    await tab('generate');
    const types = await options('#gen-type');
    for (const type of types) {
      await page.selectOption('#gen-type', type);
      await page.click('#gen-submit');
      await expect.poll(() => page.isEnabled('#gen-submit'), { timeout: 30_000 }).toBe(true);
      const result = page.locator('#gen-result');
      expect(await result.locator('.alert-error').count(), type).toBe(0);

      const priv = JSON.parse(await output(result, 'private-jwk')) as JWK;
      remember(priv);
      const [kty, detail] = type.split(':');
      expect(priv.kty).toBe(kty);
      if (kty === 'EC' || kty === 'OKP') expect(priv.crv).toBe(detail);
      expect(
        validateJWK(priv).problems.filter((p) => p.severity === 'error'),
        type,
      ).toEqual([]);
      // kid defaults to the RFC 7638 thumbprint; the page shows the thumbprint and its URI.
      expect(priv.kid).toBe(thumbprint(priv));
      expect((await output(result, 'thumbprint')).trim()).toBe(thumbprint(priv));
      expect((await output(result, 'thumbprint-uri')).trim()).toBe(thumbprintURI(priv));
      expect(await result.locator('[data-output-box="private-jwk"].secret .badge-secret').count()).toBe(1);

      if (kty === 'oct') {
        expect(await result.locator('[data-output="public-jwk"]').count()).toBe(0);
        continue;
      }
      const pub = JSON.parse(await output(result, 'public-jwk')) as JWK;
      expect(pub).toEqual(toPublic(priv));
      const set = parseJWKSet(await output(result, 'public-jwks'), { strict: true });
      expect(set.keys).toEqual([pub]);
      for (const m of KTY_MEMBERS[kty as Kty].private)
        expect(await output(result, 'public-jwks')).not.toContain(`"${m}"`);
      const fromPKCS8 = await pemToJWK(await output(result, 'pkcs8'));
      expect(fromPKCS8.d).toBe(priv.d);
      expect(thumbprint(fromPKCS8)).toBe(thumbprint(priv));
      const fromSPKI = await pemToJWK(await output(result, 'spki'));
      expect(fromSPKI.d).toBeUndefined();
      expect(thumbprint(fromSPKI)).toBe(thumbprint(priv));
      if (kty === 'RSA') expect(Buffer.from(pub.n as string, 'base64url').length * 8).toBe(Number(detail));
      // The key works: a token signed with it in Node verifies with the public form.
      if (priv.alg && getAlgorithm(priv.alg)?.use === 'sig') {
        const token = await signJWT({ sub: 'web' }, priv);
        await expect(verifyJWT(token, pub)).resolves.toMatchObject({ payload: { sub: 'web' } });
      }
      if (type === 'RSA:2048') await shot('generate-rsa');
    }
  });

  it('copies and downloads outputs without a network request', async () => {
    await tab('generate');
    await page.selectOption('#gen-type', 'OKP:Ed25519');
    await page.fill('#gen-kid', 'my-signing-key');
    await page.click('#gen-submit');
    await expect
      .poll(() => page.textContent('#gen-result [data-output="public-jwk"]'))
      .toContain('my-signing-key');
    remember(JSON.parse(await output(page, 'private-jwk')));
    const box = page.locator('#gen-result [data-output-box="public-jwks"]');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      box.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('my-signing-key.jwks.json');
    expect(readFileSync((await download.path())!, 'utf8')).toBe(await output(page, 'public-jwks'));
    await page
      .locator('#gen-result [data-output-box="thumbprint"]')
      .getByRole('button', { name: 'Copy' })
      .click();
    await expect
      .poll(() => page.evaluate(() => navigator.clipboard.readText()))
      .toBe(await output(page, 'thumbprint'));
    await expect.poll(() => page.textContent('#status')).toContain('copied');
    await page.fill('#gen-kid', '');
  });

  it('imports PEM keys, a certificate chain and a dropped file', async () => {
    const ssl = openssl();
    try {
      const ecPEM = ssl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']);
      await tab('generate');
      // Dropped as a file onto the import box: converted at once, no button needed.
      const files = await page.evaluateHandle((text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], 'key.pem', { type: 'application/x-pem-file' }));
        return dt;
      }, ecPEM);
      await page.dispatchEvent('#panel-generate .dropzone:has(textarea[name=pem])', 'drop', {
        dataTransfer: files,
      });
      await expect.poll(() => page.inputValue('textarea[name=pem]')).toBe(ecPEM);
      const result = page.locator('#import-result');
      await expect.poll(() => result.locator('[data-output="private-jwk"]').count()).toBe(1);
      const imported = JSON.parse(await output(result, 'private-jwk')) as JWK;
      remember(imported);
      const expected = await pemToJWK(ecPEM);
      expect(imported.d).toBe(expected.d);
      expect(thumbprint(imported)).toBe(thumbprint(expected));

      // A chain: leaf first, then its CA; the page gives one key with x5c and shows the subject.
      ssl.run([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-subj',
        '/CN=jwkit test CA',
        '-days',
        '2',
      ]);
      ssl.run([
        'req',
        '-newkey',
        'ed25519',
        '-nodes',
        '-keyout',
        'leaf.key',
        '-out',
        'leaf.csr',
        '-subj',
        '/CN=leaf.example',
      ]);
      ssl.run([
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'leaf.pem',
        '-days',
        '1',
      ]);
      const chain = ssl.read('leaf.pem') + ssl.read('ca.pem');
      await page.fill('textarea[name=pem]', chain);
      await page.click('#import-submit');
      await expect.poll(() => result.locator('[data-fact="subject"]').textContent()).toBe('CN=leaf.example');
      expect(await result.locator('[data-fact="issuer"]').textContent()).toBe('CN=jwkit test CA');
      const certKey = JSON.parse(await output(result, 'public-jwk')) as JWK;
      expect(certKey.x5c).toHaveLength(2);
      expect(thumbprint(certKey)).toBe(thumbprint(await pemToJWK(ssl.read('leaf.key'))));
      await shot('generate-import-chain');

      // A DER file picked with "Open file…" (the same path as a drop) in the inspector.
      const der = ssl.runBytes(['x509', '-in', 'ca.pem', '-outform', 'DER']);
      await tab('inspect');
      await page.setInputFiles('#panel-inspect input[type=file]', {
        name: 'ca.der',
        mimeType: 'application/pkix-cert',
        buffer: Buffer.from(der),
      });
      await expect
        .poll(() => page.locator('#inspect-result [data-fact="subject"]').textContent())
        .toBe('CN=jwkit test CA');
    } finally {
      ssl.cleanup();
    }
  });
});

describe('inspector', () => {
  async function inspect(text: string): Promise<void> {
    await tab('inspect');
    await page.fill('textarea[name=inspect-input]', '');
    await page.fill('textarea[name=inspect-input]', text);
    await page.click('#inspect-submit');
    await page.waitForSelector('#inspect-result [data-entry], #inspect-result .alert');
  }

  /** Every problem the page shows, across the set list and every key of the picker. */
  async function shownProblems(): Promise<string[]> {
    const read = () =>
      page.$$eval('#inspect-result .problem', (els) =>
        els.map(
          (e) =>
            `${e.getAttribute('data-severity')} ${e.getAttribute('data-code')} ${e.getAttribute('data-path')}`,
        ),
      );
    const seen = new Set(await read());
    const picks = await page.$$eval('#inspect-pick option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    if (!(await page.isVisible('#inspect-pick'))) return [...seen].sort();
    for (const v of picks) {
      await page.selectOption('#inspect-pick', v);
      await page.waitForSelector(
        `#inspect-result [data-entry="keys[${v}]"], #inspect-result [data-entry-slot] .alert`,
      );
      expect(await page.locator('#inspect-result [data-entry-slot] .alert-error').allTextContents()).toEqual(
        [],
      );
      for (const p of await read()) seen.add(p);
    }
    return [...seen].sort();
  }

  it('shows the facts of a valid set and picks a key by kid', async () => {
    const a1 = JSON.parse(readFileSync(join(VECTORS, 'rfc', 'rfc7517-appendix-a.json'), 'utf8'));
    const set = JSON.stringify(a1['A.1'].jwks, null, 2);
    await inspect(set);
    expect(await page.textContent('#inspect-result [data-summary]')).toContain('2 keys, 2 usable, 0 skipped');
    const labels = await page.$$eval('#inspect-pick option', (os) => os.map((o) => o.textContent ?? ''));
    const rsa = labels.findIndex((l) => l.includes('2011-04-29'));
    await page.selectOption('#inspect-pick', String(rsa));
    const entry = page.locator(`#inspect-result [data-entry="keys[${rsa}]"]`);
    await expect.poll(() => entry.locator('[data-fact="kid"]').textContent()).toBe('2011-04-29');
    expect(await entry.locator('[data-fact="size"]').textContent()).toBe('2048 bits');
    const key = validateJWKSet(set).keys[rsa]!;
    expect(await entry.locator('[data-fact="thumbprint-uri"]').textContent()).toBe(thumbprintURI(key));
    expect(JSON.parse(await output(entry, 'public-jwk'))).toEqual(toPublic(key));
    await shot('inspect-valid-set');
  });

  it('shows x5c certificate subject, issuer and validity', async () => {
    const b = JSON.parse(readFileSync(join(VECTORS, 'rfc', 'rfc7517-appendix-b.json'), 'utf8'));
    const jwk = b.jwk;
    await inspect(JSON.stringify(jwk));
    const entry = page.locator('#inspect-result [data-entry]');
    const at = (iso: string) => new Date(iso).toISOString();
    expect(await entry.locator('[data-fact="subject"]').textContent()).toBe(b.computed.certificate_subject);
    expect(await entry.locator('[data-fact="validity"]').textContent()).toBe(
      `${at(b.computed.certificate_not_before)} to ${at(b.computed.certificate_not_after)} `,
    );
    expect(await entry.locator('.badge', { hasText: 'expired' }).count()).toBe(1);
  });

  const wycheproof = JSON.parse(
    readFileSync(join(VECTORS, 'wycheproof', 'testvectors_v1', 'json_web_key_test.json'), 'utf8'),
  ) as { testGroups: { private: unknown; tests: { tcId: number; comment: string }[] }[] };
  const BAD_SETS = [4, 7, 8, 9, 10, 16, 19, 20, 22, 23, 25].map((id) => {
    const group = wycheproof.testGroups.find((g) => g.tests.some((t) => t.tcId === id))!;
    return {
      name: `wycheproof tc ${id} ${group.tests.find((t) => t.tcId === id)!.comment}`,
      text: JSON.stringify(group.private, null, 2),
    };
  });
  const FIXTURE_SETS = [
    'battle-net',
    'gluu-2015',
    'auth0-common',
    'workos',
    'openidconnect-info-2015',
    'paypal',
    'yahoo',
  ].map((name) => ({ name, text: readFileSync(join(FIXTURES, 'real-world', `${name}.json`), 'utf8') }));

  it('shows every validator problem of invalid and quirky sets, next to the member', async () => {
    for (const { name, text } of [...BAD_SETS, ...FIXTURE_SETS]) {
      await inspect(text);
      // Problems of skipped keys are reported with the skipped key, the rest on the set.
      const report = validateJWKSet(text);
      const expected = [...report.problems, ...report.skipped.flatMap((k) => k.problems)];
      expect(expected.length, name).toBeGreaterThan(0);
      expect(await shownProblems(), name).toEqual(problemKeys(expected));
      if (name === 'gluu-2015') await shot('inspect-problems');
    }
  });

  it('puts a key problem beside the offending member and shows JSON syntax errors', async () => {
    // Wycheproof tc 22: a P-256 point modified so it is no longer on the curve.
    const group = wycheproof.testGroups.find((g) => g.tests.some((t) => t.tcId === 22))!;
    const key = (group.private as { keys: Record<string, unknown>[] }).keys[0]!;
    const text = JSON.stringify(key, null, 2);
    await inspect(text);
    const expected = validateJWK(text).problems;
    expect(expected.some((p) => p.severity === 'error')).toBe(true);
    for (const p of expected.filter((q) => q.path !== '')) {
      const member = p.path.split(/[.[]/)[0]!;
      const there = page.locator(`#inspect-result [data-member="${member}"] .problem[data-code="${p.code}"]`);
      expect(await there.count(), `${p.code} at ${p.path}`).toBe(1);
    }
    await inspect('{"kty": "EC", "crv": ');
    expect(await shownProblems()).toEqual(problemKeys(validateJWK('{"kty": "EC", "crv": ').problems));
    expect(await page.locator('#inspect-result .problem').count()).toBeGreaterThan(0);
  });
});

describe('JWT debugger', () => {
  async function verify(token: string, keys: string): Promise<{ verdict: string; code: string | null }> {
    await tab('jwt');
    await page.fill('textarea[name=token]', token);
    await page.fill('textarea[name=jwt-key]', keys);
    await page.click('#jwt-verify');
    await page.waitForSelector('#jwt-result [data-verdict]');
    const el = page.locator('#jwt-result [data-verdict]');
    return {
      verdict: (await el.getAttribute('data-verdict')) ?? '',
      code: await el.getAttribute('data-code'),
    };
  }

  async function codeOf(promise: Promise<unknown>): Promise<string> {
    return promise.then(
      () => 'valid',
      (e: { code?: string }) => e.code ?? 'ERROR',
    );
  }

  it('verifies a token against a set, says which key and why, and why a bad token fails', async () => {
    const es = await generateJWK({ alg: 'ES256', use: 'sig' });
    const rs = await generateJWK({ alg: 'RS256', use: 'sig' });
    remember(es);
    remember(rs);
    const set = JSON.stringify(new JWKSet([toPublic(es), toPublic(rs)]).toJSON(), null, 2);
    const token = await signJWT({ sub: 'alice' }, es, { issuer: 'https://issuer.test', expiresIn: '1h' });
    secrets.add(token.split('.')[2]!);

    expect(await verify(token, set)).toEqual({ verdict: 'valid', code: null });
    expect(await page.getAttribute('#jwt-result tr.selected', 'data-candidate')).toBe(es.kid);
    expect(await page.textContent('#jwt-result tr.selected')).toContain('matches');
    expect(await page.textContent('#jwt-result [data-selection]')).toContain(
      `Selected EC P-256 · kid ${es.kid}`,
    );
    expect(await page.textContent(`#jwt-result tr[data-candidate="${rs.kid}"]`)).toContain('cannot');
    expect(JSON.parse((await page.locator('#jwt-result pre').nth(1).textContent()) ?? '')).toMatchObject({
      sub: 'alice',
      iss: 'https://issuer.test',
    });
    await shot('jwt-valid');

    await page.fill('#jwt-iss', 'https://other.test');
    await page.click('#jwt-verify');
    await expect
      .poll(() => page.getAttribute('#jwt-result [data-verdict]', 'data-code'))
      .toBe(await codeOf(verifyJWT(token, JWKSet.from(set), { issuer: 'https://other.test' })));
    await page.fill('#jwt-iss', '');

    const [h, , s] = token.split('.') as [string, string, string];
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'mallory', iss: 'https://issuer.test' })).toString('base64url')}.${s}`;
    const nodeCode = await codeOf(verifyJWT(tampered, JWKSet.from(set)));
    expect(nodeCode).not.toBe('valid');
    expect(await verify(tampered, set)).toEqual({ verdict: 'invalid', code: nodeCode });
    // The key was still selected (by kid); the signature is what failed.
    expect(await page.getAttribute('#jwt-result tr.selected', 'data-candidate')).toBe(es.kid);
    await shot('jwt-rejected');
  });

  it('verifies an ML-DSA-65 token beside ES256 in the debugger and describes the AKP key (issue 16)', async () => {
    const pq = await generateJWK({ alg: 'ML-DSA-65' });
    const es = await generateJWK({ alg: 'ES256' });
    remember(pq);
    remember(es);
    const set = JSON.stringify(new JWKSet([toPublic(es), toPublic(pq)]).toJSON(), null, 2);
    const token = await signJWT({ sub: 'pq' }, pq, { expiresIn: '1h' });
    secrets.add(token.split('.')[2]!);
    expect(await verify(token, set)).toEqual({ verdict: 'valid', code: null });
    expect(await page.getAttribute('#jwt-result tr.selected', 'data-candidate')).toBe(pq.kid);
    expect(await page.textContent('#jwt-result [data-selection]')).toContain('AKP ML-DSA-65');
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`}`;
    expect((await verify(flipped, set)).verdict).toBe('invalid');
  });

  it('checks the RFC 7515 A.2 token: key without alg, expired, then valid at its own time', async () => {
    const a = JSON.parse(readFileSync(join(VECTORS, 'rfc', 'rfc7515-appendix-a.json'), 'utf8'));
    const a2 = a.cases.find((c: { id: string }) => c.id === 'A.2');
    const pub = toPublic(a2.jwk);
    remember(a2.jwk);
    const noAlg = await verify(a2.compact, JSON.stringify(pub));
    expect(noAlg).toEqual({ verdict: 'invalid', code: await codeOf(verifyJWT(a2.compact, pub)) });

    await page.selectOption('#jwt-alg', 'RS256');
    await expect
      .poll(() => page.getAttribute('#jwt-result [data-verdict]', 'data-code'))
      .toBe('ERR_JWT_EXPIRED');
    await page.fill('#jwt-at', '2011-03-22T18:00:00');
    await page.dispatchEvent('#jwt-at', 'change');
    await expect.poll(() => page.textContent('#jwt-result [data-verdict]')).toContain('Signature verified');
    const claims = await page.textContent('#jwt-result');
    expect(claims).toContain('2011-03-22T18:43:00.000Z');
    await page.selectOption('#jwt-alg', '');
    await page.fill('#jwt-at', '');
  });

  it('fetches a JWKS URL on request only, and the request carries no key or token', async () => {
    const key = await generateJWK({ alg: 'PS256' });
    remember(key);
    issuerBody = JSON.stringify(new JWKSet([toPublic(key)]).toJSON());
    const token = await signJWT({ sub: 'bob' }, key, { expiresIn: 600 });
    secrets.add(token.split('.')[2]!);
    await verify(token, '');
    expect(issuerHits).toHaveLength(0);
    await page.fill('#jwt-url', `${issuer.origin}/jwks.json`);
    await page.click('#jwt-fetch');
    await expect.poll(() => page.textContent('#jwt-result [data-verdict]')).toContain('Signature verified');
    expect(await page.textContent('#jwt-fetch-status')).toContain('Fetched 1 usable key');
    expect(issuerHits).toHaveLength(1);
    expect(issuerHits[0]).toMatchObject({ method: 'GET', url: '/jwks.json', body: '' });
    expect(issuerHits[0]!.headers.cookie).toBeUndefined();
    expect(issuerHits[0]!.headers.referer).toBeUndefined();
  });
});

describe('themes and phone width', () => {
  it('follows prefers-color-scheme, toggles dark and light, and fits a phone screen', async () => {
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await tab('generate');
    const light = await bg();
    await page.emulateMedia({ colorScheme: 'dark' });
    const systemDark = await bg();
    expect(systemDark).not.toBe(light);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.click('#theme-toggle');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await bg()).toBe(systemDark);
    for (const id of ['generate', 'inspect', 'jwt'] as const) {
      await tab(id);
      await shot(`${id}-dark`);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const id of ['generate', 'inspect', 'jwt'] as const) {
      await tab(id);
      await shot(`${id}-phone-dark`);
    }
    await page.click('#theme-toggle');
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    for (const id of ['generate', 'inspect', 'jwt'] as const) {
      await tab(id);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), id).toBeLessThanOrEqual(390);
      await shot(`${id}-phone`);
    }
    // The choice survives a reload (localStorage); "system" clears it.
    await page.reload();
    await page.waitForSelector('#gen-form', { state: 'attached' });
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    await page.click('#theme-toggle');
    expect(await page.getAttribute('html', 'data-theme')).toBeNull();
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});

describe('network', () => {
  it('made no request but loading itself and the explicit JWKS fetch, none carrying key material', () => {
    const files = new Set(['/', ...readdirSync(dist).map((f) => `/${f}`)]);
    const jwksURL = `${issuer.origin}/jwks.json`;
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) {
      expect(r.method, r.url).toBe('GET');
      expect(r.body, r.url).toBeNull();
      if (r.url.startsWith('blob:')) continue; // downloads made in the page
      const url = new URL(r.url);
      if (r.url === jwksURL) continue;
      expect(url.origin, r.url).toBe(site.origin);
      expect(files.has(url.pathname), r.url).toBe(true);
      expect(url.search).toBe('');
    }
    expect(requests.filter((r) => r.url === jwksURL)).toHaveLength(1);
    expect(secrets.size).toBeGreaterThan(20);
    for (const r of requests) {
      const wire = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body ?? ''}`;
      for (const s of secrets)
        expect(wire.includes(s), `request ${r.url} carries secret material`).toBe(false);
    }
    expect(pageErrors).toEqual([]);
  });
});
