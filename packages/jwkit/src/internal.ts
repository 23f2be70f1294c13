/**
 * `jwkit/internal`: helpers that jwkit's own packages (@jwkit/server, @jwkit/cli, the web app)
 * share with the library. Not part of the public API: no semver promise, may change in any release.
 */

export { resolveGenerate } from './crypto/generate.js';
export { generateBits } from './crypto/spec.js';
export { decode, decodeStd, encode, encodeStd } from './encoding/base64url.js';
export { keyBits } from './jwk/key-alg.js';
export { assertKid } from './jwk/kid.js';
export { seconds } from './jwt/seconds.js';
export { type ExternalSigner, signJWTWith } from './jwt/sign-with.js';
export { addressKind, systemLookup } from './remote/address-policy.js';
export { parseCacheControl } from './remote/cache-policy.js';
export { systemClock } from './remote/clock.js';
export { fetchJWKS } from './remote/fetch-jwks.js';
export { isLoopback } from './remote/url-policy.js';
export { strongETag } from './set/etag.js';
export { keyProfile } from './set/key-profile.js';
export { verificationRejection } from './set/select.js';
