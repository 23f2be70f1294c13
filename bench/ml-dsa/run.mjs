// ML-DSA next to ES256 (issue 16 point 6): key generations, signatures and verifications per
// second for each level, on node:crypto (native on Node 24.7+), WebCrypto (native where the
// runtime has ML-DSA) and @noble/post-quantum (pure JS, what Node 20/22 and other runtimes
// without ML-DSA use), plus the size of a JWKS with one key of each.
// Run: scripts/node24 bench/ml-dsa/run.mjs [--ms 400]. Short runs: the machine is shared.
import { loadJwkit } from '../load-jwkit.mjs';

const ms = Number(process.argv[process.argv.indexOf('--ms') + 1]) || 400;
const jwkit = await loadJwkit();
const { generateJWK, nodeBackend, createWebBackend, toPublic, JWKSet } = jwkit;
const backends = {
  'node:crypto': nodeBackend,
  webcrypto: createWebBackend(),
  'noble (pure JS)': createWebBackend({ nativeMlDsa: false }),
};
const algs = ['ES256', 'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87'];
const data = new TextEncoder().encode('eyJhbGciOiJNTC1EU0EtNjUifQ.eyJzdWIiOiJiZW5jaCJ9');

async function rate(fn) {
  await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

console.log(`node ${process.version}, ${ms} ms per figure`);
console.log('| alg | backend | keygen/s | sign/s | verify/s |');
console.log('|---|---|---:|---:|---:|');
for (const alg of algs) {
  for (const [name, backend] of Object.entries(backends)) {
    if (alg === 'ES256' && name.startsWith('noble')) continue;
    const key = await generateJWK({ alg, backend });
    const signer = await backend.importKey(key, alg, 'sign');
    const verifier = await backend.importKey(toPublic(key), alg, 'verify');
    const sig = await backend.sign(signer, data);
    if (!(await backend.verify(verifier, data, sig))) throw new Error(`${alg} ${name}: verify failed`);
    const keygen = await rate(() => generateJWK({ alg, backend }));
    const sign = await rate(() => backend.sign(signer, data));
    const verify = await rate(() => backend.verify(verifier, data, sig));
    console.log(`| ${alg} | ${name} | ${keygen} | ${sign} | ${verify} |`);
  }
}

const keys = [];
for (const alg of algs) keys.push(toPublic(await generateJWK({ alg })));
const size = (ks) => new TextEncoder().encode(JSON.stringify(new JWKSet(ks).toJSON())).length;
console.log('\n| JWKS | bytes |\n|---|---:|');
console.log(`| ES256 only | ${size(keys.slice(0, 1))} |`);
for (let i = 1; i < keys.length; i++) console.log(`| ${algs[i]} only | ${size([keys[i]])} |`);
console.log(`| one key of each (ES256, ML-DSA-44, -65, -87) | ${size(keys)} |`);
