/**
 * `jwkit jwt sign|verify|decode`. Verification follows RFC 8725: the algorithm comes from the
 * key or `--alg`, never from the token alone; failures exit 1 with the exact reason code.
 */

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { JWTPayload, KeyInput } from 'jwkit';
import { isPrivate, type JWK } from 'jwkit';
import { CLIError, inSource, usageError } from '../exit.js';
import { collect, collectList, examples, positiveInt } from '../help.js';
import { readInput } from '../io.js';
import { loadKeys, looksLikeToken } from '../keyfile.js';
import { loadJwkit } from '../lib.js';
import { fields, isoDate, out, printJSON, styleFor, warn } from '../output.js';
import { reportProblems } from '../problems.js';

export function register(program: Command): void {
  const jwt = program
    .command('jwt')
    .description('sign, verify and decode JWTs (JWS compact serialization)')
    .addHelpText(
      'after',
      examples([
        ['jwkit jwt sign --key key.json --sub alice --exp 15m', 'a token for alice, valid 15 minutes'],
        [
          'jwkit jwt verify "$TOKEN" --jwks jwks.json --iss https://issuer.example',
          'verify and print the claims',
        ],
        ['jwkit jwt decode "$TOKEN"', 'look inside without verifying'],
      ]),
    );

  jwt
    .command('sign')
    .description('sign a JWT with a private key (or oct secret) and print it')
    .requiredOption('--key <file>', 'the signing key: a JWK, a JWK Set (with --kid) or a PEM private key')
    .option('--kid <kid>', 'which key of a set to use; also the header kid')
    .option('--alg <alg>', "the JWS algorithm (default: the key's alg)")
    .option('--claims <json|file>', 'claims as a JSON object, a file, or "-" for stdin')
    .option('--iss <issuer>', 'the iss claim')
    .option('--sub <subject>', 'the sub claim')
    .option('--aud <audience>', 'the aud claim (repeat for several)', collect)
    .option('--exp <duration>', 'expires this long from now: 90s, 15m, 1h, 7d')
    .option('--nbf <duration>', 'not valid before this long from now (0s for now)')
    .option('--no-iat', 'leave out the iat claim')
    .option('--jti <id>', 'the jti claim')
    .option('--typ <typ>', 'the header typ (default JWT)')
    .option('--header <json>', 'more protected header members, as a JSON object')
    .addHelpText(
      'after',
      examples([
        [
          'jwkit jwt sign --key key.json --iss https://issuer.example --aud api --exp 1h',
          'a one-hour access token',
        ],
        [
          'echo \'{"scope":"read"}\' | jwkit jwt sign --key key.pem --alg ES256 --claims -',
          'claims from stdin, key from PEM',
        ],
        [
          'jwkit jwt sign --key private-set.json --kid 2024-05 --claims claims.json',
          'one key of a private set',
        ],
      ]),
    )
    .action((opts: SignCommandOptions) => signCommand(opts));

  jwt
    .command('verify')
    .description('verify a JWT against a key or set (file or URL) and print its payload')
    .argument('[token]', 'the token, a file holding it, or "-" / nothing for stdin')
    .requiredOption(
      '--jwks <file|url>',
      'the verification keys: a JWK Set or JWK file, PEM, or an http(s) URL',
    )
    .option(
      '--alg <algs>',
      "accepted algorithms, comma-separated or repeated (default: the key's alg)",
      collectList,
    )
    .option('--iss <issuer>', 'accepted issuer (repeat for several)', collect)
    .option('--aud <audience>', 'accepted audience (repeat for several)', collect)
    .option('--sub <subject>', 'required subject')
    .option('--typ <typ>', 'required header typ, e.g. at+jwt')
    .option('--clock-tolerance <duration>', 'allowed clock skew for exp/nbf/iat, e.g. 30s')
    .option('--max-age <duration>', 'reject tokens issued longer ago than this')
    .option('--require <claims>', 'claims that must be present, comma-separated', collectList)
    .option('--full', 'print { header, payload, key } instead of the payload')
    .option('--timeout <ms>', 'deadline for fetching a --jwks URL', positiveInt, 5000)
    .option('--compact', 'print JSON on one line')
    .addHelpText(
      'after',
      `${examples([
        ['jwkit jwt verify "$TOKEN" --jwks jwks.json', 'print the payload of a valid token'],
        [
          'jwkit jwt verify "$TOKEN" --jwks https://issuer.example/.well-known/jwks.json --iss https://issuer.example --aud api',
          'check issuer and audience against a remote set',
        ],
        [
          'jwkit jwt verify --jwks key.pub.json --alg ES256 --full < token.txt',
          'header, payload and the key that verified it',
        ],
      ])}
Exit status: 0 when the token verifies, 1 with the reason (e.g. ERR_JWT_EXPIRED) when it does not.`,
    )
    .action((token: string | undefined, opts: VerifyCommandOptions) => verifyCommand(token, opts));

  jwt
    .command('decode')
    .description('show the header and payload of a JWT WITHOUT verifying it')
    .argument('[token]', 'the token, a file holding it, or "-" / nothing for stdin')
    .option('--json', 'print { header, payload, verified: false } as JSON')
    .addHelpText(
      'after',
      examples([['jwkit jwt decode "$TOKEN" --json | jq .payload', 'the claims, for a script']]),
    )
    .action((token: string | undefined, opts: { json?: boolean }) => decodeCommand(token, opts));
}

const TOKEN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){2}(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?$/;

/** The token from the argument, a file it names, or stdin. */
async function readToken(arg: string | undefined): Promise<string> {
  if (arg !== undefined && arg !== '-') {
    if (TOKEN.test(arg.trim())) return arg.trim();
    // A malformed token (padding, standard alphabet, inner whitespace, 4 parts) is invalid
    // input, not a usage error: the JWT parser gives the reason, exit 1 (issue 13.13).
    if (!existsSync(arg) && looksLikeToken(arg)) return arg.trim();
    if (!existsSync(arg)) {
      const shown = arg.length > 40 ? `${arg.slice(0, 40)}...` : arg;
      throw usageError(`${JSON.stringify(shown)} is neither a JWT (header.payload.signature) nor a file`);
    }
  }
  return (await readInput(arg)).text.trim();
}

// ----- sign -----

interface SignCommandOptions {
  key: string;
  kid?: string;
  alg?: string;
  claims?: string;
  iss?: string;
  sub?: string;
  aud?: string[];
  exp?: string;
  nbf?: string;
  iat: boolean;
  jti?: string;
  typ?: string;
  header?: string;
}

async function parseObject(text: string, what: string): Promise<Record<string, unknown>> {
  const { parseJSON } = await import('jwkit');
  const { value, problems } = parseJSON(text);
  const dup = problems.find((p) => p.severity === 'error');
  if (dup) throw new CLIError('ERR_CLI_CLAIMS', `${what}: ${dup.message}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CLIError('ERR_CLI_CLAIMS', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

async function readClaims(arg: string | undefined, keyFromStdin: boolean): Promise<JWTPayload> {
  if (arg === undefined) return {};
  if (/^\s*[[{]/.test(arg)) return inSource('--claims', () => parseObject(arg, 'the claims'));
  if (arg === '-' && keyFromStdin) throw usageError('--key and --claims cannot both read stdin');
  const input = await readInput(arg);
  return inSource(input.name, () => parseObject(input.text, 'the claims'));
}

async function signingKey(file: string, kid: string | undefined): Promise<JWK> {
  const input = await readInput(file);
  const loaded = await loadKeys(input);
  reportProblems(input.name, loaded.problems);
  const candidates = loaded.keys.filter((k) => isPrivate(k) && (kid === undefined || k.kid === kid));
  const [key, ...others] = candidates;
  if (!key) {
    throw new CLIError(
      'ERR_CLI_NO_KEY',
      kid === undefined
        ? `${input.name} holds no private key; signing needs the private key (or oct secret)`
        : `${input.name} holds no private key with kid ${JSON.stringify(kid)}`,
    );
  }
  if (others.length > 0) {
    throw new CLIError(
      'ERR_CLI_MANY_KEYS',
      `${input.name} holds ${candidates.length} private keys; pick one with --kid`,
    );
  }
  return key;
}

async function signCommand(opts: SignCommandOptions): Promise<void> {
  const header =
    opts.header === undefined
      ? undefined
      : await inSource('--header', () => parseObject(opts.header!, 'the header'));
  const key = await signingKey(opts.key, opts.kid);
  const claims = await readClaims(opts.claims, opts.key === '-');
  const { signJWT } = await loadJwkit();
  const token = await signJWT(claims, key, {
    ...(opts.alg !== undefined && { alg: opts.alg }),
    ...(opts.kid !== undefined && { kid: opts.kid }),
    ...(opts.typ !== undefined && { typ: opts.typ }),
    ...(header !== undefined && { header }),
    issuedAt: opts.iat,
    ...(opts.exp !== undefined && { expiresIn: opts.exp }),
    ...(opts.nbf !== undefined && { notBefore: opts.nbf }),
    ...(opts.iss !== undefined && { issuer: opts.iss }),
    ...(opts.sub !== undefined && { subject: opts.sub }),
    ...(opts.aud !== undefined && { audience: opts.aud.length === 1 ? opts.aud[0]! : opts.aud }),
    ...(opts.jti !== undefined && { jwtId: opts.jti }),
  });
  out(token);
}

// ----- verify -----

interface VerifyCommandOptions {
  jwks: string;
  alg?: string[];
  iss?: string[];
  aud?: string[];
  sub?: string;
  typ?: string;
  clockTolerance?: string;
  maxAge?: string;
  require?: string[];
  full?: boolean;
  timeout: number;
  compact?: boolean;
}

/** A file becomes a JWKSet (or the one JWK); a URL a RemoteJWKSet, closed after the check. */
async function verificationKeys(source: string, timeout: number): Promise<{ keys: KeyInput; close(): void }> {
  if (/^https?:\/\//i.test(source)) {
    const { RemoteJWKSet } = await loadJwkit();
    const remote = new RemoteJWKSet(source, { timeout, backgroundRefresh: false, redirects: 'same-origin' });
    return { keys: remote, close: () => remote.close() };
  }
  const input = await readInput(source);
  const loaded = await loadKeys(input);
  reportProblems(input.name, loaded.problems);
  if (loaded.keys.length === 0) throw new CLIError('ERR_CLI_NO_KEY', `${input.name} holds no usable key`);
  if (loaded.format !== 'jwks' && loaded.keys.length === 1) return { keys: loaded.keys[0]!, close() {} };
  const { JWKSet } = await loadJwkit();
  return { keys: new JWKSet(loaded.keys), close() {} };
}

async function verifyCommand(tokenArg: string | undefined, opts: VerifyCommandOptions): Promise<void> {
  if (tokenArg === undefined || tokenArg === '-') {
    if (opts.jwks === '-') throw usageError('the token and --jwks cannot both read stdin');
  }
  const token = await readToken(tokenArg);
  const { keys, close } = await verificationKeys(opts.jwks, opts.timeout);
  const { verifyJWT } = await loadJwkit();
  try {
    const result = await verifyJWT(token, keys, {
      ...(opts.alg !== undefined && { algorithms: opts.alg }),
      ...(opts.iss !== undefined && { issuer: opts.iss }),
      ...(opts.aud !== undefined && { audience: opts.aud }),
      ...(opts.sub !== undefined && { subject: opts.sub }),
      ...(opts.typ !== undefined && { typ: opts.typ }),
      ...(opts.clockTolerance !== undefined && { clockTolerance: opts.clockTolerance }),
      ...(opts.maxAge !== undefined && { maxTokenAge: opts.maxAge }),
      ...(opts.require !== undefined && { requiredClaims: opts.require }),
    });
    printJSON(
      opts.full ? { header: result.header, payload: result.payload, key: result.key } : result.payload,
      opts.compact,
    );
  } finally {
    close();
  }
}

// ----- decode -----

async function decodeCommand(tokenArg: string | undefined, opts: { json?: boolean }): Promise<void> {
  const token = await readToken(tokenArg);
  const { decodeJWT } = await loadJwkit();
  const { header, payload } = decodeJWT(token);
  if (opts.json) {
    warn('decoded only: the signature was NOT verified (use `jwkit jwt verify`)');
    printJSON({ header, payload, verified: false });
    return;
  }
  const style = styleFor(process.stdout);
  out(style.bold('header'));
  out(JSON.stringify(header, null, 2));
  out(style.bold('payload'));
  out(JSON.stringify(payload, null, 2));
  const times: [string, string | undefined][] = ['iat', 'nbf', 'exp'].map((c) => {
    const v = (payload as Record<string, unknown>)[c];
    return [c, typeof v === 'number' && Number.isFinite(v) ? isoDate(v * 1000) : undefined];
  });
  for (const line of fields(times, style, '')) out(line);
  out(
    style.yellow(
      'NOT VERIFIED: the signature was not checked; use `jwkit jwt verify` before trusting any of this',
    ),
  );
}
