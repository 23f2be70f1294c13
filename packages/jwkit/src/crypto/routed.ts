/**
 * A backend that routes each key kind to the backend that has it and is fastest on this runtime
 * (issue 12 item 1): per algorithm and key type, not per process. Bun's node:crypto has no
 * secp256k1, Ed448 or X448, so those go to @noble/curves while RSA, P-256 and Ed25519 stay on
 * node:crypto; on Deno, WebCrypto verifies ECDSA faster than its node:crypto emulation.
 *
 * What a backend can do is probed (Route.has, once per kind, on first use), never inferred from
 * the runtime's name; which capable backend is fastest is a measured fact given per entry point
 * (`prefer`, see bench/runtimes). A key handle records the backend that imported it, so sign and
 * verify dispatch by handle. Where no backend has a kind, the error is `ERR_UNSUPPORTED` naming
 * the algorithm and the runtime: a valid key is never blamed for a missing platform feature.
 *
 * The routed backend is synchronous (importKeySync, signSync, verifySync, so the JWT fast path
 * applies) exactly when every route's backend is and every probe answers synchronously.
 */

import { checkBase64url, decode } from '../encoding/base64url.js';
import { UnsupportedError } from '../errors/index.js';
import type { JWK, OctJWK, PrivateJWK } from '../jwk/model.js';
import { ALGORITHMS, CURVES } from '../registry.js';
import type { BackendName, CryptoBackend, GenerateSpec, KeyHandle, KeyUsage } from './backend.js';
import { runtimeName } from './runtime.js';

/**
 * A key kind: `RSA`, `oct`, `EC:<crv>`, `OKP:<crv>` or `AKP:<alg>` (an AKP key is bound to its
 * algorithm, RFC 9964 §3). Kinds are what backends differ in; algorithms of one kind do not.
 */
export type KeyKind = string;

/** Every kind the registry knows, for probing all of them at once (`singleOrRouted`). */
export function keyKinds(): KeyKind[] {
  const kinds: KeyKind[] = ['RSA', 'oct'];
  for (const curve of Object.values(CURVES)) kinds.push(`${curve.kty}:${curve.crv}`);
  for (const info of Object.values(ALGORITHMS)) if (info.akp !== undefined) kinds.push(`AKP:${info.alg}`);
  return kinds;
}

/** The kind of a JWK used with `alg`. */
export function keyKindOf(jwk: JWK, alg: string): KeyKind {
  if (jwk.kty === 'EC' || jwk.kty === 'OKP') return `${jwk.kty}:${String(jwk.crv)}`;
  if (jwk.kty === 'AKP') return `AKP:${alg}`;
  return String(jwk.kty);
}

/** The kind a generate spec makes. */
export function specKind(spec: GenerateSpec): KeyKind {
  if (spec.kty === 'EC' || spec.kty === 'OKP') return `${spec.kty}:${String(spec.crv)}`;
  if (spec.kty === 'AKP') return `AKP:${String(spec.alg)}`;
  return String(spec.kty);
}

/** How a kind is said in an error message. */
function describeKind(kind: KeyKind): string {
  const [kty, rest] = kind.split(':');
  if (kty === 'AKP') return `${rest} (AKP) keys`;
  return rest === undefined ? `${kty} keys` : `${kty} ${rest} keys`;
}

export interface Route {
  readonly backend: CryptoBackend;
  /**
   * Whether `backend` can use keys of `kind` on this runtime: a probe, asked at most once per
   * kind. Synchronous for a synchronous routed backend.
   */
  has(kind: KeyKind): boolean | Promise<boolean>;
}

export interface RoutedOptions {
  /**
   * The backends to try first for `kind`, fastest first (measured per runtime, bench/runtimes);
   * the others follow in route order. Default: route order for every kind.
   */
  prefer?(kind: KeyKind): readonly BackendName[] | undefined;
}

type Choice = CryptoBackend | null;

/** A JWS signing input (ASCII: base64url and dots) as octets. */
export function asciiBytes(ascii: string): Uint8Array {
  const out = new Uint8Array(ascii.length);
  for (let i = 0; i < ascii.length; i++) out[i] = ascii.charCodeAt(i);
  return out;
}

/** The routes for `kind`, preferred ones first. */
function ordered(routes: readonly Route[], options: RoutedOptions, kind: KeyKind): Route[] {
  const first = options.prefer?.(kind) ?? [];
  const head = first.flatMap((name) => routes.filter((r) => r.backend.name === name));
  return [...head, ...routes.filter((r) => !head.includes(r))];
}

function chooseSync(routes: readonly Route[], options: RoutedOptions, kind: KeyKind): Choice {
  for (const route of ordered(routes, options, kind)) {
    const has = route.has(kind);
    if (typeof has !== 'boolean')
      throw new TypeError(
        `the ${route.backend.name} route probes asynchronously; a synchronous router needs sync probes`,
      );
    if (has) return route.backend;
  }
  return null;
}

async function chooseAsync(routes: readonly Route[], options: RoutedOptions, kind: KeyKind): Promise<Choice> {
  for (const route of ordered(routes, options, kind)) if (await route.has(kind)) return route.backend;
  return null;
}

function unsupported(what: string, kind: KeyKind, routes: readonly Route[]): UnsupportedError {
  const names = routes.map((r) => r.backend.name).join(', ');
  return new UnsupportedError(
    `${what} with ${describeKind(kind)} is not available on ${runtimeName()}: none of its crypto backends (${names}) supports that key type; use another algorithm or run on a runtime that has it`,
  );
}

/** Whether every route can run synchronously (then the routed backend offers the sync methods). */
function allSync(routes: readonly Route[]): boolean {
  return routes.every(
    (r) =>
      r.backend.importKeySync !== undefined &&
      r.backend.signSync !== undefined &&
      r.backend.verifySync !== undefined,
  );
}

/**
 * The routed backend over `routes` (in fallback order; the first one also does digests and
 * anything whose kind is unknown, so that it gives the usual error for it).
 */
export function createRoutedBackend(routes: readonly Route[], options: RoutedOptions = {}): CryptoBackend {
  if (routes.length === 0) throw new TypeError('a routed backend needs at least one route');
  const names = new Set(routes.map((r) => r.backend.name));
  if (names.size !== routes.length) throw new TypeError('each route needs a backend of its own name');
  const primary = routes[0]!.backend;
  const known = new Set(keyKinds());
  const sync = allSync(routes);
  const chosen = new Map<KeyKind, Choice | Promise<Choice>>();

  const choice = (kind: KeyKind): Choice | Promise<Choice> => {
    if (!known.has(kind)) return primary;
    let c = chosen.get(kind);
    if (c === undefined) {
      c = sync ? chooseSync(routes, options, kind) : chooseAsync(routes, options, kind);
      chosen.set(kind, c);
    }
    return c;
  };
  const backendFor = async (what: string, kind: KeyKind): Promise<CryptoBackend> => {
    const c = await choice(kind);
    if (c === null) throw unsupported(what, kind, routes);
    return c;
  };
  // Dispatch by the handle's backend: a handle from an unknown backend goes to the primary,
  // which refuses it with its usual ERR_KEY_HANDLE.
  const byName = new Map(routes.map((r) => [r.backend.name, r.backend]));
  const owner = (key: KeyHandle): CryptoBackend =>
    key.backend === primary.name ? primary : (byName.get(key.backend) ?? primary);

  const backend: CryptoBackend = {
    name: 'routed',
    importKey: async (jwk, alg, usage) =>
      (await backendFor(alg, keyKindOf(jwk, alg))).importKey(jwk, alg, usage),
    sign: (key, data) => owner(key).sign(key, data),
    verify: (key, data, signature) => owner(key).verify(key, data, signature),
    generate: async (spec): Promise<PrivateJWK | OctJWK> => {
      const kind = specKind(spec);
      return (await backendFor(`generating ${kind.split(':')[1] ?? kind}`, kind)).generate(spec);
    },
    digest: (hash, data) => primary.digest(hash, data),
  };
  if (!sync) return backend;
  return {
    ...backend,
    importKeySync: (jwk: JWK, alg: string, usage: KeyUsage) => {
      const kind = keyKindOf(jwk, alg);
      const c = choice(kind) as Choice;
      if (c === null) throw unsupported(alg, kind, routes);
      return c.importKeySync!(jwk, alg, usage);
    },
    signSync: (key, data) => owner(key).signSync!(key, data),
    verifySync: (key, data, signature) => owner(key).verifySync!(key, data, signature),
    verifyAsciiSync: (key, ascii, signature) => {
      const b = owner(key);
      return b.verifyAsciiSync !== undefined
        ? b.verifyAsciiSync(key, ascii, signature)
        : b.verifySync!(key, asciiBytes(ascii), signature);
    },
    verifyTextSync: (key, ascii, signatureB64) => {
      const b = owner(key);
      if (b.verifyTextSync !== undefined) return b.verifyTextSync(key, ascii, signatureB64);
      // The same contract for a backend without it: only canonical base64url can verify (RFC 7515 §2).
      if (checkBase64url(signatureB64) !== undefined) return false;
      const signature = decode(signatureB64);
      return b.verifyAsciiSync !== undefined
        ? b.verifyAsciiSync(key, ascii, signature)
        : b.verifySync!(key, asciiBytes(ascii), signature);
    },
  };
}

/**
 * The first route's backend itself when it has every kind the registry knows (probed now, all
 * synchronously), so a runtime whose primary backend lacks nothing pays no routing at all (Node);
 * else the routed backend (Bun). Needs synchronous probes.
 */
export function singleOrRouted(routes: readonly Route[], options: RoutedOptions = {}): CryptoBackend {
  const primary = routes[0]!;
  const lacks = keyKinds().some((kind) => {
    const preferred = options.prefer?.(kind)?.[0];
    return (preferred !== undefined && preferred !== primary.backend.name) || primary.has(kind) !== true;
  });
  return lacks ? createRoutedBackend(routes, options) : primary.backend;
}
