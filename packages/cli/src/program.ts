/**
 * The command table. Each command lives in its own file under commands/ and registers its
 * options, help text and action here; the action imports the library modules it needs lazily,
 * so parsing the command line costs only the parser.
 */

import { Command, CommanderError } from 'commander';
import { register as registerConvert } from './commands/convert.js';
import { register as registerGenerate } from './commands/generate.js';
import { register as registerInspect } from './commands/inspect.js';
import { register as registerJWT } from './commands/jwt.js';
import { register as registerKeys } from './commands/keys.js';
import { register as registerPublic } from './commands/public.js';
import { register as registerServe } from './commands/serve.js';
import { register as registerSet } from './commands/set.js';
import { register as registerThumbprint } from './commands/thumbprint.js';
import { EXIT, reportError } from './exit.js';
import { examples } from './help.js';
import { checkOptionValues } from './option-values.js';
import { styleFor } from './output.js';

export function createProgram(version: string): Command {
  const errStyle = styleFor(process.stderr);
  const program = new Command('jwkit')
    .description('The JSON Web Key toolkit: generate, inspect, convert and publish JWKs and JWK Sets')
    .version(version, '-V, --version', 'print the jwkit version')
    .helpOption('-h, --help', 'show help for a command')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    // Parser errors in the documented form, `jwkit: error: <what> [ERR_CLI_USAGE]` (exit 2);
    // commander's hint line after them is passed through.
    .configureOutput({
      outputError: (text, write) =>
        write(
          text.startsWith('error: ')
            ? `jwkit: ${errStyle.red('error')}: ${text.slice('error: '.length).trimEnd()} ${errStyle.dim('[ERR_CLI_USAGE]')}\n`
            : text,
        ),
    })
    .hook('preAction', (_program, action) => checkOptionValues(action))
    .addHelpText(
      'after',
      `${examples([
        [
          'jwkit generate --kty EC --out key.json --public-out key.pub.json',
          'a P-256 signing key and its public half',
        ],
        [
          'jwkit inspect https://example.com/.well-known/openid-configuration',
          "lint an issuer's published keys",
        ],
        ['openssl genpkey -algorithm Ed25519 | jwkit convert --to jwk', 'a PEM private key as a JWK'],
        [
          'jwkit jwt verify "$TOKEN" --jwks https://example.com/jwks.json',
          'verify a token against a remote set',
        ],
      ])}
Input is a FILE argument, "-" or stdin. Results go to stdout, diagnostics to stderr.
Exit status: 0 ok, 1 invalid input or failed verification, 2 usage error.
Colour is used on terminals only; set NO_COLOR to turn it off.`,
    );

  registerGenerate(program);
  registerPublic(program);
  registerInspect(program);
  registerConvert(program);
  registerThumbprint(program);
  registerSet(program);
  registerJWT(program);
  registerKeys(program);
  registerServe(program);
  return program;
}

/** Parses `argv` (without node and script), runs the command and returns the exit code. */
export async function run(argv: readonly string[], version: string): Promise<number> {
  const program = createProgram(version);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    // Commander has already printed its message (or the help / version it was asked for).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    return reportError(err);
  }
}
