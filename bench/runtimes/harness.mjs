// The runtime-neutral half of bench/runtimes (issue 12 item 3): runs inside Node, Bun, Deno and
// Chromium with nothing but ECMAScript and WebCrypto (no node: imports, no test-runner globals).
// For each case (one alg, ten keys, tokens signed by one of them) it times, in alternating rounds:
//   jwkit:<variant>  verifyJWT(token, JWKSet of the ten public keys): kid selection, claims (exp)
//   webcrypto        the runtime's own crypto.subtle.verify on a CryptoKey prepared once, after
//                    splitting the token and base64url-decoding the signature: the floor
// and reports medians of operations per wall-clock second (CPU time is not portable).

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function b64u(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const encoder = new TextEncoder();

/** WebCrypto import and verify parameters per JWS alg (RFC 7518 §3; RFC 9964 for ML-DSA). */
const SUBTLE = {
  RS256: { imp: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, ver: { name: 'RSASSA-PKCS1-v1_5' } },
  ES256: { imp: { name: 'ECDSA', namedCurve: 'P-256' }, ver: { name: 'ECDSA', hash: 'SHA-256' } },
  EdDSA: { imp: { name: 'Ed25519' }, ver: { name: 'Ed25519' } },
  HS256: { imp: { name: 'HMAC', hash: 'SHA-256' }, ver: { name: 'HMAC' } },
  'ML-DSA-65': { imp: { name: 'ML-DSA-65' }, ver: { name: 'ML-DSA-65' } },
};

/** The raw WebCrypto verifier for `jwk`, or undefined when this runtime's WebCrypto lacks the alg. */
async function subtleVerifier(alg, jwk) {
  const { imp, ver } = SUBTLE[alg];
  let key;
  try {
    if (alg === 'HS256') key = await crypto.subtle.importKey('raw', b64u(jwk.k), imp, false, ['verify']);
    else if (alg === 'ML-DSA-65')
      key = await crypto.subtle.importKey('raw-public', b64u(jwk.pub), imp, false, ['verify']);
    else {
      const { d, p, q, dp, dq, qi, alg: _a, kid: _k, key_ops: _o, use: _u, ...pub } = jwk;
      key = await crypto.subtle.importKey('jwk', pub, imp, false, ['verify']);
    }
  } catch {
    return undefined;
  }
  return async (token) => {
    const dot = token.lastIndexOf('.');
    const ok = await crypto.subtle.verify(
      ver,
      key,
      b64u(token.slice(dot + 1)),
      encoder.encode(token.slice(0, dot)),
    );
    if (!ok) throw new Error(`${alg}: WebCrypto rejected a valid token`);
  };
}

async function sample(fn, tokens, ms) {
  let ops = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let i = 0; i < tokens.length; i++) {
      const r = fn(tokens[i]);
      if (r !== undefined && typeof r.then === 'function') await r;
    }
    ops += tokens.length;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

/**
 * `variants`: { label: jwkit module }. `cases`: [{ alg, keys: [public JWK or oct secret x10],
 * tokens: [compact JWS] }]. Returns [{ alg, ops: { contender: median ops/s }, backend }].
 */
export async function runBench(variants, cases, { ms = 150, rounds = 9 } = {}) {
  const results = [];
  for (const c of cases) {
    const contenders = {};
    const backends = {};
    for (const [label, jwkit] of Object.entries(variants)) {
      const set = jwkit.JWKSet.from({ keys: c.keys });
      try {
        await jwkit.verifyJWT(c.tokens[0], set);
      } catch (error) {
        backends[label] = `fails: ${error.code ?? ''} ${error.message}`.slice(0, 160);
        continue;
      }
      contenders[`jwkit:${label}`] = (t) => jwkit.verifyJWT(t, set);
      backends[label] = 'ok';
    }
    const raw = await subtleVerifier(c.alg, c.keys[c.signer]);
    if (raw !== undefined) contenders.webcrypto = raw;
    // Every contender accepts every token: they all do the same work.
    for (const fn of Object.values(contenders)) for (const t of c.tokens) await fn(t);
    for (const fn of Object.values(contenders)) await sample(fn, c.tokens, ms); // warm-up
    const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
    for (let r = 0; r < rounds; r++)
      for (const [name, fn] of Object.entries(contenders)) samples[name].push(await sample(fn, c.tokens, ms));
    results.push({
      alg: c.alg,
      ops: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])),
      status: backends,
    });
  }
  return results;
}
