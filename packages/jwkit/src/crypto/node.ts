/**
 * The node:crypto backend (DESIGN principle 5): keys are imported once as KeyObjects and every
 * signature operation is a single synchronous `crypto.sign` / `crypto.verify` / `createHmac`
 * call on them. The JWT verify benchmark measures this path against raw `crypto.verify`, so the
 * per-call work is kept to one closure call: everything that depends only on the key and the
 * algorithm (hash name, padding, salt length, signature length) is decided at import time.
 */

import {
  constants,
  createHash,
  createHmac,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { encode } from '../encoding/base64url.js';
import { JWKitError } from '../errors/index.js';
import { keyMaterial } from '../jwk/material.js';
import type { JWK, OctJWK, PrivateJWK } from '../jwk/model.js';
import { canonicalOrder, isPrivate } from '../jwk/model.js';
import type { AlgorithmInfo, HashName } from '../registry.js';
import type { CryptoBackend, GenerateSpec, KeyHandle, KeyUsage } from './backend.js';
import { jwkToKeyObject } from './keyobject.js';
import { mlDsaAlgOf, mlDsaGenerate, mlDsaOp } from './ml-dsa.js';
import { nodeMlDsaEngine } from './ml-dsa-node.js';
import { type NodeHash, sameText, type TextMac, textMac } from './node-hmac.js';
import { ScratchBuffer } from './node-scratch.js';
import { akpAlgorithmFor, curveFor, generateBits, signatureAlgorithmFor } from './spec.js';

type Signer = (data: Uint8Array) => Uint8Array;
type Verifier = (data: Uint8Array, signature: Uint8Array) => boolean;
/** A verifier over an ASCII string (issue 15: HMAC takes the JWS signing input as text). */
type AsciiVerifier = (ascii: string, signature: Uint8Array) => boolean;
/** A verifier over the signing input and the signature's base64url text (`verifyTextSync`). */
type TextVerifier = (ascii: string, signatureB64: string) => boolean;

/** A KeyObject bound to one algorithm, with its sign or verify operation prepared. */
export class NodeKeyHandle implements KeyHandle {
  readonly backend = 'node' as const;
  /** @internal prepared operation; call through the backend. */
  readonly op: Signer | Verifier;
  /** @internal prepared verification over ASCII text (verify handles only). */
  readonly asciiOp: AsciiVerifier | undefined;
  /** @internal prepared verification over text, signature as base64url (verify handles only). */
  readonly textOp: TextVerifier | undefined;

  constructor(
    readonly alg: string,
    readonly usage: KeyUsage,
    /** The underlying KeyObject (public for `verify` handles of asymmetric keys). */
    readonly keyObject: KeyObject | undefined,
    op: Signer | Verifier,
    asciiOp?: AsciiVerifier,
    textOp?: TextVerifier,
  ) {
    this.op = op;
    this.asciiOp = asciiOp;
    this.textOp = textOp;
  }
}

const NODE_HASH: Record<HashName | 'SHA-1', string> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
const HASH_BYTES: Record<HashName, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

function importKeySync(jwk: JWK, alg: string, usage: KeyUsage): NodeKeyHandle {
  const info = signatureAlgorithmFor(jwk, alg, usage);
  if (info.family === 'ML-DSA') {
    // RFC 9964: native node:crypto ML-DSA on Node 24.7+, @noble/post-quantum before (ml-dsa-node.ts).
    return new NodeKeyHandle(alg, usage, undefined, mlDsaOp(nodeMlDsaEngine(), jwk, info, usage));
  }
  // A verify handle holds only the public half: cheaper to use, and nothing secret is kept.
  const source =
    usage === 'verify' && jwk.kty !== 'oct' && isPrivate(jwk) ? (keyMaterial(jwk, false) as JWK) : jwk;
  const key = jwkToKeyObject(source);
  if (usage === 'sign') return new NodeKeyHandle(alg, usage, key, signer(info, key));
  const op = verifier(info, key, jwk);
  const mac = info.family === 'HMAC' ? textMac(NODE_HASH[info.hash!] as NodeHash, key.export()) : undefined;
  return new NodeKeyHandle(
    alg,
    usage,
    key,
    op,
    asciiVerifier(info, key, op, mac),
    textVerifier(info, op, mac),
  );
}

/** The two octet arguments of a text verification (node-scratch.ts: no Buffer per token). */
const signatureScratch = new ScratchBuffer();
const inputScratch = new ScratchBuffer();

/**
 * Verification over the JWS signing input as a string. HMAC hashes the string itself (its
 * characters are ASCII, so UTF-8 and Latin-1 give the same octets): no Buffer per token, which
 * is a tenth of an HS256 verification. Other algorithms take octets, made here (issue 15).
 */
function asciiVerifier(
  info: AlgorithmInfo,
  key: KeyObject,
  op: Verifier,
  mac: TextMac | undefined,
): AsciiVerifier {
  if (info.family === 'HMAC') {
    const hash = NODE_HASH[info.hash!];
    const length = HASH_BYTES[info.hash!];
    if (mac !== undefined) {
      return (ascii, signature) =>
        signature.length === length && timingSafeEqual(Buffer.from(mac(ascii), 'base64url'), signature);
    }
    return (ascii, signature) =>
      signature.length === length &&
      timingSafeEqual(createHmac(hash, key).update(ascii, 'latin1').digest(), signature);
  }
  return (ascii, signature) => op(Buffer.from(ascii, 'latin1'), signature);
}

/**
 * Verification over the signing input and the signature's base64url text (issue 15). HMAC
 * compares its own tag's canonical base64url with the text, in constant time: equal text means
 * a strict, full-length, correct tag, and neither tag becomes a Buffer. Other algorithms decode
 * the text and accept it only when it is the canonical encoding of what they verified (RFC 7515
 * §2: no padding, no stray characters, zero unused bits), as the strict parser would.
 */
function textVerifier(info: AlgorithmInfo, op: Verifier, mac: TextMac | undefined): TextVerifier | undefined {
  if (info.family === 'HMAC') {
    if (mac === undefined) return undefined;
    // An unpadded base64url tag of n bytes has ceil(4n/3) characters.
    const length = Math.ceil((HASH_BYTES[info.hash!] * 4) / 3);
    return (ascii, signatureB64) => signatureB64.length === length && sameText(mac(ascii), signatureB64);
  }
  return (ascii, signatureB64) => {
    const signature = signatureScratch.base64url(signatureB64);
    return signature !== undefined && op(inputScratch.latin1(ascii), signature);
  };
}

function signer(info: AlgorithmInfo, key: KeyObject): Signer {
  const hash = info.hash ? NODE_HASH[info.hash] : '';
  switch (info.family) {
    case 'HMAC':
      return (data) => createHmac(hash, key).update(data).digest();
    case 'RSASSA-PKCS1-v1_5':
      return (data) => cryptoSign(hash, data, key);
    case 'RSA-PSS': {
      // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
      const params = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[info.hash!] };
      return (data) => cryptoSign(hash, data, params);
    }
    case 'ECDSA': {
      // RFC 7518 §3.4: the JWS signature is R || S, each the curve's size (IEEE P1363).
      const params = { key, dsaEncoding: 'ieee-p1363' as const };
      return (data) => cryptoSign(hash, data, params);
    }
    default:
      // EdDSA (RFC 8032) hashes internally: no digest name.
      return (data) => cryptoSign(null, data, key);
  }
}

function verifier(info: AlgorithmInfo, key: KeyObject, jwk: JWK): Verifier {
  const hash = info.hash ? NODE_HASH[info.hash] : '';
  switch (info.family) {
    case 'HMAC': {
      const length = HASH_BYTES[info.hash!];
      // Full-length tags only (RFC 7518 §3.2): a truncated tag is a forgery aid, not a variant.
      // The length is public, so checking it first leaks nothing; the compare is constant-time.
      return (data, signature) =>
        signature.length === length &&
        timingSafeEqual(createHmac(hash, key).update(data).digest(), signature);
    }
    case 'RSASSA-PKCS1-v1_5':
      return (data, signature) => {
        try {
          return cryptoVerify(hash, data, key, signature);
        } catch {
          return false;
        }
      };
    case 'RSA-PSS': {
      const params = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[info.hash!] };
      return (data, signature) => {
        try {
          return cryptoVerify(hash, data, params, signature);
        } catch {
          return false;
        }
      };
    }
    case 'ECDSA': {
      const length = 2 * curveFor('EC', jwk.crv).size;
      const params = { key, dsaEncoding: 'ieee-p1363' as const };
      return (data, signature) => {
        // RFC 7518 §3.4: exactly 2 * size octets; OpenSSL also rejects r or s outside [1, n-1].
        if (signature.length !== length) return false;
        try {
          return cryptoVerify(hash, data, params, signature);
        } catch {
          return false;
        }
      };
    }
    default: {
      const length = 2 * curveFor('OKP', jwk.crv).size;
      return (data, signature) => {
        if (signature.length !== length) return false;
        try {
          return cryptoVerify(null, data, key, signature);
        } catch {
          return false;
        }
      };
    }
  }
}

function handleOf(key: KeyHandle, usage: KeyUsage): NodeKeyHandle {
  if (!(key instanceof NodeKeyHandle)) {
    throw new JWKitError('ERR_KEY_HANDLE', 'this key handle was not imported by the node:crypto backend');
  }
  if (key.usage !== usage) {
    throw new JWKitError('ERR_KEY_USAGE', `this ${key.alg} key was imported for ${key.usage}, not ${usage}`);
  }
  return key;
}

function signSync(key: KeyHandle, data: Uint8Array): Uint8Array {
  return (handleOf(key, 'sign').op as Signer)(data);
}

function verifySync(key: KeyHandle, data: Uint8Array, signature: Uint8Array): boolean {
  // The fast path of JWT verification: one instanceof, one property read, one call.
  if (key instanceof NodeKeyHandle && key.usage === 'verify') return (key.op as Verifier)(data, signature);
  return (handleOf(key, 'verify').op as Verifier)(data, signature);
}

function verifyAsciiSync(key: KeyHandle, ascii: string, signature: Uint8Array): boolean {
  if (key instanceof NodeKeyHandle && key.asciiOp !== undefined) return key.asciiOp(ascii, signature);
  return verifySync(key, Buffer.from(ascii, 'latin1'), signature);
}

function verifyTextSync(key: KeyHandle, ascii: string, signatureB64: string): boolean {
  if (key instanceof NodeKeyHandle && key.textOp !== undefined) return key.textOp(ascii, signatureB64);
  const signature = Buffer.from(signatureB64, 'base64url');
  return signature.toString('base64url') === signatureB64 && verifyAsciiSync(key, ascii, signature);
}

function generateAsync(type: string, options: object): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    // The async form runs in libuv's thread pool: RSA generation must not block the event loop.
    (
      generateKeyPair as (
        t: string,
        o: object,
        cb: (e: Error | null, pub: KeyObject, priv: KeyObject) => void,
      ) => void
    )(type, options, (err, _pub, priv) => (err ? reject(err) : resolve(priv)));
  });
}

async function generate(spec: GenerateSpec): Promise<PrivateJWK | OctJWK> {
  const bits = generateBits(spec);
  let key: KeyObject;
  switch (spec.kty) {
    case 'oct':
      return { kty: 'oct', k: encode(randomBytes(bits / 8)) };
    case 'RSA':
      key = await generateAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
      break;
    case 'EC':
      key = await generateAsync('ec', { namedCurve: curveFor('EC', spec.crv).nodeName });
      break;
    case 'OKP':
      key = await generateAsync(curveFor('OKP', spec.crv).nodeName, {});
      break;
    case 'AKP':
      return mlDsaGenerate(nodeMlDsaEngine(), mlDsaAlgOf(akpAlgorithmFor(spec)));
    default:
      throw new JWKitError('ERR_GENERATE_KTY', `cannot generate a key of type ${JSON.stringify(spec.kty)}`);
  }
  const jwk = key.export({ format: 'jwk' }) as PrivateJWK;
  return canonicalOrder(jwk);
}

export const nodeBackend: CryptoBackend = {
  name: 'node',
  importKey: async (jwk, alg, usage) => importKeySync(jwk, alg, usage),
  importKeySync,
  sign: async (key, data) => signSync(key, data),
  verify: async (key, data, signature) => verifySync(key, data, signature),
  signSync,
  verifySync,
  verifyAsciiSync,
  verifyTextSync,
  generate,
  digest: async (hash, data) => createHash(NODE_HASH[hash]).update(data).digest(),
};
