/** One-line facts about a key, shared by `inspect`, `set list` and `keys list`. */

import type { JWK } from 'jwkit';
import { getCurve, isPrivate } from 'jwkit';
import { keyProfile } from 'jwkit/internal';

export interface KeySummary {
  kid?: string;
  kty: string;
  crv?: string;
  /** RSA modulus or oct key length, or the curve's size, in bits. */
  bits?: number;
  /** `2048` for RSA and oct, the curve name for EC and OKP. */
  size: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  private: boolean;
}

/** Facts about a validated key (its members are known to be well formed). */
export function describeKey(jwk: JWK): KeySummary {
  const info = keyProfile(jwk);
  const curve = getCurve(info.crv);
  const bits = info.bits ?? curve?.bits;
  const out: KeySummary = {
    kty: jwk.kty,
    size: info.crv ?? (jwk.kty === 'AKP' ? String(jwk.alg) : `${info.bits ?? '?'}`),
    private: isPrivate(jwk),
  };
  if (jwk.kid !== undefined) out.kid = jwk.kid;
  if (info.crv !== undefined) out.crv = info.crv;
  if (bits !== undefined) out.bits = bits;
  if (jwk.alg !== undefined) out.alg = jwk.alg;
  if (jwk.use !== undefined) out.use = jwk.use;
  if (jwk.key_ops !== undefined) out.key_ops = [...jwk.key_ops];
  return out;
}
