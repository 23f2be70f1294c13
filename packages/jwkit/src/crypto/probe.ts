/**
 * Public keys to probe a backend with (routed.ts): one valid public JWK per curve, made from each
 * curve's base point (SEC 2 v2 §2.4-§2.6 G; RFC 8032 §5.1/§5.2 B; RFC 7748 §4.1/§4.2 u = 9 / 5).
 * Importing one answers whether the runtime can use that curve at all; it costs microseconds and
 * needs no randomness. Imports nothing from `node:`.
 */

import { encode } from '../encoding/base64url.js';
import type { JWK } from '../jwk/model.js';
import { edwardsCurve, weierstrassCurve } from '../math/curves.js';
import { getCurve } from '../registry.js';

const cache = new Map<string, JWK | undefined>();

/** The public JWK of `kty` `crv`'s base point, or undefined for a kind without a curve. */
export function probePublicKey(kty: string, crv: string): JWK | undefined {
  const id = `${kty}:${crv}`;
  if (cache.has(id)) return cache.get(id);
  const curve = getCurve(crv);
  let jwk: JWK | undefined;
  if (curve !== undefined && curve.kty === kty) {
    const weierstrass = kty === 'EC' ? weierstrassCurve(crv) : undefined;
    const edwards = kty === 'OKP' ? edwardsCurve(crv) : undefined;
    if (weierstrass !== undefined) {
      const point = weierstrass.Point.BASE.toBytes(false); // 04 || x || y
      jwk = {
        kty: 'EC',
        crv,
        x: encode(point.subarray(1, 1 + curve.size)),
        y: encode(point.subarray(1 + curve.size)),
      } as JWK;
    } else if (edwards !== undefined) {
      jwk = { kty: 'OKP', crv, x: encode(edwards.Point.BASE.toBytes()) } as JWK;
    } else if (kty === 'OKP') {
      const u = new Uint8Array(curve.size);
      u[0] = crv === 'X25519' ? 9 : 5;
      jwk = { kty: 'OKP', crv, x: encode(u) } as JWK;
    }
  }
  cache.set(id, jwk);
  return jwk;
}
