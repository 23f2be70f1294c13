/**
 * The error of the PKCS#11 token layer. Every failure carries an `ERR_PKCS11_*` code (catalogue in
 * docs/guides/hsm.md § Error codes) and a message that names the URI attribute, the PKCS#11 return
 * value (`CKR_*`) or the mechanism, and what to do.
 */

import { JWKitError } from 'jwkit';

export class TokenError extends JWKitError {}
