/**
 * Key pairs on a token: generate, find, sign, destroy, list, and the public JWK read back from the
 * token's public object.
 *
 * Which objects are jwkit's — the rule every operation here keeps: jwkit touches an object only
 * when its CKA_ID is the UTF-8 of `jwkit:<alg>:<label>` and its CKA_LABEL is `<label>`. A finished
 * key has label = kid (the RFC 7638 thumbprint); a key being made has the label
 * `jwkit-pending:<random>` until both objects are relabelled. Objects anyone else made (another
 * application, an administrator's keys) never match that rule, so list() does not report them and
 * destroy() does not delete them.
 */

import { createHash, randomBytes } from 'node:crypto';
import { base64url, CURVES, type PublicJWK, RSA_MAX_BITS, thumbprint } from 'jwkit';
import { TokenError } from './errors.js';
import { type AlgMechanism, curveOfEcParams } from './mechanisms.js';
import { ckrName, type Handle, type LoadedModule } from './module.js';
import { isDroppedSession } from './session-pool.js';

const ID_PREFIX = 'jwkit:';
export const PENDING_PREFIX = 'jwkit-pending:';

export function objectId(alg: string, label: string): Buffer {
  return Buffer.from(`${ID_PREFIX}${alg}:${label}`, 'utf8');
}

/** `{ alg, label }` of a jwkit CKA_ID, or undefined for an object jwkit did not make. */
export function parseObjectId(id: Buffer): { alg: string; label: string } | undefined {
  const text = id.toString('utf8');
  if (!text.startsWith(ID_PREFIX)) return undefined;
  const rest = text.slice(ID_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) return undefined;
  return { alg: rest.slice(0, colon), label: rest.slice(colon + 1) };
}

export interface KeyObjects {
  readonly label: string;
  readonly alg: string;
  readonly privateKey?: Handle;
  readonly publicKey?: Handle;
}

/** RSA modulus size when the caller gives none (RFC 7518 §3.3 minimum). */
const BITS_DEFAULT = 2048;

export class KeyOps {
  constructor(readonly mod: LoadedModule) {}

  get #p() {
    return this.mod.p11;
  }
  get #l() {
    return this.mod.lib;
  }

  /**
   * Generates the pair under a pending label (private: CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true,
   * CKA_EXTRACTABLE false, CKA_SIGN only; public: CKA_VERIFY only), reads the public key back and
   * relabels both objects (public first) to the thumbprint kid. A failure after generation destroys
   * what was made; a crash leaves objects that list() reports as pending.
   */
  async generate(
    session: Handle,
    mech: AlgMechanism,
    size: number | undefined,
  ): Promise<{ kid: string; jwk: PublicJWK }> {
    const l = this.#l;
    const pending = `${PENDING_PREFIX}${randomBytes(12).toString('hex')}`;
    const id = objectId(mech.alg, pending);
    const common = [
      { type: l.CKA_TOKEN, value: true },
      { type: l.CKA_LABEL, value: pending },
      { type: l.CKA_ID, value: id },
    ];
    // Only signing: tokens default CKA_ENCRYPT, CKA_WRAP, CKA_DECRYPT, CKA_UNWRAP and CKA_DERIVE
    // to true on some key types, which a signing key has no use for.
    const pub = [
      ...common,
      { type: l.CKA_PRIVATE, value: false },
      { type: l.CKA_VERIFY, value: true },
      { type: l.CKA_ENCRYPT, value: false },
      { type: l.CKA_WRAP, value: false },
    ];
    const priv = [
      ...common,
      { type: l.CKA_PRIVATE, value: true },
      { type: l.CKA_SENSITIVE, value: true },
      { type: l.CKA_EXTRACTABLE, value: false },
      { type: l.CKA_SIGN, value: true },
      { type: l.CKA_DECRYPT, value: false },
      { type: l.CKA_DERIVE, value: false },
      { type: l.CKA_UNWRAP, value: false },
    ];
    if (mech.kty === 'RSA') {
      const bits = size ?? BITS_DEFAULT;
      if (!Number.isInteger(bits) || bits < 2048 || bits > RSA_MAX_BITS || bits % 8 !== 0)
        throw new TokenError(
          'ERR_PKCS11_KEY_SIZE',
          `an RSA key on the token must have 2048 to ${RSA_MAX_BITS} bits, a multiple of 8 (RFC 7518 §3.3), not ${size}`,
        );
      pub.push(
        { type: l.CKA_MODULUS_BITS, value: bits } as never,
        { type: l.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) } as never,
      );
    } else {
      pub.push({ type: l.CKA_EC_PARAMS, value: Buffer.from(mech.ecParams!) } as never);
    }
    let pair: { publicKey: Handle; privateKey: Handle };
    try {
      pair = await this.#p.C_GenerateKeyPairAsync(session, { mechanism: mech.keyGen }, pub, priv);
    } catch (cause) {
      // A dropped session goes back to the pool as is: it re-opens the session and retries.
      throw isDroppedSession(cause) ? cause : deviceError('C_GenerateKeyPair', cause);
    }
    try {
      const jwk = this.publicJwk(session, pair.publicKey, mech.alg);
      const kid = thumbprint(jwk);
      const finalId = objectId(mech.alg, kid);
      const relabel = [
        { type: l.CKA_LABEL, value: kid },
        { type: l.CKA_ID, value: finalId },
      ];
      this.#p.C_SetAttributeValue(session, pair.publicKey, relabel);
      this.#p.C_SetAttributeValue(session, pair.privateKey, relabel);
      return { kid, jwk: { ...jwk, kid, alg: mech.alg, use: 'sig' } as PublicJWK };
    } catch (error) {
      for (const h of [pair.privateKey, pair.publicKey]) {
        try {
          this.#p.C_DestroyObject(session, h);
        } catch {
          // list() reports what is left as pending; the caller's reconcile removes it.
        }
      }
      if (isDroppedSession(error)) throw error;
      throw error instanceof TokenError ? error : deviceError('relabelling the new key pair', error);
    }
  }

  /** The public JWK (kty and key members only) of a public key object, as the token holds it. */
  publicJwk(session: Handle, handle: Handle, alg: string): PublicJWK {
    const l = this.#l;
    const [type] = this.#p.C_GetAttributeValue(session, handle, [{ type: l.CKA_KEY_TYPE }]);
    const keyType = type!.value.readUIntLE(0, Math.min(type!.value.length, 6));
    if (keyType === 0x00) {
      const [n, e] = this.#p.C_GetAttributeValue(session, handle, [
        { type: l.CKA_MODULUS },
        { type: l.CKA_PUBLIC_EXPONENT },
      ]);
      return { kty: 'RSA', n: b64(strip(n!.value)), e: b64(strip(e!.value)) } as PublicJWK;
    }
    const [params, point] = this.#p.C_GetAttributeValue(session, handle, [
      { type: l.CKA_EC_PARAMS },
      { type: l.CKA_EC_POINT },
    ]);
    const crv = curveOfEcParams(params!.value);
    const curve = crv === undefined ? undefined : CURVES[crv];
    if (curve === undefined)
      throw new TokenError(
        'ERR_PKCS11_DEVICE',
        `the public key object for ${alg} names a curve jwkit does not know (CKA_EC_PARAMS ${params!.value.toString('hex')})`,
      );
    const raw = unwrapOctetString(point!.value, curve.kty === 'OKP' ? curve.size : 1 + 2 * curve.size);
    if (curve.kty === 'OKP') {
      if (raw.length !== curve.size) throw badPoint(alg, raw);
      return { kty: 'OKP', crv: curve.crv, x: b64(raw) } as PublicJWK;
    }
    // SEC 1 §2.3.3 uncompressed point: 0x04 ‖ X ‖ Y.
    if (raw.length !== 1 + 2 * curve.size || raw[0] !== 0x04) throw badPoint(alg, raw);
    return {
      kty: 'EC',
      crv: curve.crv,
      x: b64(raw.subarray(1, 1 + curve.size)),
      y: b64(raw.subarray(1 + curve.size)),
    } as PublicJWK;
  }

  /** The jwkit objects with CKA_LABEL `label` (optionally of one class). */
  find(session: Handle, label: string): KeyObjects[] {
    const l = this.#l;
    const out = new Map<string, { label: string; alg: string; privateKey?: Handle; publicKey?: Handle }>();
    for (const h of this.#findAll(session, [{ type: l.CKA_LABEL, value: label }]))
      this.#classify(session, h, out);
    return [...out.values()];
  }

  /** Every jwkit object on the token, grouped by label and alg. */
  all(session: Handle): KeyObjects[] {
    const l = this.#l;
    const out = new Map<string, { label: string; alg: string; privateKey?: Handle; publicKey?: Handle }>();
    for (const cls of [l.CKO_PRIVATE_KEY, l.CKO_PUBLIC_KEY])
      for (const h of this.#findAll(session, [{ type: l.CKA_CLASS, value: cls }]))
        this.#classify(session, h, out);
    return [...out.values()];
  }

  #classify(
    session: Handle,
    h: Handle,
    out: Map<string, { label: string; alg: string; privateKey?: Handle; publicKey?: Handle }>,
  ): void {
    const l = this.#l;
    let attrs: Array<{ type: number; value: Buffer }>;
    try {
      attrs = this.#p.C_GetAttributeValue(session, h, [
        { type: l.CKA_CLASS },
        { type: l.CKA_LABEL },
        { type: l.CKA_ID },
      ]);
    } catch (cause) {
      if (isDroppedSession(cause)) throw cause;
      return; // an object without a label or id (a certificate, a data object): not ours
    }
    const cls = attrs[0]!.value.readUInt32LE(0);
    const label = attrs[1]!.value.toString('utf8');
    const id = parseObjectId(attrs[2]!.value);
    if (id === undefined || id.label !== label) return;
    const key = `${id.alg}\0${label}`;
    const entry = out.get(key) ?? { label, alg: id.alg };
    if (cls === l.CKO_PRIVATE_KEY) entry.privateKey = h;
    else if (cls === l.CKO_PUBLIC_KEY) entry.publicKey = h;
    else return;
    out.set(key, entry);
  }

  #findAll(session: Handle, template: Array<{ type: number; value: string | number }>): Handle[] {
    const p = this.#p;
    p.C_FindObjectsInit(session, template);
    try {
      const out: Handle[] = [];
      for (;;) {
        const batch = p.C_FindObjects(session, 64);
        out.push(...batch);
        if (batch.length < 64) return out;
      }
    } finally {
      p.C_FindObjectsFinal(session);
    }
  }

  /** C_SignInit + C_Sign on `session` (the digest first for ECDSA). */
  async sign(session: Handle, mech: AlgMechanism, key: Handle, data: Uint8Array): Promise<Uint8Array> {
    const input = mech.prehash
      ? createHash(mech.prehash).update(data).digest()
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const mechanism = mech.pss
      ? { mechanism: mech.sign, parameter: { type: this.#l.CK_PARAMS_RSA_PSS, ...mech.pss } }
      : { mechanism: mech.sign };
    let sig: Buffer;
    try {
      this.#p.C_SignInit(session, mechanism, key);
      // 2048 octets hold an RSA-16384 signature, the largest key jwkit makes.
      sig = await this.#p.C_SignAsync(session, input, Buffer.alloc(2048));
    } catch (cause) {
      throw isDroppedSession(cause) || isHandleInvalid(cause) ? cause : deviceError('C_Sign', cause);
    }
    if (mech.signatureLength !== undefined && sig.length !== mech.signatureLength)
      throw new TokenError(
        'ERR_PKCS11_DEVICE',
        `the token returned a ${sig.length}-octet ${mech.alg} signature, ${mech.signatureLength} expected (RFC 7518 §3.4 r‖s)`,
      );
    return new Uint8Array(sig.buffer, sig.byteOffset, sig.length);
  }

  /** C_DestroyObject of each handle; true when any was destroyed. */
  destroy(session: Handle, handles: Handle[]): boolean {
    let any = false;
    for (const h of handles) {
      try {
        this.#p.C_DestroyObject(session, h);
        any = true;
      } catch (cause) {
        if (isDroppedSession(cause)) throw cause;
        if (!isHandleInvalid(cause)) throw deviceError('C_DestroyObject', cause);
      }
    }
    return any;
  }
}

export function isHandleInvalid(error: unknown): boolean {
  const n = ckrName(error);
  return n === 'CKR_OBJECT_HANDLE_INVALID' || n === 'CKR_KEY_HANDLE_INVALID';
}

export function deviceError(what: string, cause: unknown): TokenError {
  return new TokenError(
    'ERR_PKCS11_DEVICE',
    `${what} failed on the PKCS#11 token: ${ckrName(cause) ?? (cause as Error).message}`,
    { cause },
  );
}

function badPoint(alg: string, raw: Uint8Array): TokenError {
  return new TokenError(
    'ERR_PKCS11_DEVICE',
    `the public key object for ${alg} holds a ${raw.length}-octet CKA_EC_POINT that is not an uncompressed point of its curve`,
  );
}

/**
 * CKA_EC_POINT is the DER OCTET STRING of the point (PKCS#11 v2.40 §2.3.3; v3.0 §2.3.5 for
 * Edwards keys); a few tokens return the bare point, accepted when it has the point's length.
 */
export function unwrapOctetString(v: Buffer, pointLength: number): Buffer {
  if (v.length === pointLength) return v;
  const header = pointLength < 0x80 ? [0x04, pointLength] : [0x04, 0x81, pointLength];
  if (v.length === header.length + pointLength && header.every((b, i) => v[i] === b))
    return v.subarray(header.length);
  return v;
}

function strip(v: Buffer): Buffer {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i);
}

const b64 = (v: Uint8Array) => base64url.encode(v);
