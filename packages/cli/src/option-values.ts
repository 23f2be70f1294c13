/**
 * Option values checked before any command runs (issue 13.14): a bad value is a usage error,
 * exit 2, printed as `jwkit: error: --flag: <what is wrong> [ERR_CLI_USAGE]` (docs/api/cli.md,
 * "Exit status"), the same for every command that has the option, instead of surfacing later
 * as the library's or the server's failure (exit 1). Commander's own parser errors (unknown
 * option, missing argument, a value a parser refused) get the same form in program.ts.
 *
 * The checks load the library only when such an option is given, so `--help` stays light.
 */

import type { Command } from 'commander';
import { usageError } from './exit.js';

/** A check returns what is wrong with the value, or `undefined` when it is fine. */
type Check = (value: unknown) => Promise<string | undefined>;

/** Comma-separated or repeated list values, as `collectList` or a plain string option gives them. */
function items(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((v) =>
    String(v)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
}

/** JWS signature algorithms from the registry, as `serve` and `keys` need them (RFC 7518 §3.1). */
const signatureAlgs: Check = async (value) => {
  const { getAlgorithm, ALGORITHMS } = await import('jwkit');
  for (const alg of items(value)) {
    const info = getAlgorithm(alg);
    if (info?.use === 'sig' && !info.deprecated) continue;
    if (info?.deprecated) return `${alg}: ${info.deprecated}`;
    const known = Object.values(ALGORITHMS)
      .filter((a) => a.use === 'sig' && !a.deprecated)
      .map((a) => a.alg);
    return `${JSON.stringify(alg)} is not a JWS signature algorithm; use one of ${known.join(', ')}`;
  }
  if (items(value).length === 0) return 'give at least one algorithm, e.g. ES256';
  return undefined;
};

/** A JWT duration (RFC 7519 NumericDate offsets): seconds, or a number with s/m/h/d/w. */
const tokenDuration: Check = async (value) => {
  const { seconds } = await import('jwkit/internal');
  try {
    seconds(String(value), 'the value');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.replace(/^the value must be/, 'expected') : String(err);
  }
};

/** Per command name, per option attribute: the checks. */
const CHECKS: Readonly<Record<string, Readonly<Record<string, Check>>>> = {
  serve: { algs: signatureAlgs },
  list: { algs: signatureAlgs },
  rotate: { algs: signatureAlgs, alg: signatureAlgs },
  import: { algs: signatureAlgs, alg: signatureAlgs },
  revoke: { algs: signatureAlgs },
  init: { algs: signatureAlgs },
  sign: { exp: tokenDuration, nbf: tokenDuration },
  verify: { clockTolerance: tokenDuration, maxAge: tokenDuration },
};

/** Throws `ERR_CLI_USAGE` (exit 2) for the first option given on the command line with a bad value. */
export async function checkOptionValues(command: Command): Promise<void> {
  const checks = CHECKS[command.name()];
  if (checks === undefined) return;
  const opts = command.opts() as Record<string, unknown>;
  for (const option of command.options) {
    const key = option.attributeName();
    const check = Object.hasOwn(checks, key) ? checks[key] : undefined;
    if (check === undefined || opts[key] === undefined) continue;
    const source = command.getOptionValueSource(key);
    if (source !== 'cli' && source !== 'env') continue;
    const problem = await check(opts[key]);
    if (problem !== undefined) throw usageError(`${option.long ?? option.flags}: ${problem}`);
  }
}
