/**
 * What a token's session pool reports (Pkcs11Token.stats()). Its own module so that the public
 * declarations of the token API do not reach pkcs11js's types: @jwkit/server users without the
 * optional pkcs11js package still type-check.
 */

export interface PoolStats {
  /** Sessions currently open. */
  readonly open: number;
  /** The most sessions the pool may open. */
  readonly max: number;
  /** Operations running now. */
  readonly busy: number;
  /** The most operations that ran at the same time since the pool opened. */
  readonly peakBusy: number;
  /** Sessions re-opened after the token dropped them. */
  readonly reopened: number;
  /** Logins repeated on a live session that had lost the login. */
  readonly relogins: number;
}
