/**
 * Errors of the server part. Every one is a `JWKitError` with a stable `code` (catalogue in
 * docs/api/server.md); the HTTP layer maps codes to statuses.
 */

import { JWKitError } from 'jwkit';

/** A server, policy or master-key option that cannot work as given. */
export class ServerConfigError extends JWKitError {}

/** A key-lifecycle request that cannot be carried out (unknown kid, unconfigured alg, ...). */
export class KeyLifecycleError extends JWKitError {}
