/**
 * `jwkit inspect`: a report on a JWK, JWK Set, PEM, certificate or JWT, or a lint of a published
 * set at a URL. The work lives in ../inspect/ and loads only when the command runs.
 */

import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { EXIT } from '../exit.js';
import { examples, positiveInt } from '../help.js';

interface InspectCommandOptions {
  json?: boolean;
  strict?: boolean;
  published?: boolean;
  timeout: number;
  at?: Date;
  allowPrivate?: boolean;
}

function parseDate(value: string): Date {
  const d = new Date(/^\d+$/.test(value) ? Number(value) * 1000 : value);
  if (Number.isNaN(d.getTime()))
    throw new InvalidArgumentError('expected an ISO 8601 date or a Unix time in seconds');
  return d;
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description('report on keys, sets, PEM, certificates or a JWT; lint a published set at a URL')
    .argument(
      '[file|url]',
      'a file, "-" or nothing for stdin, or an http(s) URL of a JWK Set or discovery document',
    )
    .option('--json', 'print the report as JSON')
    .option('--strict', 'treat warnings as errors')
    .option(
      '--published',
      'lint a file as a published set (as for a URL: no private keys, kid/alg/use present)',
    )
    .option(
      '--at <date>',
      'check certificate validity at this time (ISO 8601 or Unix seconds); default: now for URLs',
      parseDate,
    )
    .option('--timeout <ms>', 'URL fetch deadline in milliseconds', positiveInt, 10_000)
    .option(
      '--allow-private',
      "also fetch loopback, private and link-local addresses that a discovery document or redirect points to (default: only the URL's own host)",
    )
    .addHelpText(
      'after',
      `${examples([
        ['jwkit inspect key.json', 'type, size, alg, use, kid, thumbprint and every problem of a key'],
        [
          'jwkit inspect https://login.example.com/.well-known/openid-configuration',
          "lint an issuer's published keys",
        ],
        ['jwkit inspect https://example.com/.well-known/jwks.json --strict', 'fail on warnings too (CI)'],
        ['jwkit inspect chain.pem', 'certificates: subject, issuer, validity'],
        ['echo "$TOKEN" | jwkit inspect --json', 'a JWT header and payload (not verified)'],
      ])}
Exit status: 0 when there is no error, 1 otherwise (with --strict warnings count as errors).`,
    )
    .action(async (target: string | undefined, opts: InspectCommandOptions) => {
      const { inspect } = await import('../inspect/run.js');
      const valid = await inspect(target, opts);
      if (!valid) process.exitCode = EXIT.INVALID;
    });
}
