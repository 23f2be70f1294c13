/**
 * `jwkit serve`: the JWKS server with staged key rotation (src/server/serve.ts). Runs until
 * SIGINT/SIGTERM, then closes the store cleanly.
 */

import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { collectList, examples, positiveInt } from '../help.js';
import { loadServer } from '../server.js';

interface ServeCommandOptions {
  host: string;
  port: number;
  store?: string;
  schema?: string;
  algs?: string[];
  rotationPeriod?: string;
  prePublish?: string;
  maxTokenLifetime?: string;
  rsaBits?: number;
  cacheMaxAge?: string;
  issuer?: string;
  jwksUri?: string;
  adminTokenFile?: string;
  masterKeyFile?: string;
  web?: string | boolean;
  contentType?: 'jwk-set+json' | 'json';
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'serve /.well-known/jwks.json with automatic key rotation (SQLite by default, PostgreSQL for replicas)',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', port, 8080)
    .option(
      '--store <url>',
      'key store: sqlite:./path/keys.db or postgres://... (default sqlite:./.jwkit/keys.db)',
    )
    .option('--schema <name>', 'PostgreSQL schema (default public)')
    .option(
      '--algs <algs>',
      'signing algorithms to keep keys for, comma-separated (default ES256,RS256)',
      collectList,
    )
    .option('--rotation-period <duration>', 'how long a key signs before the next one takes over, e.g. 30d')
    .option('--pre-publish <duration>', 'how long a new key is published before it signs, e.g. 1d')
    .option(
      '--max-token-lifetime <duration>',
      'longest token lifetime; retired keys stay published this long, e.g. 1h',
    )
    .option('--rsa-bits <bits>', 'RSA modulus size for RS*/PS* keys (default 2048)', positiveInt)
    .option('--cache-max-age <duration>', 'longest Cache-Control max-age of the JWKS response (default 15m)')
    .option('--issuer <url>', 'serve /.well-known/openid-configuration for this issuer')
    .option('--jwks-uri <url>', 'the public jwks_uri to advertise (default: derived from the request)')
    .option(
      '--admin-token-file <file>',
      'enable /admin with the bearer token in FILE (or set JWKIT_ADMIN_TOKEN)',
    )
    .option(
      '--master-key-file <file>',
      'master key file (or set JWKIT_MASTER_KEY); created 0600 on first start',
    )
    .option('--web <dir>', 'directory of the built web app (default dist/web when present)')
    .option('--no-web', 'do not serve the web app')
    .addOption(new Option('--content-type <type>', 'JWKS media type').choices(['jwk-set+json', 'json']))
    .addHelpText(
      'after',
      `${examples([
        ['jwkit serve', 'SQLite in ./.jwkit, ES256 and RS256 keys, http://127.0.0.1:8080'],
        [
          'jwkit serve --algs ES256 --rotation-period 7d --issuer https://auth.example.com',
          'weekly ES256 rotation with discovery',
        ],
        [
          'JWKIT_MASTER_KEY=... jwkit serve --store postgres://jwkit@db/keys --host 0.0.0.0',
          'one of several replicas',
        ],
      ])}
Durations: a number with a unit, e.g. 90s, 15m, 12h, 30d.`,
    )
    .action(async (opts: ServeCommandOptions) => {
      const { serve } = await loadServer();
      await serve({
        host: opts.host,
        port: opts.port,
        signals: true,
        ...(opts.store !== undefined && { store: opts.store }),
        ...(opts.schema !== undefined && { schema: opts.schema }),
        ...(opts.algs !== undefined && { algs: opts.algs }),
        ...(opts.rotationPeriod !== undefined && { rotationPeriod: opts.rotationPeriod }),
        ...(opts.prePublish !== undefined && { prePublish: opts.prePublish }),
        ...(opts.maxTokenLifetime !== undefined && { maxTokenLifetime: opts.maxTokenLifetime }),
        ...(opts.rsaBits !== undefined && { rsaBits: opts.rsaBits }),
        ...(opts.cacheMaxAge !== undefined && { cacheMaxAge: opts.cacheMaxAge }),
        ...(opts.issuer !== undefined && { issuer: opts.issuer }),
        ...(opts.jwksUri !== undefined && { jwksUri: opts.jwksUri }),
        ...(opts.adminTokenFile !== undefined && { adminTokenFile: opts.adminTokenFile }),
        ...(opts.masterKeyFile !== undefined && { masterKeyFile: opts.masterKeyFile }),
        ...(opts.web === false && { webRoot: false as const }),
        ...(typeof opts.web === 'string' && { webRoot: opts.web }),
        ...(opts.contentType !== undefined && { contentType: opts.contentType }),
      });
    });
}
