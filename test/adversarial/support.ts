/**
 * What the attack files share: one key of every signature type, an attacker's token forge
 * (built with node:crypto directly, the way an attacker would, not with jwkit), and a verdict
 * helper that insists every refusal is a JWKitError with a code.
 */
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import {
  assertBuilt,
  type RunOptions,
  type RunResult,
  jwkit as runCLI,
} from '../../packages/cli/test/helpers.js';
import {
  generateJWK,
  type JWK,
  JWKitError,
  type PrivateJWK,
  toPublic,
} from '../../packages/jwkit/src/index.node.js';
import { nodeBackend } from '../helpers/backends.js';

export const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

/** Every asymmetric signature family and curve, one algorithm each. */
export const ASYMMETRIC = [
  { name: 'RSA', alg: 'RS256' },
  { name: 'P-256', alg: 'ES256' },
  { name: 'P-384', alg: 'ES384' },
  { name: 'P-521', alg: 'ES512' },
  { name: 'secp256k1', alg: 'ES256K' },
  { name: 'Ed25519', alg: 'Ed25519' },
  { name: 'Ed448', alg: 'Ed448' },
] as const;

export interface KeyPair {
  readonly name: string;
  readonly alg: string;
  readonly private: PrivateJWK;
  readonly public: JWK;
}

/** One private key (with alg and kid) of every asymmetric type, generated on the node backend. */
export async function keyPairs(): Promise<KeyPair[]> {
  return Promise.all(
    ASYMMETRIC.map(async ({ name, alg }) => {
      const priv = (await generateJWK({ alg, kid: `adv-${name}`, backend: nodeBackend })) as PrivateJWK;
      return { name, alg, private: priv, public: toPublic(priv) as JWK };
    }),
  );
}

export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'] as const;
const HMAC_HASH: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/** `header.payload` as the attacker writes it (header members in the given order). */
export function signingInput(
  header: Record<string, unknown>,
  payload: unknown = { sub: 'attacker', admin: true },
): string {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return `${b64u(JSON.stringify(header))}.${b64u(body)}`;
}

/** An HS* token MACed with `secret`, the classic confusion forge. */
export function hmacToken(
  alg: string,
  secret: Uint8Array | string,
  header: Record<string, unknown> = {},
  payload?: unknown,
): string {
  const input = signingInput({ alg, ...header }, payload);
  const mac = createHmac(HMAC_HASH[alg]!, typeof secret === 'string' ? Buffer.from(secret) : secret)
    .update(input)
    .digest();
  return `${input}.${b64u(mac)}`;
}

/**
 * Runs `attempt` and returns the code it was refused with. Fails the test when it succeeds or
 * throws anything but a JWKitError.
 */
export async function refusal(attempt: () => unknown, label = ''): Promise<string> {
  let result: unknown;
  try {
    result = await attempt();
  } catch (error) {
    expect(error, `${label}: ${String(error)}`).toBeInstanceOf(JWKitError);
    expect(typeof (error as JWKitError).code, label).toBe('string');
    return (error as JWKitError).code;
  }
  expect.fail(`${label}: accepted, resolved to ${JSON.stringify(result)?.slice(0, 200)}`);
}

/**
 * `node dist/cli.js ...args` (test/cli/helpers.ts), failing clearly when the CLI is not built:
 * a missing bundle also exits non-zero, which a test expecting a refusal would take for one.
 */
export function jwkit(args: readonly string[], options?: RunOptions): Promise<RunResult> {
  assertBuilt();
  return runCLI(args, options);
}

/** Every upper/lower-case spelling of a word (`none` -> 16 spellings). */
export function caseVariants(word: string): string[] {
  let out = [''];
  for (const ch of word) {
    const forms = [...new Set([ch.toLowerCase(), ch.toUpperCase()])];
    out = out.flatMap((prefix) => forms.map((f) => prefix + f));
  }
  return out;
}

/** kid values an attacker will try: traversal, SQL, control characters, prototype names, sizes. */
export const HOSTILE_KIDS: readonly string[] = [
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/dev/zero',
  'file:///etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  "' OR '1'='1",
  "x'; DROP TABLE jwkit_keys; --",
  '" OR ""="',
  '1 UNION SELECT private_key FROM jwkit_keys',
  '',
  ' ',
  '\u0000',
  'kid\r\nX-Injected: 1',
  '\u202egnp.exe',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '*',
  '%',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style lookup, literally
  '${jndi:ldap://127.0.0.1/a}',
  'x'.repeat(1024),
  'k'.repeat(40_000),
];
