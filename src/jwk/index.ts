/** The core JWK layer's public API. Each module below owns one concept. */

export type * from './model.js';
export { canonicalOrder, isPrivate, toPublic } from './model.js';
