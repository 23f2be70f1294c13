// The runtime-neutral half of bench/runtimes (issue 12 item 3): runs inside Node, Bun, Deno and
// Chromium with nothing but ECMAScript and WebCrypto (no node: imports, no test-runner globals).
// For each case (one alg, ten keys, tokens signed by one of them) it times, in alternating rounds:
//   jwkit:<variant>  verifyJWT(token, JWKSet of the ten public keys): kid selection, claims (exp)
//   webcrypto        the runtime's own crypto.subtle.verify on a CryptoKey prepared once, after
//                    splitting the token and base64url-decoding the signature: the floor
// and reports operations per CPU second (the runtime's process, all threads) and the median of
// operations per wall-clock second.

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
  return { ops, wallMs: now - start };
}

/**
 * The contenders for every case. `variants`: { label: jwkit module }. `cases`: [{ alg, keys:
 * [public JWK or oct secret x10], signer, tokens: [compact JWS] }]. Every contender is checked to
 * accept every token first (they all do the same work). `sample(i, name, ms)` runs one sample.
 */
export async function createBench(variants, cases) {
  const algs = [];
  for (const c of cases) {
    const contenders = {};
    const status = {};
    for (const [label, jwkit] of Object.entries(variants)) {
      const set = jwkit.JWKSet.from({ keys: c.keys });
      try {
        await jwkit.verifyJWT(c.tokens[0], set);
      } catch (error) {
        status[label] = `fails: ${error.code ?? ''} ${error.message}`.slice(0, 160);
        continue;
      }
      contenders[`jwkit:${label}`] = (t) => jwkit.verifyJWT(t, set);
      status[label] = 'ok';
    }
    const raw = await subtleVerifier(c.alg, c.keys[c.signer]);
    if (raw !== undefined) contenders.webcrypto = raw;
    for (const fn of Object.values(contenders)) for (const t of c.tokens) await fn(t);
    algs.push({ alg: c.alg, status, names: Object.keys(contenders), contenders, tokens: c.tokens });
  }
  return {
    algs: algs.map(({ alg, status, names }) => ({ alg, status, names })),
    sample: (i, name, ms) => sample(algs[i].contenders[name], algs[i].tokens, ms),
  };
}

/**
 * Alternating rounds inside this runtime: per case, one warm-up sample per contender, then
 * `rounds` rounds of one sample each. `cpuMs()` is the process's CPU time (all threads, so
 * WebCrypto's worker threads count): CPU throughput does not count time another process held the
 * core, which wall time on a shared machine does.
 */
export async function runBench(bench, { ms = 150, rounds = 9, cpuMs } = {}) {
  const results = [];
  for (let i = 0; i < bench.algs.length; i++) {
    const { alg, status, names } = bench.algs[i];
    for (const name of names) await bench.sample(i, name, ms);
    const acc = Object.fromEntries(names.map((n) => [n, { wall: [], ops: 0, cpu: 0 }]));
    for (let r = 0; r < rounds; r++) {
      for (const name of names) {
        const c0 = cpuMs?.();
        const { ops, wallMs } = await bench.sample(i, name, ms);
        if (cpuMs) acc[name].cpu += cpuMs() - c0;
        acc[name].ops += ops;
        acc[name].wall.push((ops * 1000) / wallMs);
      }
    }
    results.push({ alg, status, ops: summarize(acc) });
  }
  return results;
}

/** Per contender: wall = median ops per wall second; cpu = all ops / all CPU seconds (if measured). */
export function summarize(acc) {
  return Object.fromEntries(
    Object.entries(acc).map(([n, a]) => [
      n,
      { wall: median(a.wall), cpu: a.cpu > 0 ? (a.ops * 1000) / a.cpu : undefined },
    ]),
  );
}
