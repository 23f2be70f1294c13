/**
 * Whether a key may be used with an algorithm: the registry rules (kty, curve, minimum size)
 * and the key's own `alg`, `use` and `key_ops` members (RFC 7517 §4.2-4.4). Pure data and rules,
 * no backend: importKey and jwkToCryptoKey (src/crypto) both call `checkKeyForAlg` so that both
 * refuse the same keys, and sets size keys with `keyBits`.
 */

import { decode } from '../encoding/base64url.js';
import { JWKitError, UnsupportedError } from '../errors/index.js';
import { type AlgorithmInfo, algorithmAllowsKey, getAlgorithm, isKty, type KeyOp } from '../registry.js';
import { rsaModulusBits } from './material.js';
import type { JWK } from './model.js';
import { isPrivate } from './model.js';

/** Key size in bits for the registry's size rules: the RSA modulus or the oct key length. */
export function keyBits(jwk: JWK): number | undefined {
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string')
    return rsaModulusBits(decode(jwk.n, { allowPadding: true }));
  if (jwk.kty === 'oct' && typeof jwk.k === 'string') return decode(jwk.k, { allowPadding: true }).length * 8;
  return undefined;
}

/**
 * Checks that `jwk` may be used with `alg` for every one of `ops` (JWK `key_ops` names); returns
 * the algorithm. Shared by importKey and jwkToCryptoKey so both refuse the same keys.
 */
export function checkKeyForAlg(jwk: JWK, alg: string, ops: readonly KeyOp[]): AlgorithmInfo {
  if (jwk === null || typeof jwk !== 'object')
    throw new JWKitError('ERR_KEY_ALG_MISMATCH', 'a JWK must be an object');
  const info = getAlgorithm(alg);
  if (!info) throw new UnsupportedError(`unknown algorithm ${JSON.stringify(alg)}`);
  const kty = jwk.kty;
  if (!isKty(kty)) throw new UnsupportedError(`key type ${JSON.stringify(kty)} is not supported`);
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    throw new JWKitError(
      'ERR_KEY_ALG_MISMATCH',
      `this key is restricted to ${JSON.stringify(jwk.alg)} by its "alg" member (RFC 7517 §4.4), not ${alg}`,
    );
  }
  if ((kty === 'EC' || kty === 'OKP') && typeof jwk.crv !== 'string') {
    throw new JWKitError('ERR_KEY_ALG_MISMATCH', `an ${kty} key needs "crv" to be used with ${alg}`);
  }
  const reason = algorithmAllowsKey(info, kty, jwk.crv as string | undefined, keyBits(jwk));
  if (reason) throw new JWKitError('ERR_KEY_ALG_MISMATCH', `${reason} (${info.rfc})`);
  if (jwk.use !== undefined && jwk.use !== info.use) {
    throw new JWKitError(
      'ERR_KEY_USE',
      `this key is published with "use": ${JSON.stringify(jwk.use)}, so it cannot be used for ${alg} (RFC 7517 §4.2)`,
    );
  }
  if (jwk.key_ops !== undefined) {
    const allowed = Array.isArray(jwk.key_ops) ? jwk.key_ops : [];
    const missing = ops.filter((op) => !allowed.includes(op));
    if (missing.length > 0) {
      throw new JWKitError(
        'ERR_KEY_OPS',
        `this key's "key_ops" does not include ${missing.map((m) => JSON.stringify(m)).join(', ')} (RFC 7517 §4.3)`,
      );
    }
  }
  const needsPrivate = ops.some(
    (op) =>
      op === 'sign' || op === 'decrypt' || op === 'unwrapKey' || op === 'deriveKey' || op === 'deriveBits',
  );
  if (needsPrivate && !isPrivate(jwk)) {
    throw new JWKitError(
      'ERR_KEY_NOT_PRIVATE',
      `${ops.join('/')} with ${alg} needs a private key; this JWK has no "${jwk.kty === 'AKP' ? 'priv' : 'd'}"`,
    );
  }
  return info;
}
