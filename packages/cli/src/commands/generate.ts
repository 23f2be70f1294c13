/**
 * `jwkit generate`: a new private JWK (or oct secret). The kid defaults to the RFC 7638
 * thumbprint; `--alg` alone picks kty and curve from the registry. Private output written to a
 * file is 0600 and never replaces an existing file without `--force`.
 */

import type { Command } from 'commander';
import { Option } from 'commander';
import type { GenerateOptions as LibraryOptions } from 'jwkit';
import { CURVES, type JWK, JWKitError, KEY_OPS, type KeyOp, KTYS, type Kty, toPublic, USES } from 'jwkit';
import { usageError } from '../exit.js';
import { collectList, examples, positiveInt } from '../help.js';
import { exists, PRIVATE_MODE, PUBLIC_MODE, readSecretFile, writeFileAtomic } from '../io.js';
import { loadJwkit } from '../lib.js';
import { note, toJSONText } from '../output.js';

interface GenerateOptions {
  kty?: Kty;
  crv?: string;
  size?: number;
  alg?: string;
  use?: 'sig' | 'enc';
  kid?: string;
  keyOps?: string[];
  out?: string;
  publicOut?: string;
  pem?: boolean;
  passphraseFile?: string;
  force?: boolean;
  allowDeprecated?: boolean;
  compact?: boolean;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('generate a new key and print it as a private JWK (default: EC P-256 for ES256)')
    .addOption(new Option('--kty <kty>', 'key type').choices(KTYS))
    .addOption(new Option('--crv <name>', 'curve for EC and OKP keys').choices(Object.keys(CURVES)))
    .option('--size <bits>', 'key size in bits for RSA (default 2048) and oct (default 256)', positiveInt)
    .option('--alg <alg>', 'algorithm the key is for; alone it picks the key type and curve')
    .addOption(new Option('--use <use>', 'public key use').choices(USES))
    .option('--kid <id>', 'key ID (default: the RFC 7638 SHA-256 thumbprint)')
    .option(
      '--key-ops <ops>',
      `key operations, comma-separated or repeated (${Object.keys(KEY_OPS).join(', ')})`,
      collectList,
    )
    .option('--out <file>', 'write the private key to FILE (mode 0600) instead of stdout')
    .option('--public-out <file>', 'also write the public key to FILE')
    .option('--pem', 'write PEM (PKCS#8 private, SPKI public) instead of JWK')
    .option('--passphrase-file <file>', 'with --pem: encrypt the private key with the passphrase in FILE')
    .option('--force', 'replace existing output files')
    .option('--allow-deprecated', 'allow a deprecated algorithm (EdDSA, RSA1_5)')
    .option('--compact', 'print JSON on one line')
    .addHelpText(
      'after',
      examples([
        ['jwkit generate', 'an EC P-256 key for ES256, kid = thumbprint'],
        ['jwkit generate --alg RS256 --size 3072', 'an RSA-3072 key for RS256'],
        [
          'jwkit generate --kty OKP --crv Ed25519 --out ed.json --public-out ed.pub.json',
          'an Ed25519 key pair in two files',
        ],
        ['jwkit generate --kty oct --size 512 --alg HS512', 'a 512-bit HMAC secret'],
        ['jwkit generate --alg ES384 --pem --out key.pem', 'a P-384 key as a PKCS#8 PEM file'],
      ]),
    )
    .action((opts: GenerateOptions) => generate(opts));
}

/** Library option errors are usage errors here: the user asked for an impossible key. */
const OPTION_ERRORS = new Set(['ERR_GENERATE_OPTIONS', 'ERR_GENERATE_SIZE']);

function libraryOptions(opts: GenerateOptions): LibraryOptions {
  return {
    // Without --alg, --kty or --crv: EC P-256 for ES256, the common choice (as `step crypto jwk`).
    ...(opts.alg === undefined && opts.kty === undefined && opts.crv === undefined
      ? { kty: 'EC' as const }
      : {}),
    ...(opts.kty !== undefined && { kty: opts.kty }),
    ...(opts.crv !== undefined && { crv: opts.crv }),
    ...(opts.size !== undefined && { size: opts.size }),
    ...(opts.alg !== undefined && { alg: opts.alg }),
    ...(opts.use !== undefined && { use: opts.use }),
    ...(opts.keyOps !== undefined && { keyOps: opts.keyOps as KeyOp[] }),
    ...(opts.kid !== undefined && { kid: opts.kid }),
    ...(opts.allowDeprecated && { allowDeprecated: true }),
  };
}

/** Checks what the CLI adds (files, PEM, public output) before any key is made. */
function checkOutputs(opts: GenerateOptions, kty: string): void {
  if (kty === 'oct' && opts.publicOut !== undefined) {
    throw usageError('an oct key is a shared secret with no public form; drop --public-out');
  }
  if (kty === 'oct' && opts.pem) throw usageError('oct keys have no PEM form; drop --pem');
  if (opts.passphraseFile !== undefined && !opts.pem) throw usageError('--passphrase-file needs --pem');
  if (opts.out !== undefined && opts.out === opts.publicOut)
    throw usageError('--out and --public-out name the same file');
  for (const file of [opts.out, opts.publicOut]) {
    if (file !== undefined && !opts.force && exists(file))
      throw usageError(`${file} already exists; pass --force to replace it`);
  }
}

async function generate(opts: GenerateOptions): Promise<void> {
  const passphrase = opts.passphraseFile === undefined ? undefined : readSecretFile(opts.passphraseFile);
  const { generateJWK } = await loadJwkit();
  const { resolveGenerate } = await import('jwkit/internal');
  const options = libraryOptions(opts);
  let jwk: JWK;
  try {
    checkOutputs(opts, resolveGenerate(options).kty);
    jwk = await generateJWK(options);
  } catch (err) {
    if (err instanceof JWKitError && OPTION_ERRORS.has(err.code)) {
      throw usageError(err.message.replace('pass allowDeprecated: true', 'pass --allow-deprecated'));
    }
    throw err;
  }

  let privateText: string;
  let publicText: string | undefined;
  if (opts.pem) {
    const { jwkToPEM } = await loadJwkit();
    privateText = await jwkToPEM(jwk, { format: 'pkcs8', ...(passphrase !== undefined && { passphrase }) });
    if (opts.publicOut !== undefined) publicText = await jwkToPEM(jwk, { format: 'spki' });
  } else {
    privateText = toJSONText(jwk, opts.compact);
    if (opts.publicOut !== undefined) {
      publicText = toJSONText(toPublic(jwk), opts.compact);
    }
  }

  if (opts.out !== undefined) {
    writeFileAtomic(opts.out, privateText, { mode: PRIVATE_MODE, exclusive: !opts.force });
    note(`jwkit: wrote the private key${jwk.kid ? ` ${jwk.kid}` : ''} to ${opts.out} (mode 0600)`);
  } else {
    process.stdout.write(privateText);
  }
  if (opts.publicOut !== undefined && publicText !== undefined) {
    writeFileAtomic(opts.publicOut, publicText, { mode: PUBLIC_MODE, exclusive: !opts.force });
    note(`jwkit: wrote the public key to ${opts.publicOut}`);
  }
}
