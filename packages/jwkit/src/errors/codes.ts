/**
 * Every `ERR_*` code jwkit throws or answers with, in one typed table (issue 11 point 5): the
 * library's, the server's and the command line's. For each code: the class it is thrown as
 * (the class to `catch`; `null` for codes that exist only as an HTTP answer), the HTTP status
 * the server answers with where one applies, the CLI exit code where the docs fix one, and the
 * docs page and anchor that explain it. docs/ERRORS.md lists the same rows (a test keeps the two
 * in step, and another fails on an `ERR_*` literal in the packages' sources that is not here).
 *
 * Adding a code: add its row here (alphabetical), a row to docs/ERRORS.md, and a line where
 * `docs` points. The table has no prototype, so `ERROR_CODES['constructor']` is `undefined`.
 */

/** The error classes, by name (the server's and the CLI's classes live in their packages). */
export type ErrorClassName =
  | 'JWKitError'
  | 'JWKError'
  | 'ConversionError'
  | 'UnsupportedError'
  | 'JWTError'
  | 'KeySelectionError'
  | 'RemoteJWKSError'
  | 'JWKSetError'
  | 'StoreError'
  | 'ServerConfigError'
  | 'KeyLifecycleError'
  | 'TokenError'
  | 'CLIError';

export interface ErrorCodeInfo {
  /** The class the code is thrown as; `null` when the code is only an HTTP answer. */
  readonly class: ErrorClassName | null;
  /** The HTTP status of the admin API / server answer carrying this code, where one applies. */
  readonly status?: number;
  /** The `jwkit` exit code, where docs/api/cli.md fixes one. */
  readonly exit?: number;
  /** The docs page (relative to docs/) and anchor that explain the code. */
  readonly docs: string;
}

function codes<T extends Record<string, ErrorCodeInfo>>(table: T): Readonly<T> {
  const out = Object.create(null) as T;
  for (const [code, info] of Object.entries(table))
    (out as Record<string, ErrorCodeInfo>)[code] = Object.freeze(info);
  return Object.freeze(out);
}

export const ERROR_CODES = codes({
  ERR_ADMIN_TOKEN: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_ALG_NOT_CONFIGURED: { class: 'KeyLifecycleError', status: 400, docs: 'api/server.md#error-codes' },
  ERR_BACKUP_CORRUPT: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_BACKUP_DECRYPT: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_BACKUP_EXISTS: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_BACKUP_PASSPHRASE: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_BAD_DURATION: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_BAD_POLICY: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_BAD_REQUEST: { class: 'JWKitError', status: 400, docs: 'api/server.md#error-codes' },
  ERR_BASE64: { class: 'JWKitError', docs: 'ERRORS.md#codes-of-the-foundation' },
  ERR_BASE64URL: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_BODY_TOO_LARGE: { class: null, status: 413, docs: 'api/server.md#error-codes' },
  ERR_CLI_AMBIGUOUS: { class: 'CLIError', docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_CLAIMS: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_DUPLICATE_KEY: { class: 'CLIError', docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_DUPLICATE_KID: { class: 'CLIError', docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_EMPTY_INPUT: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_FILE_EXISTS: { class: 'CLIError', exit: 2, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_INPUT_FORMAT: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_INPUT_TOO_LARGE: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_INTERNAL: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_INVALID_KEYS: { class: 'CLIError', docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_KID_NOT_FOUND: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_LOCKED: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_MANY_KEYS: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_NODE_VERSION: { class: 'CLIError', docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_NOT_A_SET: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_NOT_PRIVATE: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_NO_KEY: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_NO_MATCH: { class: 'CLIError', docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_NO_PEM_FORM: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_PRIVATE_KEY: { class: 'CLIError', docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLI_USAGE: { class: 'CLIError', exit: 2, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_CLUSTER_PRIMARY: { class: 'ServerConfigError', docs: 'api/server.md#error-codes' },
  ERR_CONFIG: { class: 'CLIError', docs: 'api/server.md#error-codes' },
  ERR_DER_LIMIT: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_DER_MALFORMED: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_DER_STRUCTURE: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_ENCRYPTION_LIMIT: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_FORMAT_UNSUPPORTED: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_GENERATE_KTY: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_GENERATE_OPTIONS: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_GENERATE_SIZE: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_INTERNAL: { class: null, status: 500, docs: 'api/server.md#error-codes' },
  ERR_JWKS_ALG_UNSUPPORTED: { class: 'KeySelectionError', docs: 'api/set.md#error-codes' },
  ERR_JWKS_DUPLICATE_KEY: { class: 'JWKSetError', docs: 'api/set.md#error-codes' },
  ERR_JWKS_DUPLICATE_KID: { class: 'JWKSetError', docs: 'api/set.md#error-codes' },
  ERR_JWKS_KID_REQUIRED: { class: 'JWKSetError', docs: 'api/set.md#error-codes' },
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: { class: 'KeySelectionError', docs: 'api/set.md#error-codes' },
  ERR_JWKS_NO_MATCHING_KEY: { class: 'KeySelectionError', docs: 'api/set.md#error-codes' },
  ERR_JWK_INVALID: { class: 'JWKError', status: 400, docs: 'api/validate.md#problem-codes' },
  ERR_JWK_NO_PUBLIC_FORM: { class: 'CLIError', exit: 1, docs: 'api/cli.md#error-codes-of-the-cli-itself' },
  ERR_JWS_JSON_SERIALIZATION: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_ALG_NONE: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_ALG_NOT_ALLOWED: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_ALG_UNSUPPORTED: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_AUD_MISMATCH: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_B64_UNSUPPORTED: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_BASE64URL: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_CLAIM_INVALID: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_CLAIM_MISSING: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_CRIT_INVALID: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_CRIT_UNSUPPORTED: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_EXPIRED: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_HEADER_INVALID: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_HEADER_KEY_INVALID: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_HEADER_KEY_NOT_TRUSTED: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_HMAC_WITH_ASYMMETRIC_KEY: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_IAT_IN_FUTURE: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_ISS_MISMATCH: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_IS_JWE: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_JKU_NOT_TRUSTED: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_KEY_INVALID: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_KEY_UNUSABLE: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_MALFORMED: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_NOT_YET_VALID: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_OPTIONS: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_PAYLOAD_INVALID: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_SIGNATURE_INVALID: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_SIGN_ALG: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_SIGN_HEADER: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_SIGN_KEY: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_SIGN_PAYLOAD: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_SUB_MISMATCH: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_SYNC_UNAVAILABLE: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_TOO_LONG: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_TOO_OLD: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_JWT_TYP_MISMATCH: { class: 'JWTError', docs: 'api/jwt.md#error-codes' },
  ERR_KEY_ALG_MISMATCH: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_KEY_EXISTS: { class: 'KeyLifecycleError', status: 409, docs: 'api/server.md#error-codes' },
  ERR_KEY_EXPORT: { class: 'ConversionError', docs: 'api/crypto.md#error-codes' },
  ERR_KEY_HANDLE: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_KEY_IMPORT: { class: 'ConversionError', docs: 'api/crypto.md#error-codes' },
  ERR_KEY_INVALID: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_KEY_NOT_EXTRACTABLE: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_KEY_NOT_PRIVATE: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_KEY_NO_KID: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_KEY_OPS: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_KEY_REVOKED: { class: 'KeyLifecycleError', status: 409, docs: 'api/server.md#error-codes' },
  ERR_KEY_UNKNOWN: { class: 'KeyLifecycleError', status: 404, docs: 'api/server.md#error-codes' },
  ERR_KEY_USAGE: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_KEY_USE: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_KID_INVALID: { class: 'JWKitError', docs: 'ERRORS.md#codes-of-the-foundation' },
  ERR_LISTEN: { class: 'ServerConfigError', docs: 'api/server.md#error-codes' },
  ERR_MASTER_KEY_INVALID: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_MASTER_KEY_MISMATCH: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_MASTER_KEY_MISSING: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_NOT_FOUND: { class: null, status: 404, docs: 'api/server.md#error-codes' },
  ERR_NO_SIGNING_KEY: { class: 'KeyLifecycleError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_OCT_NO_PEM: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_PASSPHRASE_REQUIRED: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_PASSPHRASE_WRONG: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_PEM_LEGACY_ENCRYPTION: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_PEM_LIMIT: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_PEM_MALFORMED: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_PEM_MULTIPLE_BLOCKS: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_PEM_NO_BLOCK: { class: 'JWKitError', docs: 'api/convert.md#error-codes' },
  ERR_PEM_UNEXPECTED_LABEL: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_PKCS11_CLOSED: { class: 'TokenError', status: 503, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_DEVICE: { class: 'TokenError', status: 503, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_DRIVER_MISSING: { class: 'TokenError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_KEY_MISSING: { class: 'TokenError', status: 503, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_KEY_SIZE: { class: 'TokenError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_MECHANISM: { class: 'TokenError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_MODULE: { class: 'TokenError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_NOT_EXPORTABLE: { class: 'KeyLifecycleError', status: 409, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_PIN: { class: 'TokenError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_SESSIONS: { class: 'TokenError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_REQUIRED: { class: 'ServerConfigError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_TOKEN: { class: 'TokenError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PKCS11_URI: { class: 'TokenError', status: 500, docs: 'guides/hsm.md#error-codes' },
  ERR_PEM_UNKNOWN_LABEL: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_POLICY_CORRUPT: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_POLICY_MISMATCH: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_POLICY_MISSING: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_REKEY_SAME_KEY: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_REMOTE_JWKS_ALL_FAILED: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_CLOSED: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_INSECURE_URL: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_INVALID: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_NETWORK: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_NO_USABLE_KEYS: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_OPTIONS: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_PRIVATE_ADDRESS: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_REDIRECT: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_STATE: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_STATUS: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_TIMEOUT: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_TOO_LARGE: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_TOO_MANY_KEYS: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_REMOTE_JWKS_UNAVAILABLE: { class: 'RemoteJWKSError', docs: 'api/remote.md#error-codes' },
  ERR_RSA_PSS_PARAMS: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_SEALED_CORRUPT: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_STARTING: { class: null, status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_CLOSED: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_CONFIG: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_CONFLICT: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_CORRUPT: { class: 'StoreError', docs: 'api/set.md#error-codes' },
  ERR_STORE_DRIVER_MISSING: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_EXISTS: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_INTEGRITY: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_IO: { class: 'StoreError', docs: 'api/set.md#error-codes' },
  ERR_STORE_LOCKED: { class: 'StoreError', docs: 'api/set.md#error-codes' },
  ERR_STORE_MISSING: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_NAME: { class: 'StoreError', docs: 'api/set.md#error-codes' },
  ERR_STORE_NOT_EMPTY: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_READ_ONLY: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_REPLACED: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_SCHEMA: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_UNAVAILABLE: { class: 'StoreError', status: 503, docs: 'api/server.md#error-codes' },
  ERR_STORE_VALUE: { class: 'StoreError', docs: 'api/set.md#error-codes' },
  ERR_STORE_VERSION_CONFLICT: { class: 'StoreError', docs: 'api/set.md#error-codes' },
  ERR_THUMBPRINT_INPUT: { class: 'JWKitError', docs: 'api/crypto.md#error-codes' },
  ERR_TLS: { class: 'ServerConfigError', status: 500, docs: 'api/server.md#error-codes' },
  ERR_TOKEN_LIFETIME: { class: 'KeyLifecycleError', status: 400, docs: 'api/server.md#error-codes' },
  ERR_TOO_MANY_ATTEMPTS: { class: null, status: 429, docs: 'api/server.md#error-codes' },
  ERR_UNAUTHORIZED: { class: null, status: 401, docs: 'api/server.md#error-codes' },
  ERR_UNSUPPORTED: { class: 'UnsupportedError', docs: 'api/crypto.md#error-codes' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { class: 'JWKitError', status: 415, docs: 'api/server.md#error-codes' },
  ERR_WORKER_START: { class: 'ServerConfigError', docs: 'api/server.md#error-codes' },
  ERR_X509_CHAIN: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_X509_INVALID: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
  ERR_X509_SIGNATURE: { class: 'ConversionError', docs: 'api/convert.md#error-codes' },
});

export type ErrorCode = keyof typeof ERROR_CODES;

/** The row of a code, or `undefined` for a code jwkit does not define (own properties only). */
export function errorCodeInfo(code: unknown): ErrorCodeInfo | undefined {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code)
    ? ERROR_CODES[code as ErrorCode]
    : undefined;
}

/** The HTTP status for a code, where the table gives one. */
export function httpStatus(code: string): number | undefined {
  return errorCodeInfo(code)?.status;
}
