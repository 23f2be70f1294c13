/**
 * `jwkit serve`: the JWKS server with staged key rotation (@jwkit/server `serve`). Every option
 * comes from the one settings table (@jwkit/server/config), so `--help`, the environment
 * variables, the config file and docs/api/configuration.md list the same settings with the same
 * defaults. Runs until SIGTERM/SIGINT (graceful stop, exit 0); SIGHUP reloads.
 */

import { helpText, SETTINGS } from '@jwkit/server/config';
import type { Command } from 'commander';
import { Option } from 'commander';
import { CLIError, EXIT } from '../exit.js';
import { examples } from '../help.js';
import { loadServer } from '../server.js';

export function register(program: Command): void {
  const cmd = program
    .command('serve')
    .description(
      'serve /.well-known/jwks.json with automatic key rotation (SQLite by default, PostgreSQL for replicas)',
    );
  for (const s of SETTINGS) {
    if (s.flag === null) continue;
    // No commander defaults: a value given on the command line must be told apart from one left
    // out, which the environment, the config file or the default then fills (resolveConfig).
    const option = new Option(s.type === 'bool' ? s.flag : `${s.flag} ${s.arg ?? '<value>'}`, helpText(s));
    if (s.choices) option.choices(s.choices);
    cmd.addOption(option);
    if (s.key === 'web') cmd.addOption(new Option('--no-web', 'do not serve the web app'));
  }
  cmd
    .addHelpText(
      'after',
      `
Secrets are never flags: JWKIT_ADMIN_TOKEN, JWKIT_MASTER_KEY and JWKIT_STORE_PASSWORD come from
the environment (or --admin-token-file, --master-key-file, --store-password-file).
Precedence: flag > environment > --config file > default. All settings: docs/api/configuration.md.
${examples([
  ['jwkit serve', 'SQLite in ./.jwkit, ES256 and RS256 keys, http://127.0.0.1:8080 (admin: 127.0.0.1:8081)'],
  [
    'jwkit serve --algs ES256 --rotation-period 7d --issuer https://auth.example.com',
    'weekly ES256 rotation with discovery',
  ],
  [
    'JWKIT_MASTER_KEY=... jwkit serve --store postgres://jwkit@db/keys --host 0.0.0.0',
    'one of several replicas',
  ],
  [
    'jwkit serve --config /etc/jwkit/serve.json --tls-cert cert.pem --tls-key key.pem',
    'HTTPS; SIGHUP re-reads the files',
  ],
])}
Durations: a number with a unit, e.g. 90s, 15m, 12h, 30d.`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const server = await loadServer();
      const flags: Record<string, unknown> = {};
      for (const s of SETTINGS) if (s.flag !== null && opts[s.key] !== undefined) flags[s.key] = opts[s.key];
      const resolve = () => {
        try {
          return server.resolveConfig({ flags }).values;
        } catch (e) {
          // A bad value is a usage error (exit 2), named by its flag, variable or file key.
          if (e instanceof Error && (e as { code?: string }).code === 'ERR_CONFIG') {
            throw new CLIError('ERR_CONFIG', e.message, EXIT.USAGE, { cause: e });
          }
          throw e;
        }
      };
      const values = resolve();
      const version = (program as Command & { version(): string | undefined }).version();
      await server.serve({
        ...values,
        // The command is strict (issue 13.3): a missing store with a master key present is an
        // error unless --init; the library's serve() keeps creating stores by default.
        init: values.init === true,
        signals: true,
        ...(version === undefined ? {} : { version }),
        // SIGHUP: the config file and the environment as they are now; the flags stay.
        reload: () => resolve(),
      });
    });
}
