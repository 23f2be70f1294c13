/**
 * Keys taken from the token (RFC 8725 §3.10, CVE-2018-0114): a token may name or carry its own
 * key in `jwk`, `jku`, `x5u` or `x5c`; none of them is trusted or fetched unless the caller
 * opts in, and opting in still refuses private, symmetric and unpinned keys. `kid` is an
 * attacker's string: path traversal, SQL, control characters, prototype names, megabyte
 * lengths and non-strings only ever select nothing (and cost a remote issuer at most one fetch
 * per cooldown). Real HTTP servers on 127.0.0.1 count every request the verifier makes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../packages/cli/test/helpers.js';
import {
  base64url,
  generateJWK,
  type JWK,
  JWKSet,
  type PrivateJWK,
  pemToJWK,
  RemoteJWKSet,
  signJWT,
  thumbprint,
  toPublic,
  verifyJWT,
} from '../../packages/jwkit/src/index.node.js';
import { JWKSServer, sendJSON } from '../../packages/jwkit/test/remote/helpers/jwks-server.js';
import { BACKENDS } from '../helpers/backends.js';
import { openssl } from '../helpers/openssl.js';
import { b64u, HOSTILE_KIDS, jwkit, type KeyPair, keyPairs, refusal } from './support.js';
import { tally } from './tally.js';

const T = tally('token-header-keys');
const [victim, attacker] = (await keyPairs()).filter((p) => p.name === 'P-256' || p.name === 'Ed25519') as [
  KeyPair,
  KeyPair,
];
const victimSet = new JWKSet([victim.public]);

/** The attacker's token, signed with the attacker's key, carrying `extra` header members. */
function forge(
  extra: Record<string, unknown>,
  key: PrivateJWK = attacker.private,
  alg = attacker.alg,
): Promise<string> {
  const { kid, ...header } = extra;
  return signJWT({ sub: 'attacker', admin: true }, key, {
    alg,
    kid: typeof kid === 'string' ? kid : false,
    header,
  });
}

let server: JWKSServer;
beforeAll(async () => {
  // Serves the attacker's keys at every path, as a hostile jku/x5u host would.
  server = await JWKSServer.start((_req, res) => sendJSON(res, { keys: [attacker.public] }));
});
afterAll(() => server.close());

describe.each(BACKENDS)('header keys are not trusted by default ($name backend)', ({ backend }) => {
  it('embedded jwk: ignored, with and without a kid, with the victim kid, through a set and a single key', async () => {
    for (const kid of [undefined, victim.private.kid, attacker.private.kid]) {
      const token = await forge(
        { jwk: attacker.public, ...(kid ? { kid } : {}) },
        attacker.private,
        attacker.alg,
      );
      for (const key of [
        victimSet,
        victim.public,
        new JWKSet([victim.public, toPublic({ ...attacker.private, kid: 'x' }) as JWK]),
      ]) {
        const code = await refusal(() => verifyJWT(token, key, { backend, algorithms: [victim.alg] }));
        expect(code).toBeOneOf([
          'ERR_JWT_ALG_NOT_ALLOWED',
          'ERR_JWKS_NO_MATCHING_KEY',
          'ERR_JWT_SIGNATURE_INVALID',
        ]);
        T.tried();
      }
    }
    // Same alg as the victim: the selected key is the victim's, the signature is not.
    const evil = (await generateJWK({ alg: victim.alg })) as PrivateJWK;
    const token = await forge({ jwk: toPublic(evil), kid: victim.private.kid }, evil, victim.alg);
    expect(await refusal(() => verifyJWT(token, victimSet, { backend }))).toBe('ERR_JWT_SIGNATURE_INVALID');
    T.tried();
  });

  it('jku and x5u: never fetched, the token is checked against the configured keys only', async () => {
    const before = server.count();
    for (const member of ['jku', 'x5u']) {
      for (const url of [
        server.url('/jwks.json'),
        server.url('/../../etc/passwd'),
        'file:///etc/passwd',
        'http://169.254.169.254/latest/meta-data/',
      ]) {
        const token = await forge({ [member]: url, kid: victim.private.kid });
        expect(await refusal(() => verifyJWT(token, victimSet, { backend }))).toBeOneOf([
          'ERR_JWT_ALG_NOT_ALLOWED',
          'ERR_JWKS_NO_MATCHING_KEY',
        ]);
        T.tried();
      }
    }
    expect(server.count()).toBe(before);
  });

  it('x5c: a self-signed certificate for the attacker key is ignored', async () => {
    const ssl = openssl();
    try {
      ssl.run([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=victim',
        '-days',
        '1',
        '-keyout',
        'k.pem',
        '-out',
        'c.pem',
      ]);
      const certKey = (await pemToJWK(ssl.read('k.pem'))) as PrivateJWK;
      const der = ssl.runBytes(['x509', '-in', 'c.pem', '-outform', 'DER']);
      for (const kid of [undefined, victim.private.kid]) {
        const token = await forge(
          { x5c: [base64url.encodeStd(der)], ...(kid ? { kid } : {}) },
          certKey,
          'ES256',
        );
        expect(await refusal(() => verifyJWT(token, victimSet, { backend }))).toBe(
          'ERR_JWT_SIGNATURE_INVALID',
        );
        T.tried();
      }
    } finally {
      ssl.cleanup();
    }
  });
});

describe('opting in to header keys keeps the guard rails', () => {
  it('trustEmbeddedKey: a pin on the thumbprint refuses every other key', async () => {
    const pinned = thumbprint(victim.public);
    const trust = ({ jwk }: { jwk: JWK }) => thumbprint(jwk) === pinned;
    const token = await forge({ jwk: attacker.public });
    expect(
      await refusal(() =>
        verifyJWT(token, victimSet, { trustEmbeddedKey: trust, algorithms: [attacker.alg] }),
      ),
    ).toBe('ERR_JWT_HEADER_KEY_NOT_TRUSTED');
    T.tried();
  });

  it('trustEmbeddedKey: a private, symmetric, malformed or mismatched embedded key is refused even when trusted', async () => {
    const yes = () => true;
    const secret = new Uint8Array(32).fill(9);
    const oct = { kty: 'oct', k: b64u(secret) };
    const cases: [string, Promise<string>][] = [
      ['private jwk', forge({ jwk: attacker.private })],
      [
        'oct jwk with HS256',
        signJWT({}, { ...oct, alg: 'HS256' } as JWK, { kid: false, header: { jwk: oct } }),
      ],
      ['not a key', forge({ jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } })],
      ['wrong curve for alg', forge({ jwk: victim.public })],
      [
        'RSA public jwk with HS256',
        signJWT({}, { ...oct, alg: 'HS256' } as JWK, {
          kid: false,
          header: { jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } },
        }),
      ],
    ];
    for (const [label, pending] of cases) {
      const token = await pending;
      const code = await refusal(
        () => verifyJWT(token, victimSet, { trustEmbeddedKey: yes, algorithms: ['HS256', attacker.alg] }),
        label,
      );
      expect(code, label).toBeOneOf(['ERR_JWT_HEADER_KEY_INVALID', 'ERR_JWT_HMAC_WITH_ASYMMETRIC_KEY']);
      T.tried();
    }
  });

  it('resolveJku: an untrusted URL is refused without a fetch', async () => {
    const before = server.count();
    const token = await forge({ jku: server.url('/evil.json'), kid: attacker.private.kid });
    const allowed = 'https://issuer.example/.well-known/jwks.json';
    const resolveJku = (url: string) => (url === allowed ? victimSet : undefined);
    expect(await refusal(() => verifyJWT(token, victimSet, { resolveJku, algorithms: [attacker.alg] }))).toBe(
      'ERR_JWT_JKU_NOT_TRUSTED',
    );
    expect(server.count()).toBe(before);
    T.tried();
  });
});

const NON_STRING_KIDS: readonly unknown[] = [
  0,
  1,
  -1,
  1e308,
  null,
  true,
  false,
  [],
  [victim.private.kid],
  {},
  { toString: 'x' },
];

describe.each(BACKENDS)('hostile kid values ($name backend)', ({ backend }) => {
  it('select nothing in a set or a single key, and never throw anything but a JWKitError', async () => {
    const set = new JWKSet([victim.public, { ...attacker.public, kid: 'other' }]);
    for (const kid of HOSTILE_KIDS) {
      const token = await forge({ kid });
      expect(await refusal(() => verifyJWT(token, set, { backend }), kid.slice(0, 40))).toBe(
        'ERR_JWKS_NO_MATCHING_KEY',
      );
      // A single key does not compare kid (the caller chose the key); the signature decides.
      expect(await refusal(() => verifyJWT(token, victim.public, { backend }))).toBeOneOf([
        'ERR_JWT_ALG_NOT_ALLOWED',
        'ERR_JWT_KEY_UNUSABLE',
      ]);
      T.tried(2);
    }
  });

  it('a non-string kid is a malformed header', async () => {
    for (const kid of NON_STRING_KIDS) {
      const input = `${b64u(JSON.stringify({ alg: victim.alg, kid }))}.${b64u('{}')}`;
      expect(await refusal(() => verifyJWT(`${input}.AAAA`, victimSet, { backend }))).toBe(
        'ERR_JWT_HEADER_INVALID',
      );
      T.tried();
    }
  });
});

describe('hostile kids against a RemoteJWKSet', () => {
  it('cost the issuer at most one fetch per cooldown, and the right key keeps verifying', async () => {
    const issuer = await JWKSServer.start((_req, res) =>
      sendJSON(res, { keys: [victim.public] }, { 'cache-control': 'max-age=3600' }),
    );
    const remote = new RemoteJWKSet(issuer.url(), { cooldown: 60_000 });
    try {
      const good = await signJWT({ sub: 'ok' }, victim.private);
      await verifyJWT(good, remote);
      const fetchesBefore = issuer.count();
      const tokens = await Promise.all(HOSTILE_KIDS.map((kid) => forge({ kid }, victim.private, victim.alg)));
      const results = await Promise.allSettled(tokens.map((t) => verifyJWT(t, remote)));
      for (const r of results) expect(r.status).toBe('rejected');
      expect(issuer.count() - fetchesBefore).toBeLessThanOrEqual(1);
      expect((await verifyJWT(good, remote)).payload.sub).toBe('ok');
      T.tried(tokens.length);
    } finally {
      remote.close();
      await issuer.close();
    }
  });
});

describe('the CLI follows no header URL', () => {
  it('jwkit jwt verify with jku/x5u/jwk headers makes no request and exits 1', async () => {
    const before = server.count();
    const tmp = tempDir('jwkit-adv-hdr-');
    try {
      const jwks = join(tmp.dir, 'victim.json');
      writeFileSync(jwks, JSON.stringify({ keys: [victim.public] }));
      const tokens = await Promise.all([
        forge({ jku: server.url('/jwks.json'), kid: victim.private.kid }),
        forge({ x5u: server.url('/cert.pem') }),
        forge({ jwk: attacker.public }),
      ]);
      const results = await Promise.all(tokens.map((t) => jwkit(['jwt', 'verify', t, '--jwks', jwks])));
      for (const r of results) {
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
      }
      T.tried(results.length);
    } finally {
      tmp.cleanup();
    }
    expect(server.count()).toBe(before);
  });
});
