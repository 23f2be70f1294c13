// The runtime conformance suite (issue 12): one runtime-neutral ES module that runs unchanged on
// Node, Bun, Deno, workerd and Chromium. It imports `jwkit` by its package name, so each runtime
// resolves the package the way its users' code does (export conditions included), and exercises
// every algorithm and key type the registry lists: generation, validation, toPublic, RFC 7638
// thumbprints and RFC 9278 URIs, PEM/DER (SPKI, PKCS#8), X.509, JWT sign/verify, tampering,
// JWKSet selection by kid and RemoteJWKSet over loopback HTTP.
//
// Known answers (known-answers.json) were made by node:crypto, jose and openssl, not by jwkit
// (make-known-answers.mjs). No `node:` import, no test-runner global: the runners in
// test/runtimes call `runSuite({ baseURL })` and print what it returns.
import {
  certificateToJWK,
  derToJWK,
  generateJWK,
  getBackend,
  importKey,
  JWKSet,
  jwkToDER,
  jwkToPEM,
  parseCertificate,
  pemToJWK,
  RemoteJWKSet,
  signJWT,
  thumbprint,
  thumbprintURI,
  toPublic,
  validateJWK,
  verifyCertificateSignature,
  verifyJWT,
} from 'jwkit';
import { bytesEqual, createHarness, deepEqual, equal, ok, rejects } from './harness.js';
import KA from './known-answers.json' with { type: 'json' };

/** Private members per key type (RFC 7518 §6.2-6.4, RFC 8037 §2, RFC 9964 §3), stated here, not read from jwkit. */
const PRIVATE = {
  RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'],
  EC: ['d'],
  OKP: ['d'],
  AKP: ['priv'],
  oct: ['k'],
};
const PUBLIC = { RSA: ['n', 'e'], EC: ['crv', 'x', 'y'], OKP: ['crv', 'x'], AKP: ['pub'], oct: [] };

/**
 * Algorithms a runtime legitimately cannot run, by runtime family: an operation on them must fail
 * with ERR_UNSUPPORTED naming the algorithm and the runtime (issue 12 §1). Empty: every runtime
 * in the matrix is expected to run every algorithm. A runtime added here needs its reason.
 */
const GAPS = {};
/** Words a message may use to name each runtime. */
const RUNTIME_NAMES = {
  node: ['Node'],
  bun: ['Bun'],
  deno: ['Deno'],
  workerd: ['workerd', 'Workers'],
  browser: ['browser', 'Chromium', 'WebCrypto'],
};

export function detectRuntime() {
  const g = globalThis;
  if (g.Bun !== undefined) return { family: 'bun', version: g.Bun.version };
  if (g.Deno !== undefined) return { family: 'deno', version: g.Deno.version.deno };
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return { family: 'workerd', version: '' };
  if (g.process?.versions?.node !== undefined) return { family: 'node', version: g.process.versions.node };
  const ua = g.navigator?.userAgent ?? '';
  const chrome = /(?:HeadlessChrome|Chrome)\/([\d.]+)/.exec(ua);
  return { family: 'browser', version: chrome ? `Chromium ${chrome[1]}` : ua };
}

const RUNTIME = detectRuntime();

/**
 * Runs `fn`; when it fails with ERR_UNSUPPORTED for an algorithm GAPS lists for this runtime, the
 * error must name the algorithm and the runtime, and the case passes with a note. Anything else
 * propagates.
 */
async function attempt(alg, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err?.code !== 'ERR_UNSUPPORTED' || !(GAPS[RUNTIME.family] ?? []).includes(alg)) throw err;
    ok(String(err.message).includes(alg), `the ERR_UNSUPPORTED message names ${alg} (${err.message})`);
    ok(
      RUNTIME_NAMES[RUNTIME.family].some((n) => String(err.message).includes(n)),
      `the ERR_UNSUPPORTED message names the runtime (${err.message})`,
    );
    return UNSUPPORTED;
  }
}
const UNSUPPORTED = Symbol('unsupported');

const te = new TextEncoder();
const fromB64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toB64url = (bytes) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const pemBody = (pem) => pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, '');
const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
const pick = (jwk, names) =>
  Object.fromEntries(names.filter((n) => jwk[n] !== undefined).map((n) => [n, jwk[n]]));
const ktyOf = (k) => k.jwk.kty;
const isSig = (k) => k.alg !== 'ECDH-ES';

function generateOptions(k) {
  const crv = k.jwk.crv;
  if (k.alg === 'EdDSA') return { alg: 'EdDSA', crv, allowDeprecated: true };
  if (k.alg === 'ECDH-ES') return { alg: 'ECDH-ES', crv };
  return { alg: k.alg };
}

function assertNoPrivate(jwk, kty, what) {
  for (const m of PRIVATE[kty]) equal(Object.hasOwn(jwk, m), false, `${what} has no private "${m}"`);
}

/** Replaces one character in the middle of a base64url segment with another base64url character. */
function flipChar(segment) {
  const i = Math.floor(segment.length / 2);
  const c = segment[i] === 'A' ? 'B' : 'A';
  return segment.slice(0, i) + c + segment.slice(i + 1);
}

function defineKeyCases(h, k, verifiers) {
  const kty = ktyOf(k);
  const label = k.id;

  h.case(`${label}: generateJWK, validateJWK, toPublic, kid is the thumbprint`, async () => {
    const jwk = await attempt(k.alg, () => generateJWK(generateOptions(k)));
    if (jwk === UNSUPPORTED) return 'unsupported here, with a coded error';
    equal(jwk.kty, kty, 'kty');
    equal(jwk.alg, k.alg, 'alg');
    if (k.jwk.crv) equal(jwk.crv, k.jwk.crv, 'crv');
    for (const m of PRIVATE[kty].filter((m) => m !== 'oth'))
      ok(typeof jwk[m] === 'string', `private member ${m}`);
    const report = validateJWK(jwk);
    equal(report.valid, true, `validateJWK (${report.problems.map((p) => p.code).join(', ')})`);
    equal(jwk.kid, thumbprint(jwk), 'kid is the RFC 7638 thumbprint');
    if (kty === 'oct') return undefined;
    const pub = toPublic(jwk);
    assertNoPrivate(pub, kty, 'toPublic(generated)');
    deepEqual(pick(pub, PUBLIC[kty]), pick(jwk, PUBLIC[kty]), 'public members kept');
    equal(validateJWK(pub).valid, true, 'validateJWK(public)');
    equal(thumbprint(pub), jwk.kid, 'the public key has the same thumbprint');
    if (!isSig(k)) return undefined;
    const token = await signJWT({ sub: 'fresh' }, jwk, { issuedAt: false });
    const { payload } = await verifyJWT(token, pub);
    equal(payload.sub, 'fresh', 'a fresh key signs a token its public key verifies');
    return undefined;
  });

  h.case(`${label}: validateJWK, thumbprint and URI of a known key`, async () => {
    const report = validateJWK(k.jwk);
    equal(report.valid, true, `validateJWK (${report.problems.map((p) => p.code).join(', ')})`);
    equal(thumbprint(k.jwk), k.thumbprint, 'RFC 7638 SHA-256 thumbprint (jose)');
    equal(thumbprint(k.jwk, 'SHA-512'), k.thumbprintSHA512, 'SHA-512 thumbprint (jose)');
    equal(thumbprintURI(k.jwk), k.thumbprintURI, 'RFC 9278 thumbprint URI (jose)');
    if (kty === 'oct') return;
    const pub = toPublic(k.jwk);
    assertNoPrivate(pub, kty, 'toPublic(known)');
    deepEqual(pub, k.publicJwk, 'toPublic equals the public JWK node:crypto exported');
    equal(thumbprint(pub), k.thumbprint, 'public thumbprint');
  });

  if (kty !== 'oct') {
    h.case(`${label}: PEM and DER, SPKI and PKCS#8, both ways`, async () => {
      const pub = pick(k.publicJwk, ['kty', ...PUBLIC[kty], ...(kty === 'AKP' ? ['alg'] : [])]);
      const fromSpki = await attempt(k.alg, () => pemToJWK(k.spki));
      if (fromSpki === UNSUPPORTED) return 'unsupported here, with a coded error';
      deepEqual(pick(fromSpki, Object.keys(pub)), pub, "pemToJWK(node:crypto's SPKI)");
      assertNoPrivate(fromSpki, kty, 'pemToJWK(SPKI)');
      const spkiPem = await jwkToPEM(k.publicJwk);
      equal(pemBody(spkiPem), pemBody(k.spki), "jwkToPEM(public) equals node:crypto's SPKI");
      const spkiDer = await jwkToDER(k.publicJwk);
      bytesEqual(spkiDer, fromB64(pemBody(k.spki)), 'jwkToDER(public) is the SPKI DER');
      deepEqual(pick(await derToJWK(spkiDer), Object.keys(pub)), pub, 'derToJWK(SPKI)');

      const priv = pick(k.jwk, ['kty', ...PUBLIC[kty], ...PRIVATE[kty], ...(kty === 'AKP' ? ['alg'] : [])]);
      const fromPkcs8 = await pemToJWK(k.pkcs8);
      deepEqual(pick(fromPkcs8, Object.keys(priv)), priv, "pemToJWK(node:crypto's PKCS#8)");
      const pkcs8Pem = await jwkToPEM(k.jwk);
      ok(pkcs8Pem.startsWith('-----BEGIN PRIVATE KEY-----'), 'a private JWK becomes a PKCS#8 PEM');
      deepEqual(pick(await pemToJWK(pkcs8Pem), Object.keys(priv)), priv, 'PKCS#8 PEM round trip');
      const pkcs8Der = await jwkToDER(k.jwk, { format: 'pkcs8' });
      deepEqual(pick(await derToJWK(pkcs8Der), Object.keys(priv)), priv, 'PKCS#8 DER round trip');
      return undefined;
    });
  }

  if (k.encryptedPkcs8) {
    h.case(`${label}: encrypted PKCS#8 (PBES2) from node:crypto, and back`, async () => {
      const priv = pick(k.jwk, ['kty', ...PUBLIC[kty], ...PRIVATE[kty]]);
      const opened = await pemToJWK(k.encryptedPkcs8, { passphrase: k.passphrase });
      deepEqual(pick(opened, Object.keys(priv)), priv, "pemToJWK(node:crypto's ENCRYPTED PRIVATE KEY)");
      await rejects(pemToJWK(k.encryptedPkcs8), 'ERR_PASSPHRASE_REQUIRED', 'without a passphrase');
      await rejects(
        pemToJWK(k.encryptedPkcs8, { passphrase: 'wrong' }),
        'ERR_PASSPHRASE_WRONG',
        'a wrong passphrase',
      );
      // Few PBKDF2 rounds: the case checks the format on this runtime, not the work factor.
      const pem = await jwkToPEM(k.jwk, { passphrase: k.passphrase, iterations: 1000 });
      ok(pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----'), 'jwkToPEM with a passphrase encrypts');
      deepEqual(
        pick(await pemToJWK(pem, { passphrase: k.passphrase }), Object.keys(priv)),
        priv,
        'round trip',
      );
    });
  }

  if (!isSig(k)) return;

  h.case(`${label}: signJWT, then verifyJWT with the key and with a JWKSet by kid`, async () => {
    const token = await attempt(k.alg, () =>
      signJWT({ sub: 'round-trip', n: 1 }, k.jwk, { issuer: 'https://conformance.test', expiresIn: '5m' }),
    );
    if (token === UNSUPPORTED) return 'unsupported here, with a coded error';
    const [header] = token.split('.');
    deepEqual(
      JSON.parse(atob(header.replace(/-/g, '+').replace(/_/g, '/'))),
      { alg: k.alg, kid: k.jwk.kid, typ: 'JWT' },
      'header',
    );
    const verifier = kty === 'oct' ? k.jwk : k.publicJwk;
    const direct = await verifyJWT(token, verifier, { issuer: 'https://conformance.test' });
    equal(direct.payload.sub, 'round-trip', 'payload via the key');
    const viaSet = await verifyJWT(token, new JWKSet(verifiers));
    equal(viaSet.key.kid, k.jwk.kid, 'the JWKSet selected the key by kid');
    if (kty !== 'oct') assertNoPrivate(viaSet.key, kty, 'the verifying key');
    return undefined;
  });

  h.case(`${label}: a token signed by node:crypto verifies (known answer)`, async () => {
    const res = await attempt(k.alg, () => verifyJWT(k.token, new JWKSet(verifiers)));
    if (res === UNSUPPORTED) return 'unsupported here, with a coded error';
    deepEqual(res.payload, k.payload, 'payload');
    equal(res.header.alg, k.alg, 'header alg');
    equal(res.key.kid, k.jwk.kid, 'selected key');
    return undefined;
  });

  h.case(`${label}: a tampered signature or payload is rejected with ERR_JWT_SIGNATURE_INVALID`, async () => {
    const [head, body, sig] = k.token.split('.');
    const verifier = kty === 'oct' ? k.jwk : k.publicJwk;
    const r1 = await attempt(k.alg, () =>
      rejects(
        verifyJWT(`${head}.${body}.${flipChar(sig)}`, verifier),
        'ERR_JWT_SIGNATURE_INVALID',
        'signature changed',
      ),
    );
    if (r1 === UNSUPPORTED) return 'unsupported here, with a coded error';
    const forged = toB64url(te.encode(JSON.stringify({ ...k.payload, sub: 'admin' })));
    await rejects(
      verifyJWT(`${head}.${forged}.${sig}`, verifier),
      'ERR_JWT_SIGNATURE_INVALID',
      'payload changed',
    );
    return undefined;
  });

  if (k.certificate) {
    h.case(
      `${label}: X.509 self-signed certificate (openssl): parse, key, thumbprints, signature`,
      async () => {
        const der = fromB64(k.certificate);
        const info = parseCertificate(der);
        ok(info.subject.includes(`jwkit conformance ${k.id}`), `subject (${info.subject})`);
        const jwk = await certificateToJWK(k.certificate);
        const names = ['kty', ...PUBLIC[kty]];
        deepEqual(pick(jwk, names), pick(k.publicJwk, names), 'certificateToJWK has the key');
        deepEqual(jwk.x5c, [k.certificate], 'x5c');
        equal(jwk['x5t#S256'], toB64url(await sha256(der)), 'x5t#S256');
        const verified = await attempt(k.alg, () => verifyCertificateSignature(info, info));
        if (verified === UNSUPPORTED) return 'unsupported here, with a coded error';
        equal(verified, true, 'the self-signature verifies');
        const tbs = info.tbs.slice();
        tbs[tbs.length - 3] ^= 1;
        equal(
          await verifyCertificateSignature({ ...info, tbs }, info),
          false,
          'a changed TBSCertificate does not',
        );
        return undefined;
      },
    );
  }
}

function defineVectorCases(h) {
  h.case('RFC 7638 §3.1 thumbprint and its RFC 9278 URI', async () => {
    equal(thumbprint(KA.rfc7638.jwk), KA.rfc7638.thumbprint, 'thumbprint');
    equal(thumbprintURI(KA.rfc7638.jwk), KA.rfc7638.thumbprintURI, 'thumbprint URI');
  });
  h.case('RFC 8037 Appendix A.3 Ed25519 thumbprint', async () => {
    equal(thumbprint(KA.rfc8037.jwk), KA.rfc8037.thumbprint, 'thumbprint');
  });
  h.case('X.509: a real-world x5c (Microsoft Entra) gives its key and x5t', async () => {
    const jwk = await certificateToJWK(KA.realWorldX5c.x5c);
    deepEqual(pick(jwk, ['kty', 'n', 'e']), KA.realWorldX5c.jwk, 'key from the certificate');
    equal(jwk.x5t, KA.realWorldX5c.x5t, 'x5t');
  });
  for (const c of KA.lampsMlDsa) {
    h.case(`X.509: the LAMPS ${c.alg} certificate gives its AKP key and its signature verifies`, async () => {
      const jwk = await certificateToJWK(c.certificate);
      equal(jwk.kty, 'AKP', 'kty');
      equal(jwk.alg, c.alg, 'alg');
      equal(jwk.pub, (await pemToJWK(c.spki)).pub, 'pub equals the LAMPS SPKI');
      const info = parseCertificate(fromB64(c.certificate));
      const verified = await attempt(c.alg, () => verifyCertificateSignature(info, info));
      if (verified === UNSUPPORTED) return 'unsupported here, with a coded error';
      equal(verified, true, 'the self-signature verifies');
      return undefined;
    });
  }
}

function defineSetCases(h, allPublic) {
  h.case('JWKSet: selects each key by kid and alg; an unknown kid is ERR_JWKS_NO_MATCHING_KEY', async () => {
    const set = new JWKSet(allPublic);
    equal(set.size, allPublic.length, 'size');
    for (const key of allPublic) {
      if (key.alg === 'ECDH-ES' || (GAPS[RUNTIME.family] ?? []).includes(key.alg)) continue;
      const selected = await set.selectKey({ alg: key.alg, kid: key.kid });
      equal(selected.jwk.kid, key.kid, `selected ${key.alg}`);
    }
    await rejects(
      set.selectKey({ alg: 'ES256', kid: 'no-such-kid' }),
      'ERR_JWKS_NO_MATCHING_KEY',
      'unknown kid',
    );
    const json = JSON.stringify(set.toJSON());
    for (const m of ['"d"', '"p"', '"q"', '"priv"', '"k"'])
      equal(json.includes(m), false, `published set has no ${m}`);
  });
}

/** The loopback JWKS server's API (test/runtimes/jwks-server.ts): one state per session id. */
function jwksSession(baseURL, name) {
  const id = `${RUNTIME.family}-${name}-${Math.random().toString(36).slice(2, 10)}`;
  const root = `${baseURL}/s/${id}`;
  return {
    url: `${root}/jwks.json`,
    async serve(keys, { status = 200, etag = true } = {}) {
      const res = await fetch(root, {
        method: 'PUT',
        body: JSON.stringify({ status, etag, body: { keys } }),
      });
      equal(res.status, 204, 'jwks server accepted the state');
    },
    async log() {
      const res = await fetch(`${root}/log`, { cache: 'no-store' });
      return res.json();
    },
  };
}

function defineRemoteCases(h, baseURL) {
  const byId = (id) => KA.keys.find((k) => k.id === id);
  const A = byId('ES256');
  const B = byId('Ed25519');
  const opts = { backgroundRefresh: false };

  h.case('RemoteJWKSet: fetches the set over loopback HTTP and verifies', async () => {
    const s = jwksSession(baseURL, 'fetch');
    await s.serve([A.publicJwk]);
    const remote = new RemoteJWKSet(s.url, opts);
    try {
      const res = await verifyJWT(A.token, remote);
      equal(res.key.kid, A.jwk.kid, 'kid');
      equal((await s.log()).hits, 1, 'one request reached the server');
    } finally {
      remote.close();
    }
  });

  h.case('RemoteJWKSet: an unknown kid refetches from the server (not from an HTTP cache)', async () => {
    const s = jwksSession(baseURL, 'rotate');
    await s.serve([A.publicJwk]);
    const remote = new RemoteJWKSet(s.url, opts);
    try {
      await verifyJWT(A.token, remote);
      await s.serve([A.publicJwk, B.publicJwk]);
      const res = await verifyJWT(B.token, remote);
      equal(res.key.kid, B.jwk.kid, 'the new key verified');
      equal((await s.log()).hits, 2, 'requests that reached the server');
    } finally {
      remote.close();
    }
  });

  h.case('RemoteJWKSet: an unknown kid refetches from a server that sends no ETag', async () => {
    // Without an ETag the library's request carries no If-None-Match, so nothing but the
    // library's own fetch options keeps a browser's HTTP cache from answering with the old set.
    const s = jwksSession(baseURL, 'no-etag');
    await s.serve([A.publicJwk], { etag: false });
    const remote = new RemoteJWKSet(s.url, opts);
    try {
      await verifyJWT(A.token, remote);
      await s.serve([A.publicJwk, B.publicJwk], { etag: false });
      const res = await verifyJWT(B.token, remote);
      equal(res.key.kid, B.jwk.kid, 'the new key verified');
      equal((await s.log()).hits, 2, 'requests that reached the server');
    } finally {
      remote.close();
    }
  });

  h.case('RemoteJWKSet: revalidates with If-None-Match and keeps the set on 304', async () => {
    const s = jwksSession(baseURL, 'etag');
    await s.serve([A.publicJwk]);
    const remote = new RemoteJWKSet(s.url, opts);
    try {
      await verifyJWT(A.token, remote);
      await remote.refresh();
      const log = await s.log();
      equal(log.hits, 2, 'requests that reached the server');
      equal(log.notModified, 1, 'the second was answered 304 to its If-None-Match');
      equal((await verifyJWT(A.token, remote)).key.kid, A.jwk.kid, 'still verifies');
    } finally {
      remote.close();
    }
  });

  h.case('RemoteJWKSet: a failed refresh keeps the last good set in use', async () => {
    const s = jwksSession(baseURL, 'fail');
    await s.serve([A.publicJwk]);
    const remote = new RemoteJWKSet(s.url, opts);
    try {
      await verifyJWT(A.token, remote);
      await s.serve([], { status: 503 });
      await rejects(remote.refresh(), 'ERR_REMOTE_JWKS_STATUS', 'refresh against a 503');
      equal((await s.log()).hits, 2, 'the failing request reached the server');
      equal((await verifyJWT(A.token, remote)).key.kid, A.jwk.kid, 'the last good set still verifies');
      equal(remote.lastError?.code, 'ERR_REMOTE_JWKS_STATUS', 'lastError');
    } finally {
      remote.close();
    }
  });

  h.case('RemoteJWKSet: past its max-age with the server failing, the stale set is served', async () => {
    const s = jwksSession(baseURL, 'stale');
    await s.serve([A.publicJwk]);
    let now = Date.now();
    const clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => {} };
    const remote = new RemoteJWKSet(s.url, { ...opts, clock });
    try {
      await verifyJWT(A.token, remote);
      await s.serve([], { status: 500 });
      now += 301_000; // the server says max-age=300
      equal(remote.fresh, false, 'no longer fresh');
      equal((await verifyJWT(A.token, remote)).key.kid, A.jwk.kid, 'the stale set verifies');
      equal(remote.stale, true, 'served stale');
      equal((await s.log()).hits, 2, 'the expired set was refetched once, and that failed');
    } finally {
      remote.close();
    }
  });
}

/**
 * Runs every case. `baseURL`: the loopback JWKS server for the RemoteJWKSet cases (skipped
 * without it); `only`: a RegExp selecting cases by name.
 */
export async function runSuite({ baseURL, only } = {}) {
  const h = createHarness();
  const allPublic = KA.keys.filter((k) => k.publicJwk).map((k) => k.publicJwk);
  // What a verifier holds: every public key, and the HMAC secrets (RFC 7518 §3.2).
  const verifiers = KA.keys.map((k) => k.publicJwk ?? k.jwk);
  for (const k of KA.keys) defineKeyCases(h, k, verifiers);
  defineVectorCases(h);
  defineSetCases(h, allPublic);
  if (baseURL) defineRemoteCases(h, baseURL.replace(/\/$/, ''));
  const start = Date.now();
  const { results, ms } = await h.run({ only });
  const totalMs = Date.now() - start;
  return {
    runtime: { ...RUNTIME, backend: getBackend().name },
    results,
    ms,
    totalMs,
    backends: await backends(),
  };
}

/** Which backend verifies each algorithm here (informative: the per-algorithm routing of issue 12). */
async function backends() {
  const out = {};
  for (const k of KA.keys.filter(isSig)) {
    try {
      out[k.id] = (await importKey(k.publicJwk ?? k.jwk, k.alg, 'verify')).backend;
    } catch (err) {
      out[k.id] = `error ${err?.code ?? err?.name}`;
    }
  }
  return out;
}
