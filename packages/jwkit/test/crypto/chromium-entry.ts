/**
 * Bundled by web-backend-chromium.test.ts and run inside Chromium: the WebCrypto backend as a
 * browser sees it (no node:crypto, Chromium's own WebCrypto, @noble/curves where it lacks curves).
 */
import type { GenerateSpec } from '../../src/crypto/backend.js';
import { webBackend } from '../../src/crypto/web.js';
import { toPublic } from '../../src/jwk/model.js';
import { macVerdicts, signatureVerdicts, type Verdicts, type WycheproofFile } from './wycheproof-runner.js';

const api = {
  signatures: (data: WycheproofFile, alg: string): Promise<Verdicts> =>
    signatureVerdicts(webBackend, data, alg),
  macs: (data: WycheproofFile, alg: string, bits: number): Promise<Verdicts> =>
    macVerdicts(webBackend, data, alg, bits),
  /** Generates a key in the browser and signs with it; Node checks the result with node:crypto. */
  async generateAndSign(spec: GenerateSpec, alg: string, message: string) {
    const jwk = await webBackend.generate(spec);
    const data = new TextEncoder().encode(message);
    const signature = await webBackend.sign(await webBackend.importKey(jwk, alg, 'sign'), data);
    const verified = await webBackend.verify(
      await webBackend.importKey(jwk.kty === 'oct' ? jwk : toPublic(jwk), alg, 'verify'),
      data,
      signature,
    );
    return { jwk, signature: Array.from(signature), verified };
  },
};

(globalThis as { jwkit?: typeof api }).jwkit = api;
