/**
 * `jwkit public`: the public form of a private key or set (DESIGN principle 3). oct keys have no
 * public form; a set holding one is refused unless `--skip-secret` drops it.
 */

import type { Command } from 'commander';
import type { JWK } from 'jwkit';
import { CLIError, EXIT } from '../exit.js';
import { examples } from '../help.js';
import { readInput } from '../io.js';
import { loadKeys } from '../keyfile.js';
import { loadJwkit } from '../lib.js';
import { printJSON, warn } from '../output.js';
import { reportProblems } from '../problems.js';

interface PublicOptions {
  pem?: boolean;
  skipSecret?: boolean;
  compact?: boolean;
}

export function register(program: Command): void {
  program
    .command('public')
    .description('print the public JWK (or JWK Set) of private keys; private members never appear')
    .argument('[file]', 'a JWK, JWK Set or PEM file; "-" or nothing reads stdin')
    .option('--pem', 'print SPKI PEM instead of JWK')
    .option('--skip-secret', 'leave oct (symmetric) keys out of a set instead of failing')
    .option('--compact', 'print JSON on one line')
    .addHelpText(
      'after',
      `${examples([
        ['jwkit public key.json > key.pub.json', 'the public half of a private JWK'],
        ['jwkit public private-set.json > jwks.json', 'a publishable set from a private set'],
        ['openssl genpkey -algorithm Ed25519 | jwkit public', 'the public JWK of a PEM private key'],
      ])}
An oct key is a shared secret: it has no public form, and \`public\` refuses it (exit 1).`,
    )
    .action((file: string | undefined, opts: PublicOptions) => publicCommand(file, opts));
}

async function publicCommand(file: string | undefined, opts: PublicOptions): Promise<void> {
  const input = await readInput(file);
  const loaded = await loadKeys(input);
  reportProblems(input.name, loaded.problems);
  const { toPublic } = await import('jwkit');
  let keys: JWK[] = loaded.keys;
  const secrets = keys.filter((k) => k.kty === 'oct');
  if (secrets.length > 0 && (loaded.format !== 'jwks' || !opts.skipSecret)) {
    const which = secrets
      .map((k) => (k.kid === undefined ? 'an oct key' : `oct key ${JSON.stringify(k.kid)}`))
      .join(', ');
    throw new CLIError(
      'ERR_JWK_NO_PUBLIC_FORM',
      `${which} is a shared secret with no public form; publishing it would publish the secret${
        loaded.format === 'jwks' ? ' (pass --skip-secret to leave oct keys out)' : ''
      }`,
    );
  }
  if (secrets.length > 0) {
    warn(`left out ${secrets.length} oct key${secrets.length > 1 ? 's' : ''} (--skip-secret)`);
    keys = keys.filter((k) => k.kty !== 'oct');
  }
  if (loaded.skipped.length > 0) process.exitCode = EXIT.INVALID;
  const publicKeys = keys.map((k) => toPublic(k));

  if (opts.pem) {
    const { jwkToPEM } = await loadJwkit();
    for (const k of publicKeys) process.stdout.write(await jwkToPEM(k, { format: 'spki' }));
    return;
  }
  if (loaded.format === 'jwks' || publicKeys.length !== 1) printJSON({ keys: publicKeys }, opts.compact);
  else printJSON(publicKeys[0], opts.compact);
}
