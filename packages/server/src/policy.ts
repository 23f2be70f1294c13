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
