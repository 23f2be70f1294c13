/**
 * What this runtime's node:crypto can do, probed once per key kind (routed.ts): Bun's node:crypto
 * lacks secp256k1, Ed448 and X448, and an OpenSSL built without a curve lacks it too. A kind is
 * there when node:crypto imports the curve's base point as a public key (probe.ts). RSA and HMAC
 * are in every node:crypto; ML-DSA always has an engine (native or @noble/post-quantum,
 * ml-dsa-node.ts).
 */

import { createPublicKey } from 'node:crypto';
import { probePublicKey } from './probe.js';
import type { KeyKind } from './routed.js';

const answers = new Map<KeyKind, boolean>();

export function nodeHas(kind: KeyKind): boolean {
  let has = answers.get(kind);
  if (has === undefined) {
    const [kty, crv] = kind.split(':') as [string, string | undefined];
    if (kty === 'RSA' || kty === 'oct' || kty === 'AKP') has = true;
    else {
      const jwk = crv === undefined ? undefined : probePublicKey(kty, crv);
      try {
        has =
          jwk !== undefined &&
          createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }) !== undefined;
      } catch {
        has = false;
      }
    }
    answers.set(kind, has);
  }
  return has;
}
