/**
 * The `jwkit` executable (bundled to dist/cli.js). This entry stays tiny: `jwkit --version`
 * answers from here without loading the argument parser or any crypto, so it starts about as
 * fast as `node -e 0`; everything else loads the command table, and each command loads the
 * library modules it needs when it runs.
 */

import { readFileSync } from 'node:fs';

// EPIPE on stdout means the reader went away (`jwkit ... | head`); that is a normal end.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

/** The package version, read from the package.json next to dist/ (or the repository root). */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${version()}\n`);
} else {
  const { run } = await import('./program.js');
  process.exitCode = await run(argv, version());
}
