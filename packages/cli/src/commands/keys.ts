/**
 * `jwkit keys list|rotate|import|revoke`: manage the keys of a `jwkit serve` store without the
 * HTTP admin API. Each command opens the store, acts in one transaction and closes it
 * (src/server/keys-command.ts); a running server picks the change up on its next poll.
 */

import type { Command } from 'commander';
import { collectList, examples } from '../help.js';
import { readInput } from '../io.js';
import { out, printJSON } from '../output.js';
import { loadServer } from '../server.js';

interface StoreOptions {
  store?: string;
  schema?: string;
  masterKeyFile?: string;
  algs?: string[];
  json?: boolean;
}

function storeOptions(command: Command): Command {
  return command
    .option(
      '--store <url>',
      'key store: sqlite:./path/keys.db or postgres://... (default sqlite:./.jwkit/keys.db)',
    )
    .option('--schema <name>', 'PostgreSQL schema (default public)')
    .option('--master-key-file <file>', 'master key file (or set JWKIT_MASTER_KEY)')
    .option(
      '--algs <algs>',
      'the algorithms the server is configured with, comma-separated (default ES256,RS256)',
      collectList,
    )
    .option('--json', 'print JSON');
}

const keysModule = loadServer;

function common(opts: StoreOptions) {
  return {
    ...(opts.store !== undefined && { store: opts.store }),
    ...(opts.schema !== undefined && { schema: opts.schema }),
    ...(opts.masterKeyFile !== undefined && { masterKeyFile: opts.masterKeyFile }),
    ...(opts.algs !== undefined && { algs: opts.algs }),
  };
}

export function register(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage the keys of a `jwkit serve` store: list, rotate, import, revoke')
    .addHelpText(
      'after',
      `${examples([
        ['jwkit keys list', 'the keys of ./.jwkit/keys.db with their states'],
        ['jwkit keys rotate --alg ES256', 'the next ES256 key starts signing now'],
        ['jwkit keys revoke 3kq8...', 'take a compromised key out of the JWKS at once'],
      ])}
Key states: next (published, not signing) -> current (signing) -> retired (published) -> removed; revoked at any time.`,
    );

  storeOptions(keys.command('list').description('list the keys of the store with their states and dates'))
    .addHelpText(
      'after',
      examples([['jwkit keys list --store postgres://jwkit@db/keys --json', 'the keys as JSON']]),
    )
    .action(async (opts: StoreOptions) => {
      const { keysList, formatKeys } = await keysModule();
      const list = await keysList(common(opts));
      if (opts.json) printJSON(list);
      else out(formatKeys(list));
    });

  storeOptions(
    keys
      .command('rotate')
      .description('rotate now: the next key of an algorithm (or of every algorithm) starts signing')
      .option('--alg <alg>', 'rotate this algorithm only'),
  )
    .addHelpText(
      'after',
      examples([['jwkit keys rotate --store postgres://jwkit@db/keys', 'rotate every algorithm']]),
    )
    .action(async (opts: StoreOptions & { alg?: string }) => {
      const { keysRotate, formatKeys } = await keysModule();
      const rotated = await keysRotate({ ...common(opts), ...(opts.alg !== undefined && { alg: opts.alg }) });
      if (opts.json) printJSON(rotated);
      else out(formatKeys(rotated));
    });

  storeOptions(
    keys
      .command('import')
      .description('import a private key (JWK or PEM) as the next key of its algorithm')
      .argument('[file]', 'the private key; "-" or nothing reads stdin')
      .option('--alg <alg>', "the algorithm the key signs with (default: the key's alg)")
      .option('--activate', 'make it the current (signing) key at once'),
  )
    .addHelpText(
      'after',
      examples([['jwkit keys import key.pem --alg ES256 --activate', 'bring an existing key in']]),
    )
    .action(async (file: string | undefined, opts: StoreOptions & { alg?: string; activate?: boolean }) => {
      const input = await readInput(file);
      const { keysImport, formatKeys } = await keysModule();
      const info = await keysImport({
        ...common(opts),
        input: input.text,
        ...(opts.alg !== undefined && { alg: opts.alg }),
        ...(opts.activate && { activate: true }),
      });
      if (opts.json) printJSON(info);
      else out(formatKeys([info]));
    });

  storeOptions(
    keys
      .command('revoke')
      .description('revoke a key: it leaves the published set at once; a revoked signing key is replaced')
      .argument('<kid>', 'the kid of the key to revoke'),
  )
    .addHelpText(
      'after',
      examples([['jwkit keys revoke 3kq8... --store sqlite:./.jwkit/keys.db', 'revoke a key now']]),
    )
    .action(async (kid: string, opts: StoreOptions) => {
      const { keysRevoke, formatKeys } = await keysModule();
      const info = await keysRevoke({ ...common(opts), kid });
      if (opts.json) printJSON(info);
      else out(formatKeys([info]));
    });
}
