/**
 * `jwkit convert`: PEM/DER <-> JWK for every key type; certificates become a JWK with `x5c`.
 *
 * A JWK Set output is public unless `--private` (sets are what gets published). A single JWK or
 * PEM keeps what the input holds: a private PEM becomes a private JWK and back, so
 * `openssl genpkey | jwkit convert --to jwk | jwkit convert --to pem --private` round-trips.
 * `--public` strips private members; `--private` insists on private output and fails when the
 * input holds only a public key. A passphrase given with `--passphrase-file` decrypts an
 * encrypted PKCS#8 input and encrypts a private PEM output, so protection is never silently lost
 * or added by a format change.
 */

import type { Command } from 'commander';
import { Option } from 'commander';
import { isPrivate, type JWK, toPublic } from 'jwkit';
import { CLIError, EXIT, usageError } from '../exit.js';
import { examples } from '../help.js';
import { exists, PRIVATE_MODE, PUBLIC_MODE, readInput, readSecretFile, writeFileAtomic } from '../io.js';
import { loadKeys, onlyKey } from '../keyfile.js';
import { loadJwkit } from '../lib.js';
import { toJSONText } from '../output.js';
import { reportProblems } from '../problems.js';

const TARGETS = ['jwk', 'jwks', 'pem'] as const;
const PEM_FORMATS = ['spki', 'pkcs8', 'pkcs1', 'sec1'] as const;

interface ConvertOptions {
  to: (typeof TARGETS)[number];
  private?: boolean;
  public?: boolean;
  format?: (typeof PEM_FORMATS)[number];
  passphraseFile?: string;
  out?: string;
  force?: boolean;
  compact?: boolean;
}

export function register(program: Command): void {
  program
    .command('convert')
    .description('convert keys between PEM/DER and JWK (certificates become a JWK with x5c)')
    .argument('[file]', 'a PEM, DER, JWK or JWK Set file; "-" or nothing reads stdin')
    .addOption(new Option('--to <format>', 'output format').choices(TARGETS).makeOptionMandatory())
    .option('--private', 'output the private key; fail if the input has none')
    .option('--public', 'output only the public key (private members removed)')
    .addOption(
      new Option(
        '--format <pem-format>',
        'PEM structure (default: pkcs8 for private keys, spki for public)',
      ).choices(PEM_FORMATS),
    )
    .option(
      '--passphrase-file <file>',
      'passphrase that decrypts encrypted PEM input and encrypts private PEM output',
    )
    .option('--out <file>', 'write to FILE (0600 when it holds a private key) instead of stdout')
    .option('--force', 'replace an existing --out file')
    .option('--compact', 'print JSON on one line')
    .addHelpText(
      'after',
      `${examples([
        [
          'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | jwkit convert --to jwk',
          'a PEM private key as a private JWK',
        ],
        ['jwkit convert key.json --to pem --private', 'a private JWK as PKCS#8 PEM'],
        ['jwkit convert key.json --to pem --public', 'the SPKI public key of a JWK'],
        [
          'jwkit convert chain.pem --to jwk',
          'a certificate chain as a public JWK with x5c, x5t and x5t#S256',
        ],
        ['jwkit convert keys.pem --to jwks', 'several PEM blocks as one JWK Set'],
      ])}
A JWK or PEM output keeps what the input holds (a private key stays private; --public strips
it). A JWK Set output is public unless --private is given, since sets are what gets published.`,
    )
    .action((file: string | undefined, opts: ConvertOptions) => convert(file, opts));
}

function checkOptions(opts: ConvertOptions): void {
  if (opts.private && opts.public) throw usageError('--private and --public contradict each other; pick one');
  if (opts.format !== undefined && opts.to !== 'pem') throw usageError('--format applies to --to pem only');
  if (opts.format === 'spki' && opts.private)
    throw usageError('--format spki holds a public key; drop --private');
  if (opts.out !== undefined && !opts.force && exists(opts.out)) {
    throw usageError(`${opts.out} already exists; pass --force to replace it`);
  }
}

async function convert(file: string | undefined, opts: ConvertOptions): Promise<void> {
  checkOptions(opts);
  const passphrase = opts.passphraseFile === undefined ? undefined : readSecretFile(opts.passphraseFile);
  const input = await readInput(file);
  const loaded = await loadKeys(input, passphrase === undefined ? {} : { passphrase });
  reportProblems(input.name, loaded.problems);
  if (loaded.skipped.length > 0) process.exitCode = EXIT.INVALID;

  let keys: JWK[] = loaded.keys;
  if (opts.to === 'jwk') keys = [onlyKey(loaded, 'use --to jwks to convert them all')];
  if (keys.length === 0) throw new CLIError('ERR_CLI_NO_KEY', 'the input holds no usable key');
  if (opts.private) {
    const pub = keys.find((k) => !isPrivate(k));
    if (pub) {
      throw new CLIError(
        'ERR_CLI_NOT_PRIVATE',
        `--private: the input holds a public key${pub.kid === undefined ? '' : ` (${pub.kid})`}, which has no private form`,
      );
    }
  }
  // A JWK Set is the form that gets published, so it is public unless --private asks otherwise
  // (DESIGN principle 3); a single JWK or PEM keeps what the input holds.
  const publicOnly = opts.public || opts.format === 'spki' || (opts.to === 'jwks' && !opts.private);
  if (publicOnly && keys.some((k) => k.kty === 'oct')) {
    throw new CLIError(
      'ERR_JWK_NO_PUBLIC_FORM',
      `an oct key is a shared secret with no public form; ${opts.public ? 'drop --public' : 'pass --private to output it'}`,
    );
  }
  if (publicOnly) keys = keys.map((k) => toPublic(k));

  let text: string;
  if (opts.to === 'pem') text = await toPEM(keys, opts.format, passphrase);
  else if (opts.to === 'jwks') text = toJSONText({ keys }, opts.compact);
  else text = toJSONText(keys[0], opts.compact);

  if (opts.out === undefined) {
    process.stdout.write(text);
    return;
  }
  const secret = keys.some((k) => isPrivate(k));
  writeFileAtomic(opts.out, text, { mode: secret ? PRIVATE_MODE : PUBLIC_MODE, exclusive: !opts.force });
}

async function toPEM(
  keys: readonly JWK[],
  format: ConvertOptions['format'],
  passphrase: string | undefined,
): Promise<string> {
  const { jwkToPEM } = await loadJwkit();
  let text = '';
  for (const key of keys) {
    if (key.kty === 'oct') {
      throw new CLIError('ERR_CLI_NO_PEM_FORM', 'an oct (symmetric) key has no PEM form; keep it as a JWK');
    }
    const priv = isPrivate(key);
    const fmt = format ?? (priv ? 'pkcs8' : 'spki');
    text += await jwkToPEM(key, { format: fmt, ...(priv && passphrase !== undefined && { passphrase }) });
  }
  return text;
}
