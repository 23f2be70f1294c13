/**
 * The review and attack probe of issue 13: each finding's regression test sits next to the code it
 * protects; this inventory lists them, so the adversarial suite names every one and fails when a
 * regression test is deleted, renamed or loses the finding it pins. docs/SECURITY.md lists the same
 * findings under its "Issue 13" headings.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/packages.js';

/** Finding -> [test file, text the file must contain (the test or section that pins it)]. */
const FINDINGS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  '1 toPublic drops every private member of any key type': [
    ['packages/jwkit/test/jwk/model.test.ts', 'private for ANY key type'],
  ],
  '2 the published set is what the store proves': [
    ['packages/server/test/store-ops.test.ts', '13.2 publish only what the store proves'],
  ],
  '3 a deleted or replaced store is noticed': [['packages/server/test/store-ops.test.ts', '13.3']],
  '4 thumbprints of non-canonical input': [
    ['packages/jwkit/test/jwk/thumbprint.test.ts', 'non-canonical input (issue 13 point 4)'],
  ],
  '5 RSA public exponent bound': [
    ['packages/jwkit/test/jwk/validate/rsa.test.ts', 'RSA public exponent bound (issue 13 point 5)'],
  ],
  '6 RSA-PSS parameters no JWS alg names': [['packages/jwkit/test/pkix/pem.test.ts', 'issue 13 point 6']],
  '7 certificate chain links': [
    ['packages/jwkit/test/pkix/x509.test.ts', 'chain links (issue 13 point 7)'],
    ['packages/jwkit/test/jwk/validate/x5c.test.ts', 'issue 13 point 7'],
  ],
  '8 decoded bytes own their memory': [
    ['packages/jwkit/test/encoding/base64url.test.ts', 'issue 13 point 8'],
    ['packages/jwkit/test/jwt/bytes.test.ts', 'issue 13 point 8'],
  ],
  '9 a miss is answered by a fetch that started after it': [
    ['packages/jwkit/test/remote/miss-after-fetch.test.ts', '13.9'],
  ],
  '10 idle connections do not take the JWKS down': [
    ['packages/server/test/serve-process.test.ts', 'idle connections (issue 13.10)'],
  ],
  '11 admin input: kid rule, escaped logs, token length, 401 backoff': [
    ['packages/jwkit/test/jwk/kid.test.ts', '13.11'],
    ['test/adversarial/server.test.ts', '13.11'],
  ],
  '12 no fetch of internal addresses a discovery document names': [
    ['packages/cli/test/pinned-fetch.test.ts', '13.12'],
    ['packages/jwkit/test/remote/address-policy.test.ts', '13.12'],
  ],
  '13 malformed tokens are invalid input; a BOM header is refused': [
    ['packages/cli/test/issue13.test.ts', '13.13'],
    ['packages/jwkit/test/jwt/header-bom.test.ts', '13.13'],
  ],
  '14 bad option values are usage errors': [['packages/cli/test/issue13.test.ts', '13.14']],
  '15 short DER keys are read': [['packages/cli/test/issue13.test.ts', '13.15']],
  '16 read-only commands create nothing': [['packages/cli/test/keys.test.ts', '13.16']],
  '17 an origin finds its JWKS; key + certificate PEM is one JWK': [
    ['packages/cli/test/issue13.test.ts', '13.17'],
  ],
};

describe('issue 13 findings each have a regression test', () => {
  for (const [finding, tests] of Object.entries(FINDINGS)) {
    it(finding, () => {
      for (const [file, marker] of tests) {
        const path = join(REPO_ROOT, file);
        expect(existsSync(path), `${file} is missing`).toBe(true);
        expect(readFileSync(path, 'utf8'), `${file} no longer pins "${marker}"`).toContain(marker);
      }
    });
  }

  it('docs/SECURITY.md lists them', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'SECURITY.md'), 'utf8');
    for (const heading of [
      '## Issue 13 (library)',
      '## Issue 13/14 (serve)',
      '## Issue 13/14 (store)',
      '## Issue 13 (CLI and remote)',
    ])
      expect(doc).toContain(heading);
  });
});
