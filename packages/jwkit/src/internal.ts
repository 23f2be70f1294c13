/**
 * `jwkit/internal`: helpers that jwkit's own packages (@jwkit/server, @jwkit/cli, the web app)
 * share with the library. Not part of the public API: no semver promise, may change in any release.
 */

export { generateBits } from './crypto/spec.js';
export { decode, decodeStd, encode, encodeStd } from './jwk/base64url.js';
export { resolveGenerate } from './jwk/generate.js';
export { keyBits } from './jwk/import.js';
export { seconds } from './jwt/duration.js';
export { parseCacheControl } from './remote/cache-policy.js';
export { systemClock } from './remote/clock.js';
export { fetchJWKS } from './remote/fetch-jwks.js';
export { isLoopback } from './remote/url-policy.js';
export { strongETag } from './set/etag.js';
export { keyInfo } from './set/key-info.js';
export { verificationRejection } from './set/select.js';
