/**
 * The signature part is checked when it is used, not by the parser (issue 15: HMAC compares it
 * as text and never decodes it). Two things must hold as if the parser had decoded it first:
 * a malformed signature part is never accepted, not even when its lenient decoding is a valid
 * signature, and it is the reported error whatever else is wrong with the token (RFC 7515 §2,
 * §5.2 step 2 before the key and the signature).
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../../test/helpers/backends.js';
import { generateJWK } from '../../src/crypto/generate.js';
import { encode } from '../../src/encoding/base64url.js';
import { JWKitError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { toPublic } from '../../src/jwk/model.js';
import { decodeJWT } from '../../src/jwt/decode.js';
import { signJWT } from '../../src/jwt/sign.js';
import { verifyJWS, verifyJWT, verifyJWTSync } from '../../src/jwt/verify.js';
import { JWKSet } from '../../src/set/jwk-set.js';

const ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
const keys: Record<string, JWK> = {};
for (const alg of ALGS) keys[alg] = (await generateJWK({ alg, kid: alg, allowDeprecated: true })) as JWK;
const verifyKey = (alg: string) => (alg.startsWith('HS') ? keys[alg]! : (toPublic(keys[alg]!) as JWK));

const codeOf = (run: () => unknown): Promise<string> =>
  Promise.resolve()
    .then(run)
    .then(
      () => 'accepted',
      (error: unknown) => {
        expect(error).toBeInstanceOf(JWKitError);
        return (error as JWKitError).code;
      },
    );

/**
 * Texts that a lenient base64url decoder (Node's) turns into the same octets as `sig`: padding,
 * the standard alphabet, whitespace, a non-zero unused last bit, a character outside Latin-1
 * whose low byte is a base64url character.
 */
function lenientTwins(sig: string): string[] {
  const twins = [`${sig}=`, `${sig}==`, ` ${sig}`, `${sig.slice(0, 4)}\n${sig.slice(4)}`];
  const i = sig.search(/[-_]/);
  if (i >= 0) twins.push(sig.slice(0, i) + (sig[i] === '-' ? '+' : '/') + sig.slice(i + 1));
  const last = sig.length % 4 === 0 ? undefined : sig[sig.length - 1]!;
  if (last !== undefined) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bumped = alphabet[alphabet.indexOf(last) + 1]!;
    twins.push(sig.slice(0, -1) + bumped);
  }
  twins.push(String.fromCharCode(0x100 + sig.charCodeAt(0)) + sig.slice(1));
  return twins;
}

describe.each(BACKENDS)('the signature part ($name backend)', ({ backend }) => {
  it.each(ALGS)(
    '%s: no lenient twin of a valid signature is accepted; each is ERR_JWT_BASE64URL',
    async (alg) => {
      const token = await signJWT({ sub: 'x' }, keys[alg]!, { backend });
      const dot = token.lastIndexOf('.');
      const set = new JWKSet([verifyKey(alg)]);
      expect(await codeOf(() => verifyJWT(token, set, { backend }))).toBe('accepted');
      for (const twin of lenientTwins(token.slice(dot + 1))) {
        const bad = `${token.slice(0, dot + 1)}${twin}`;
        for (const run of [
          () => verifyJWT(bad, set, { backend }),
          () => verifyJWT(bad, verifyKey(alg), { backend }),
          () => verifyJWS(bad, set, { backend }),
          () => verifyJWTSync(bad, set, { backend }),
          () => decodeJWT(bad),
        ]) {
          expect(await codeOf(run), JSON.stringify(twin)).toBe('ERR_JWT_BASE64URL');
        }
      }
    },
  );

  it('a malformed signature part is reported before any problem with the header, key or claims', async () => {
    const hs = keys.HS256!;
    const payload = encode(JSON.stringify({ sub: 'x', exp: 1 }));
    const tokenWith = (header: object) => `${encode(JSON.stringify(header))}.${payload}.AAA=`;
    const set = new JWKSet([hs]);
    const cases: [string, () => unknown][] = [
      ['unknown kid', () => verifyJWT(tokenWith({ alg: 'HS256', kid: 'nobody' }), set, { backend })],
      ['unknown alg', () => verifyJWT(tokenWith({ alg: 'XX999', kid: 'HS256' }), set, { backend })],
      [
        'alg not allowed',
        () => verifyJWT(tokenWith({ alg: 'HS256', kid: 'HS256' }), set, { backend, algorithms: ['RS256'] }),
      ],
      [
        'unknown crit',
        () => verifyJWT(tokenWith({ alg: 'HS256', kid: 'HS256', crit: ['x'], x: 1 }), set, { backend }),
      ],
      [
        'asymmetric key for HMAC',
        () => verifyJWT(tokenWith({ alg: 'HS256' }), verifyKey('RS256'), { backend }),
      ],
      [
        'key bound to another alg',
        () => verifyJWT(tokenWith({ alg: 'HS384', kid: 'HS256' }), set, { backend, algorithms: ['HS384'] }),
      ],
      [
        'expired (and unsigned)',
        () => verifyJWT(tokenWith({ alg: 'HS256', kid: 'HS256' }), set, { backend }),
      ],
      ['sync path', () => verifyJWTSync(tokenWith({ alg: 'HS256', kid: 'nobody' }), set, { backend })],
      ['JWS', () => verifyJWS(tokenWith({ alg: 'HS256', kid: 'nobody' }), set, { backend })],
      [
        'detached payload given for an attached one',
        () => verifyJWS(tokenWith({ alg: 'HS256', kid: 'HS256' }), set, { backend, detachedPayload: 'x' }),
      ],
      [
        'embedded key not trusted',
        () =>
          verifyJWT(tokenWith({ alg: 'ES256', jwk: toPublic(keys.ES256!) }), set, {
            backend,
            trustEmbeddedKey: () => false,
          }),
      ],
    ];
    for (const [name, run] of cases) expect(await codeOf(run), name).toBe('ERR_JWT_BASE64URL');
  });

  it('a well-formed wrong signature is ERR_JWT_SIGNATURE_INVALID for every algorithm', async () => {
    for (const alg of ALGS) {
      const token = await signJWT({ sub: 'x' }, keys[alg]!, { backend });
      const other = await signJWT({ sub: 'y' }, keys[alg]!, { backend });
      const forged = `${token.slice(0, token.lastIndexOf('.'))}${other.slice(other.lastIndexOf('.'))}`;
      const set = new JWKSet([verifyKey(alg)]);
      expect(await codeOf(() => verifyJWT(forged, set, { backend })), alg).toBe('ERR_JWT_SIGNATURE_INVALID');
      expect(await codeOf(() => verifyJWT(forged, verifyKey(alg), { backend })), alg).toBe(
        'ERR_JWT_SIGNATURE_INVALID',
      );
    }
  });
});
