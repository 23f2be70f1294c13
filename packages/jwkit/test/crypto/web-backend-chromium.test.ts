/**
 * The WebCrypto backend inside real Chromium (/usr/bin/chromium): every Wycheproof signature and
 * MAC file gives the policy's verdicts there too, and keys generated and signed in the browser
 * verify with node:crypto. Skipped when Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBackend } from '../../../../test/helpers/backends.js';
import { readWycheproof } from '../../../../test/helpers/vectors.js';
import type { GenerateSpec } from '../../src/crypto/backend.js';
import type { JWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { MAC_FILES, SIGNATURE_FILES, type Verdicts, type WycheproofFile } from './wycheproof-runner.js';

const CHROMIUM = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));

interface BrowserAPI {
  signatures(data: WycheproofFile, alg: string): Promise<Verdicts>;
  macs(data: WycheproofFile, alg: string, bits: number): Promise<Verdicts>;
  generateAndSign(
    spec: GenerateSpec,
    alg: string,
    message: string,
  ): Promise<{ jwk: JWK; signature: number[]; verified: boolean }>;
}
type WithAPI = typeof globalThis & { jwkit: BrowserAPI };

describe.skipIf(!existsSync(CHROMIUM))('WebCrypto backend in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let server: Server;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [join(here, 'chromium-entry.ts')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    // Served from 127.0.0.1, a secure context, so crypto.subtle exists as on any https page.
    server = createServer((req, res) => {
      if (req.url === '/entry.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><script src="/entry.js"></script>');
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'jwkit' in globalThis);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  it.each(SIGNATURE_FILES)('%s (%s) gives the expected verdict for every test', async (file, alg) => {
    const data = readWycheproof<WycheproofFile>(file);
    const { wrong, count } = await page.evaluate(([d, a]) => (globalThis as WithAPI).jwkit.signatures(d, a), [
      data,
      alg,
    ] as const);
    expect(wrong).toEqual([]);
    expect(count).toBeGreaterThan(80);
  });

  it.each(MAC_FILES)(
    '%s (%s): full-length tags verify as expected, truncated tags never',
    async (file, alg, bits) => {
      const data = readWycheproof<WycheproofFile>(file);
      const { wrong } = await page.evaluate(([d, a, b]) => (globalThis as WithAPI).jwkit.macs(d, a, b), [
        data,
        alg,
        bits,
      ] as const);
      expect(wrong).toEqual([]);
    },
  );

  it.each([
    [{ kty: 'RSA', bits: 2048 }, 'PS256'],
    [{ kty: 'EC', crv: 'P-256' }, 'ES256'],
    [{ kty: 'EC', crv: 'P-521' }, 'ES512'],
    [{ kty: 'EC', crv: 'secp256k1' }, 'ES256K'],
    [{ kty: 'OKP', crv: 'Ed25519' }, 'Ed25519'],
    [{ kty: 'OKP', crv: 'Ed448' }, 'Ed448'],
    [{ kty: 'oct', bits: 512 }, 'HS512'],
  ] as const)(
    'generates %j in the browser; its %s signature verifies with node:crypto',
    async (spec, alg) => {
      const message = `signed in Chromium with ${alg}`;
      const result = await page.evaluate(
        ([s, a, m]) => (globalThis as WithAPI).jwkit.generateAndSign(s, a, m),
        [spec, alg, message] as const,
      );
      expect(result.verified).toBe(true);
      const pub = result.jwk.kty === 'oct' ? result.jwk : toPublic(result.jwk);
      const handle = await nodeBackend.importKey(pub, alg, 'verify');
      expect(
        await nodeBackend.verify(
          handle,
          new TextEncoder().encode(message),
          Uint8Array.from(result.signature),
        ),
      ).toBe(true);
    },
  );
});
