/**
 * The PKCS#11 token layer of jwkit serve (issue 17): keys generated and used inside a token, named
 * by an RFC 7512 URI. The server's signer and key lifecycle sit on top of this API; nothing here
 * knows about stores or schedules.
 *
 * ```ts
 * const token = await openToken('pkcs11:token=jwkit?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:pin.txt');
 * const key = await token.generate('ES256');          // key.label is the kid
 * const sig = await token.sign(key.label, 'ES256', signingInput);
 * await token.close();
 * ```
 */

import { JWKitError, type PublicJWK } from 'jwkit';
import { TokenError } from './errors.js';
import { deviceError, isHandleInvalid, KeyOps, objectId, PENDING_PREFIX } from './keys.js';
import { type AlgMechanism, algMechanism, mechanismName } from './mechanisms.js';
import { acquireModule, ckrName, type Handle } from './module.js';
import type { PoolStats } from './pool-stats.js';
import { isDroppedSession, SessionPool, sessionBound } from './session-pool.js';
import { findToken, mechanismFlags, readPin } from './token.js';
import { type Pkcs11Uri, parsePkcs11Uri } from './uri.js';

export { TokenError } from './errors.js';
export type { PoolStats } from './pool-stats.js';
export { encodePkcs11Value, formatPkcs11Uri, type Pkcs11Uri, parsePkcs11Uri } from './uri.js';

export interface TokenKey {
  /** The kid (CKA_LABEL), or a `jwkit-pending:` label for a key still being made. */
  readonly label: string;
  readonly alg: string;
  /** Read from the token's public key object; kid, alg and use 'sig' set. */
  readonly publicJwk: PublicJWK;
}

/**
 * What list() reports: finished keys, and pending or half-made ones (a crash during generate():
 * a pending label, or only one of the two objects) which the caller should destroy by label.
 */
export type TokenListing =
  | (TokenKey & { readonly pending: false })
  | {
      readonly label: string;
      readonly alg: string;
      readonly pending: true;
      /** Present when the public object survived. */
      readonly publicJwk?: PublicJWK;
    };

export interface Pkcs11Token {
  /** "SoftHSM v2 token 'jwkit' (serial …, slot 123)", for logs. */
  readonly description: string;
  /** The URI the token was opened with, PIN value redacted. */
  readonly uri: string;
  /** null when the token can do alg; otherwise the missing mechanism's name, e.g. 'CKM_EDDSA' (or why jwkit cannot map alg). */
  missingMechanism(alg: string): string | null;
  /** Generates a key pair inside the token; resolves to its label (= kid), alg and public JWK. */
  generate(alg: string, options?: { size?: number }): Promise<TokenKey>;
  /** Signs JWS signing-input bytes with the key labelled kid; the JWS signature (r‖s for ECDSA). */
  sign(kid: string, alg: string, data: Uint8Array): Promise<Uint8Array>;
  /** Every jwkit-made key pair on the token, pending ones included and flagged. */
  list(): Promise<TokenListing[]>;
  /** Destroys every jwkit object labelled kid (true) or finds none (false). */
  destroy(kid: string): Promise<boolean>;
  /** Sessions and concurrency, for logs and tests. */
  stats(): PoolStats;
  close(): Promise<void>;
}

export interface OpenTokenOptions {
  /**
   * Most sessions to open (default 4, within the token's limit). pkcs11js runs C_Sign on libuv's
   * thread pool (UV_THREADPOOL_SIZE, 4 threads by default), so more sessions than pool threads
   * add no parallelism unless the pool is enlarged too.
   */
  readonly maxSessions?: number;
}

const DEFAULT_SESSIONS = 4;

// CK_MECHANISM_INFO flags (PKCS#11 v2.40 §5.2, table 34).
const CKF_SIGN = 0x800;
const CKF_GENERATE_KEY_PAIR = 0x10000;

/** Opens the token `uri` names and logs in. Nothing is created on the token. */
export async function openToken(
  uri: Pkcs11Uri | string,
  options: OpenTokenOptions = {},
): Promise<Pkcs11Token> {
  const parsed = typeof uri === 'string' ? parsePkcs11Uri(uri) : uri;
  const wanted = options.maxSessions ?? DEFAULT_SESSIONS;
  if (!Number.isSafeInteger(wanted) || wanted < 1)
    throw new TokenError(
      'ERR_PKCS11_SESSIONS',
      `maxSessions must be a whole number of at least 1, not ${wanted}`,
    );
  const mod = await acquireModule(parsed.modulePath);
  try {
    const found = findToken(mod, parsed);
    const pin = await readPin(parsed, found);
    const max = sessionBound(wanted, found.maxSessions, mod.threadSafe);
    const mechanisms = mechanismFlags(mod, found.slot);
    const pool = new SessionPool(mod, found.slot, pin, max);
    await pool.start();
    const description = `${found.model || found.manufacturer} token '${found.label}' (serial ${found.serial}, slot ${found.slotId})`;
    return new Token(parsed.redacted, description, pool, new KeyOps(mod), mechanisms, () => mod.release());
  } catch (error) {
    mod.release();
    if (error instanceof JWKitError) throw error;
    throw new TokenError(
      'ERR_PKCS11_DEVICE',
      `opening the token of ${parsed.redacted} failed: ${ckrName(error) ?? (error as Error).message}`,
      { cause: error },
    );
  }
}

class Token implements Pkcs11Token {
  readonly #pool: SessionPool;
  readonly #keys: KeyOps;
  readonly #mechanisms: Map<number, number>;
  readonly #release: () => void;
  /**
   * `alg \0 kid` → private key handle (object handles stay valid while the library is
   * initialised). Keyed by alg too: a handle found for RS256 must never sign PS256.
   */
  readonly #handles = new Map<string, Handle>();
  #closed = false;

  constructor(
    readonly uri: string,
    readonly description: string,
    pool: SessionPool,
    keys: KeyOps,
    mechanisms: Map<number, number>,
    release: () => void,
  ) {
    this.#pool = pool;
    this.#keys = keys;
    this.#mechanisms = mechanisms;
    this.#release = release;
  }

  missingMechanism(alg: string): string | null {
    const mech = algMechanism(alg);
    if (typeof mech === 'string') return mech;
    const gen = this.#mechanisms.get(mech.keyGen);
    if (gen === undefined || (gen & CKF_GENERATE_KEY_PAIR) === 0) return mechanismName(mech.keyGen);
    const sign = this.#mechanisms.get(mech.sign);
    if (sign === undefined || (sign & CKF_SIGN) === 0) return mechanismName(mech.sign);
    return null;
  }

  #mechanism(alg: string): AlgMechanism {
    const missing = this.missingMechanism(alg);
    if (missing !== null)
      throw new TokenError(
        'ERR_PKCS11_MECHANISM',
        `${this.description} cannot do ${alg}: it lacks ${missing}; configure another alg, or keep ${alg} keys in software`,
      );
    return algMechanism(alg) as AlgMechanism;
  }

  #open(): void {
    if (this.#closed)
      throw new TokenError('ERR_PKCS11_CLOSED', 'the PKCS#11 token was closed; open it again');
  }

  async generate(alg: string, options: { size?: number } = {}): Promise<TokenKey> {
    this.#open();
    const mech = this.#mechanism(alg);
    const { kid, jwk } = await this.#pool.run((s) => this.#keys.generate(s, mech, options.size), {
      verifyLogin: true,
    });
    return Object.freeze({ label: kid, alg, publicJwk: Object.freeze(jwk) });
  }

  async sign(kid: string, alg: string, data: Uint8Array): Promise<Uint8Array> {
    this.#open();
    const mech = this.#mechanism(alg);
    return this.#pool.run(async (s) => {
      let handle = this.#handles.get(`${alg}\0${kid}`) ?? this.#findPrivate(s, kid, alg);
      try {
        return await this.#keys.sign(s, mech, handle, data);
      } catch (error) {
        if (!isHandleInvalid(error)) throw error;
        // The cached handle went stale (the object was destroyed and re-made, or the token was
        // re-inserted): look the key up again once.
        this.#handles.delete(`${alg}\0${kid}`);
        handle = this.#findPrivate(s, kid, alg);
        try {
          return await this.#keys.sign(s, mech, handle, data);
        } catch (again) {
          throw isHandleInvalid(again) ? deviceError('C_SignInit', again) : again;
        }
      }
    });
  }

  /** The private key object of kid; logged in first, since a search without login hides it. */
  #findPrivate(session: Handle, kid: string, alg: string): Handle {
    this.#pool.verifyLogin(session);
    const objects = this.#keys.find(session, kid);
    const mine = objects.find((o) => o.alg === alg && o.privateKey !== undefined);
    if (mine === undefined) {
      const other = objects.find((o) => o.privateKey !== undefined);
      throw new TokenError(
        'ERR_PKCS11_KEY_MISSING',
        other
          ? `the private key ${kid} on ${this.description} is a ${other.alg} key, not ${alg}`
          : `no private key labelled ${kid} (CKA_ID ${objectId(alg, kid).toString()}) on ${this.description}: the token is not the one the store was made with, or the key was destroyed`,
      );
    }
    this.#handles.set(`${alg}\0${kid}`, mine.privateKey!);
    return mine.privateKey!;
  }

  async list(): Promise<TokenListing[]> {
    this.#open();
    return this.#pool.run(
      (s) => {
        const out: TokenListing[] = [];
        for (const o of this.#keys.all(s)) {
          let publicJwk: PublicJWK | undefined;
          if (o.publicKey !== undefined) {
            try {
              const jwk = this.#keys.publicJwk(s, o.publicKey, o.alg);
              publicJwk = Object.freeze({ ...jwk, kid: o.label, alg: o.alg, use: 'sig' }) as PublicJWK;
            } catch (error) {
              // An unreadable public object leaves the pair unproven: reported without a JWK.
              if (isDroppedSession(error)) throw error;
            }
          }
          const complete =
            !o.label.startsWith(PENDING_PREFIX) && o.privateKey !== undefined && publicJwk !== undefined;
          out.push(
            Object.freeze(
              complete
                ? { label: o.label, alg: o.alg, publicJwk: publicJwk!, pending: false as const }
                : { label: o.label, alg: o.alg, pending: true as const, ...(publicJwk ? { publicJwk } : {}) },
            ),
          );
        }
        return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
      },
      { verifyLogin: true },
    );
  }

  async destroy(kid: string): Promise<boolean> {
    this.#open();
    for (const key of this.#handles.keys()) if (key.endsWith(`\0${kid}`)) this.#handles.delete(key);
    return this.#pool.run(
      (s) => {
        const handles = this.#keys
          .find(s, kid)
          .flatMap((o) => [o.privateKey, o.publicKey].filter((h): h is Handle => h !== undefined));
        return this.#keys.destroy(s, handles);
      },
      { verifyLogin: true },
    );
  }

  stats(): PoolStats {
    return this.#pool.stats();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
    this.#release();
  }
}
