/**
 * Rotation policy per algorithm: how long a key signs, how long before that it is published,
 * and the longest token it may sign. Defaults and checks live here; the schedule applies them.
 */

import { getAlgorithm } from 'jwkit';
import { type Duration, formatMillis, toMillis } from './duration.js';
import { ServerConfigError } from './errors.js';

export interface PolicyInput {
  /** A JWS algorithm from the registry, e.g. `ES256`, `RS256`, `Ed25519`, `HS256`. */
  alg: string;
  /** How long a key signs before the next one takes over. Default `30d`. */
  rotationPeriod?: Duration;
  /**
   * How long a new key is published (state `next`) before it signs, so that every cache has
   * fetched it first. Default `2d`; at most `rotationPeriod`.
   */
  prePublish?: Duration;
  /** The longest lifetime of a token this server signs; a retired key stays published this long. Default `1h`. */
  maxTokenLifetime?: Duration;
  /** RSA modulus bits (default 2048) or oct key bits (default: the hash size). */
  size?: number;
}

export interface Policy {
  readonly alg: string;
  readonly kty: string;
  readonly rotationPeriod: number;
  readonly prePublish: number;
  readonly maxTokenLifetime: number;
  readonly size?: number;
  /** `oct` keys sign but are never published. */
  readonly published: boolean;
}

export const DEFAULT_ALGS: readonly string[] = ['ES256', 'RS256'];

export const POLICY_DEFAULTS = Object.freeze({
  rotationPeriod: '30d',
  prePublish: '2d',
  maxTokenLifetime: '1h',
} satisfies Partial<PolicyInput>);

/** Checks and completes policies; throws `ERR_BAD_POLICY` with what to change. */
export function resolvePolicies(
  inputs: readonly (string | PolicyInput)[] = DEFAULT_ALGS,
  defaults: Partial<Omit<PolicyInput, 'alg'>> = {},
): Policy[] {
  if (inputs.length === 0)
    throw new ServerConfigError('ERR_BAD_POLICY', 'no algorithm configured; give at least one, e.g. ES256');
  const seen = new Set<string>();
  return inputs.map((raw) => {
    const input: PolicyInput = typeof raw === 'string' ? { alg: raw } : raw;
    const info = getAlgorithm(input.alg);
    if (info?.use !== 'sig') {
      throw new ServerConfigError(
        'ERR_BAD_POLICY',
        `${JSON.stringify(input.alg)} is not a JWS signature algorithm; use one of ES256, ES384, ES512, RS256, PS256, Ed25519, HS256, ...`,
      );
    }
    if (info.deprecated) {
      throw new ServerConfigError('ERR_BAD_POLICY', `${info.alg}: ${info.deprecated}`);
    }
    if (seen.has(info.alg)) throw new ServerConfigError('ERR_BAD_POLICY', `${info.alg} is configured twice`);
    seen.add(info.alg);
    const get = (k: 'rotationPeriod' | 'prePublish' | 'maxTokenLifetime') =>
      toMillis(input[k] ?? defaults[k] ?? POLICY_DEFAULTS[k], `${info.alg} ${k}`);
    const policy: Policy = {
      alg: info.alg,
      kty: info.kty,
      rotationPeriod: get('rotationPeriod'),
      prePublish: get('prePublish'),
      maxTokenLifetime: get('maxTokenLifetime'),
      published: info.kty !== 'oct',
      ...sizeOf(input.size ?? defaults.size, info.alg, info.kty, info.minBits),
    };
    if (policy.rotationPeriod <= 0)
      throw new ServerConfigError('ERR_BAD_POLICY', `${info.alg}: rotationPeriod must be positive`);
    if (policy.maxTokenLifetime <= 0) {
      throw new ServerConfigError('ERR_BAD_POLICY', `${info.alg}: maxTokenLifetime must be positive`);
    }
    if (policy.prePublish > policy.rotationPeriod) {
      throw new ServerConfigError(
        'ERR_BAD_POLICY',
        `${info.alg}: prePublish (${formatMillis(policy.prePublish)}) is longer than rotationPeriod (${formatMillis(policy.rotationPeriod)}); ` +
          'a key cannot be announced before the one it follows starts: shorten prePublish',
      );
    }
    return policy;
  });
}

function sizeOf(size: number | undefined, alg: string, kty: string, minBits?: number): { size?: number } {
  if (size === undefined) return {};
  if (kty !== 'RSA' && kty !== 'oct') {
    throw new ServerConfigError(
      'ERR_BAD_POLICY',
      `${alg}: size applies to RSA and HMAC keys only; the curve fixes it`,
    );
  }
  if (!Number.isInteger(size) || (minBits !== undefined && size < minBits)) {
    throw new ServerConfigError(
      'ERR_BAD_POLICY',
      `${alg}: size must be an integer of at least ${minBits ?? 1} bits`,
    );
  }
  return { size };
}

// ---------------------------------------------------------------------------------------------
// The stored policy (issue 14.1). The policy lives in the store, not in each writer's flags: it
// is set when the store is created and changed only on purpose (`jwkit keys policy set`, or
// `jwkit serve --update-policy`). Every writer plans every change on the policy of the snapshot
// it commits against, and a policy change bumps the store version like any other commit, so two
// replicas can never schedule under different policies: they agree by construction.

/** Cache and skew settings, stored next to the per-algorithm policies. */
export const CACHE_DEFAULTS = Object.freeze({ cacheMaxAge: '15m', staleWhileRevalidate: '1m', skew: '1m' });

export interface StoredPolicy {
  readonly format: 1;
  /** In order: the first is the default signing algorithm. */
  readonly policies: readonly Policy[];
  readonly cacheMaxAge: number;
  readonly staleWhileRevalidate: number;
  readonly skew: number;
  /**
   * Per alg, a time (ms) before which no key of that alg that retires or is revoked may be
   * removed: set when a policy change shortens a lifetime (or drops an alg), so every key stays
   * published as long as tokens it signed under the old policy can be valid.
   */
  readonly retainUntil: Readonly<Record<string, number>>;
}

/** Policy values as a writer's flags or options give them; only the fields given are compared. */
export interface PolicyFlags {
  algs?: readonly (string | PolicyInput)[];
  rotationPeriod?: Duration;
  prePublish?: Duration;
  maxTokenLifetime?: Duration;
  /** RSA modulus bits for RS* and PS* algs. */
  rsaBits?: number;
  cacheMaxAge?: Duration;
  staleWhileRevalidate?: Duration;
  skew?: Duration;
}

const FIELDS = ['rotationPeriod', 'prePublish', 'maxTokenLifetime'] as const;
const CACHE_FIELDS = ['cacheMaxAge', 'staleWhileRevalidate', 'skew'] as const;
const FLAG_NAMES: Record<string, string> = {
  rotationPeriod: 'rotation-period',
  prePublish: 'pre-publish',
  maxTokenLifetime: 'max-token-lifetime',
  cacheMaxAge: 'cache-max-age',
  staleWhileRevalidate: 'stale-while-revalidate',
  skew: 'skew',
  size: 'rsa-bits',
};

function isRSA(alg: string): boolean {
  return /^(RS|PS)\d+$/.test(alg);
}

function inputsOf(flags: PolicyFlags, algs: readonly (string | PolicyInput)[]): PolicyInput[] {
  return algs.map((a) => {
    const input: PolicyInput = typeof a === 'string' ? { alg: a } : { ...a };
    if (input.size === undefined && flags.rsaBits !== undefined && isRSA(input.alg))
      input.size = flags.rsaBits;
    return input;
  });
}

function defaultsOf(flags: PolicyFlags): Partial<Omit<PolicyInput, 'alg'>> {
  const d: Partial<Omit<PolicyInput, 'alg'>> = {};
  for (const f of FIELDS) if (flags[f] !== undefined) d[f] = flags[f];
  return d;
}

/** A complete policy from flags, defaults filling what they leave out (a new store). */
export function policyFromFlags(flags: PolicyFlags = {}): StoredPolicy {
  const policies = resolvePolicies(inputsOf(flags, flags.algs ?? DEFAULT_ALGS), defaultsOf(flags));
  const cache = Object.fromEntries(
    CACHE_FIELDS.map((f) => [f, toMillis(flags[f] ?? CACHE_DEFAULTS[f], f)]),
  ) as Record<(typeof CACHE_FIELDS)[number], number>;
  return checkStoredPolicy({ format: 1, policies, ...cache, retainUntil: {} });
}

function checkStoredPolicy(p: StoredPolicy): StoredPolicy {
  if (p.skew <= 0) throw new ServerConfigError('ERR_BAD_POLICY', 'skew must be positive');
  return p;
}

export function serializePolicy(p: StoredPolicy): string {
  return JSON.stringify({
    format: 1,
    policies: p.policies.map((x) => ({
      alg: x.alg,
      rotationPeriod: x.rotationPeriod,
      prePublish: x.prePublish,
      maxTokenLifetime: x.maxTokenLifetime,
      ...(x.size === undefined ? {} : { size: x.size }),
    })),
    cacheMaxAge: p.cacheMaxAge,
    staleWhileRevalidate: p.staleWhileRevalidate,
    skew: p.skew,
    retainUntil: p.retainUntil,
  });
}

/** Reads the stored policy text (checked again: the store is not trusted to hold a valid one). */
export function parseStoredPolicy(text: string): StoredPolicy {
  let raw: {
    format?: unknown;
    policies?: PolicyInput[];
    cacheMaxAge?: number;
    staleWhileRevalidate?: number;
    skew?: number;
    retainUntil?: Record<string, number>;
  };
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ServerConfigError('ERR_POLICY_CORRUPT', 'the policy stored in the key store is not JSON', {
      cause,
    });
  }
  if (raw?.format !== 1 || !Array.isArray(raw.policies)) {
    throw new ServerConfigError(
      'ERR_POLICY_CORRUPT',
      'the policy stored in the key store has an unknown format; upgrade jwkit or set it again with `jwkit keys policy set`',
    );
  }
  const retainUntil: Record<string, number> = {};
  for (const [alg, t] of Object.entries(raw.retainUntil ?? {})) if (Number.isFinite(t)) retainUntil[alg] = t;
  return checkStoredPolicy({
    format: 1,
    policies: resolvePolicies(raw.policies),
    cacheMaxAge: toMillis(raw.cacheMaxAge ?? Number.NaN, 'stored cacheMaxAge'),
    staleWhileRevalidate: toMillis(raw.staleWhileRevalidate ?? Number.NaN, 'stored staleWhileRevalidate'),
    skew: toMillis(raw.skew ?? Number.NaN, 'stored skew'),
    retainUntil,
  });
}

/**
 * Each way `flags` disagree with `stored`, as text naming the flag, the stored value and the
 * flag's value; only what the flags give is compared. Empty when they agree.
 */
export function policyDifferences(stored: StoredPolicy, flags: PolicyFlags): string[] {
  const out: string[] = [];
  const wanted =
    flags.algs === undefined ? undefined : resolvePolicies(inputsOf(flags, flags.algs), defaultsOf(flags));
  if (wanted) {
    const a = stored.policies.map((p) => p.alg).join(',');
    const b = wanted.map((p) => p.alg).join(',');
    if (a !== b) out.push(`--algs: the store has ${a}, the flags say ${b}`);
  }
  const explicit = (alg: string): PolicyInput | undefined => {
    const raw = flags.algs?.find((x) => (typeof x === 'string' ? x : x.alg) === alg);
    return typeof raw === 'object' ? raw : undefined;
  };
  for (const p of stored.policies) {
    const given = explicit(p.alg);
    for (const f of FIELDS) {
      const v = given?.[f] ?? flags[f];
      if (v === undefined) continue;
      const ms = toMillis(v, `${p.alg} ${f}`);
      if (ms !== p[f]) {
        out.push(
          `--${FLAG_NAMES[f]} (${p.alg}): the store has ${formatMillis(p[f])}, the flags say ${formatMillis(ms)}`,
        );
      }
    }
    const size = given?.size ?? (isRSA(p.alg) ? flags.rsaBits : undefined);
    if (size !== undefined && size !== (p.size ?? (isRSA(p.alg) ? 2048 : undefined))) {
      out.push(`--rsa-bits (${p.alg}): the store has ${p.size ?? 2048}, the flags say ${size}`);
    }
  }
  for (const f of CACHE_FIELDS) {
    const v = flags[f];
    if (v === undefined) continue;
    const ms = toMillis(v, f);
    if (ms !== stored[f]) {
      out.push(
        `--${FLAG_NAMES[f]}: the store has ${formatMillis(stored[f])}, the flags say ${formatMillis(ms)}`,
      );
    }
  }
  return out;
}

/**
 * `stored` with what `flags` give applied, at `now`. An algorithm whose retention shrinks (a
 * shorter token lifetime, cache age or skew) or that is dropped gets a `retainUntil` floor of
 * `now` + its old retention, so keys that signed under the old policy outlive their tokens.
 */
export function applyPolicyFlags(
  stored: StoredPolicy,
  flags: PolicyFlags,
  now: number,
  retention: (alg: string, p: StoredPolicy) => number,
): StoredPolicy {
  const algs = flags.algs ?? stored.policies.map((p) => p.alg);
  // Fields the flags leave out keep their stored values for algorithms the store already has.
  const inputs = inputsOf(flags, algs).map((input) => {
    const old = stored.policies.find((p) => p.alg === input.alg);
    if (!old) return input;
    const merged: PolicyInput = { ...input };
    for (const f of FIELDS) merged[f] ??= flags[f] ?? old[f];
    if (merged.size === undefined && old.size !== undefined) merged.size = old.size;
    return merged;
  });
  const cache = Object.fromEntries(
    CACHE_FIELDS.map((f) => [f, flags[f] === undefined ? stored[f] : toMillis(flags[f], f)]),
  ) as Record<(typeof CACHE_FIELDS)[number], number>;
  const next: StoredPolicy = {
    format: 1,
    policies: resolvePolicies(inputs, defaultsOf(flags)),
    ...cache,
    retainUntil: {},
  };
  const retainUntil: Record<string, number> = {};
  for (const [alg, t] of Object.entries(stored.retainUntil)) if (t > now) retainUntil[alg] = t;
  for (const p of stored.policies) {
    const before = retention(p.alg, stored);
    const kept = next.policies.some((x) => x.alg === p.alg);
    const after = kept ? retention(p.alg, next) : 0;
    if (after < before) retainUntil[p.alg] = Math.max(retainUntil[p.alg] ?? 0, now + before);
  }
  return checkStoredPolicy({ ...next, retainUntil });
}

/** The policy as people read it (`jwkit keys policy show`). */
export function describePolicy(p: StoredPolicy): Record<string, unknown> {
  return {
    algs: p.policies.map((x) => ({
      alg: x.alg,
      rotationPeriod: formatMillis(x.rotationPeriod),
      prePublish: formatMillis(x.prePublish),
      maxTokenLifetime: formatMillis(x.maxTokenLifetime),
      ...(x.size === undefined ? {} : { size: x.size }),
      ...(p.retainUntil[x.alg] === undefined
        ? {}
        : { retainUntil: new Date(p.retainUntil[x.alg]!).toISOString() }),
    })),
    cacheMaxAge: formatMillis(p.cacheMaxAge),
    staleWhileRevalidate: formatMillis(p.staleWhileRevalidate),
    skew: formatMillis(p.skew),
    ...(Object.keys(p.retainUntil).length === 0
      ? {}
      : {
          retainUntil: Object.fromEntries(
            Object.entries(p.retainUntil).map(([a, t]) => [a, new Date(t).toISOString()]),
          ),
        }),
  };
}
