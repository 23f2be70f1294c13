/**
 * Errors of JWK Set editing. Selection failures are `KeySelectionError` (src/errors.ts) and store
 * failures `StoreError`; this class covers changes a set refuses (codes in docs/api/set.md).
 */

import { JWKitError } from '../errors/index.js';

/** `add`/`replace`/`remove` refused a change, e.g. a duplicate `kid`. */
export class JWKSetError extends JWKitError {}
