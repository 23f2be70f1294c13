/**
 * `jwkit thumbprint`: the RFC 7638 thumbprint (or RFC 9278 thumbprint URI) of a key, or of each
 * key of a set. Private and public halves of a key have the same thumbprint (RFC 7638 §3.2.1).
 */

import type { Command } from 'commander';
import { Option } from 'commander';
import type { JWK } from 'jwkit';
import { CLIError, EXIT } from '../exit.js';
import { examples } from '../help.js';
import { readInput } from '../io.js';
import { loadKeys } from '../keyfile.js';
import { loadJwkit } from '../lib.js';
import { out, printJSON } from '../output.js';
import { reportProblems } from '../problems.js';

const HASHES = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;

interface ThumbprintOptions {
  hash: keyof typeof HASHES;
  uri?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('thumbprint')
    .description('print the RFC 7638 thumbprint of a key (one line per key for a set)')
    .argument('[file]', 'a JWK, JWK Set or PEM file; "-" or nothing reads stdin')
    .addOption(new Option('--hash <hash>', 'hash function').choices(Object.keys(HASHES)).default('sha256'))
    .option('--uri', 'print the RFC 9278 thumbprint URI (urn:ietf:params:oauth:jwk-thumbprint:...)')
    .option('--json', 'print JSON: [{ kid, thumbprint, uri? }]')
    .addHelpText(
      'after',
      examples([
        ['jwkit thumbprint key.json', 'the SHA-256 thumbprint (the usual kid)'],
        ['jwkit thumbprint --uri --hash sha384 key.pem', 'an RFC 9278 URI from a PEM key'],
        [
          'curl -s https://example.com/jwks.json | jwkit thumbprint',
          'thumbprints of a published set, with kids',
        ],
      ]),
    )
    .action((file: string | undefined, opts: ThumbprintOptions) => thumbprintCommand(file, opts));
}

async function thumbprintCommand(file: string | undefined, opts: ThumbprintOptions): Promise<void> {
  const input = await readInput(file);
  const loaded = await loadKeys(input);
  reportProblems(input.name, loaded.problems);
  const { thumbprint, thumbprintURI } = await loadJwkit();
  const hash = HASHES[opts.hash];
  const rows = loaded.keys.map((jwk: JWK) => ({
    ...(jwk.kid !== undefined && { kid: jwk.kid }),
    thumbprint: thumbprint(jwk, hash),
    ...(opts.uri && { uri: thumbprintURI(jwk, hash) }),
  }));
  // A set with a key that could not be read is a failure, even though the others are printed.
  if (loaded.skipped.length > 0) process.exitCode = EXIT.INVALID;
  if (rows.length === 0) throw new CLIError('ERR_CLI_NO_KEY', 'the input holds no usable key');
  if (opts.json) return printJSON(rows);
  const value = (r: (typeof rows)[number]) => (opts.uri ? r.uri! : r.thumbprint);
  if (loaded.format === 'jwk' || rows.length === 1) return out(value(rows[0]!));
  for (const r of rows) out(r.kid === undefined ? value(r) : `${value(r)}  ${r.kid}`);
}
