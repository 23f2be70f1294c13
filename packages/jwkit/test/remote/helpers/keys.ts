/** Real key pairs for remote tests, made with node:crypto. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { JWK } from '../../../src/jwk/model.js';

export interface TestKey {
  readonly kid: string;
  readonly alg: string;
  /** Public JWK as a provider publishes it. */
  readonly public: JWK;
  /** Private JWK (with `d`). */
  readonly private: JWK;
  readonly privateKey: KeyObject;
}

export function ecKey(kid: string): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return make(kid, 'ES256', publicKey, privateKey);
}

export function edKey(kid: string): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return make(kid, 'EdDSA', publicKey, privateKey);
}

function make(kid: string, alg: string, publicKey: KeyObject, privateKey: KeyObject): TestKey {
  const meta = { kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    public: { ...publicKey.export({ format: 'jwk' }), ...meta } as JWK,
    private: { ...privateKey.export({ format: 'jwk' }), ...meta } as JWK,
    privateKey,
  };
}

export function jwks(...keys: TestKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => k.public) };
}
