/** Strict JSON for untrusted key material: duplicate members reported, depth and length capped. */

export type { ParsedJSON, ParseJSONOptions } from './parse.js';
export { parseJSON } from './parse.js';
