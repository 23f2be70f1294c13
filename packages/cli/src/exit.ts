/**
 * Exit codes and the one place errors become messages. A user of the CLI never sees a stack
 * trace: a `JWKitError` prints as `jwkit: <source>: <message> [CODE]` plus its problems, anything
 * else as a short internal-error line (`JWKIT_DEBUG=1` prints the stack for bug reports).
 */

import type { Problem } from 'jwkit';
import { JWKitError } from 'jwkit';
import { formatProblem, styleFor } from './output.js';

export const EXIT = Object.freeze({
  /** Success: the input is valid, the token verified, the file was written. */
  OK: 0,
  /** The input is invalid, a check failed, or verification failed. */
  INVALID: 1,
  /** The command line is wrong: unknown option, missing argument, unreadable file. */
  USAGE: 2,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error raised by the CLI itself; `exitCode` says whether it is a usage error or a failure. */
export class CLIError extends JWKitError {
  readonly exitCode: ExitCode;

  constructor(
    code: string,
    message: string,
    exitCode: ExitCode = EXIT.INVALID,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.exitCode = exitCode;
  }
}

/** The command line asks for something impossible (conflicting or missing options). */
export function usageError(message: string): CLIError {
  return new CLIError('ERR_CLI_USAGE', message, EXIT.USAGE);
}

// Which input an error is about (a file name, `<stdin>`, a URL), kept beside the error rather
// than on it, since the errors come from other parts of the library.
const sources = new WeakMap<object, string>();

/** Runs `fn`, marking any error it throws as being about `source` (the innermost source wins). */
export async function inSource<T>(source: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (typeof err === 'object' && err !== null && !sources.has(err)) sources.set(err, source);
    throw err;
  }
}

interface SystemError {
  code: string;
  path?: string;
  message: string;
}

function isSystemError(err: unknown): err is SystemError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && 'syscall' in err;
}

const SYSTEM_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a component of the path is not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

/** Prints `err` to stderr and returns the exit code it maps to. */
export function reportError(err: unknown): ExitCode {
  const style = styleFor(process.stderr);
  const source = typeof err === 'object' && err !== null ? sources.get(err) : undefined;
  const prefix = `jwkit: ${source ? `${source}: ` : ''}`;
  const write = (line: string) => process.stderr.write(`${line}\n`);

  if (err instanceof JWKitError) {
    write(`${prefix}${style.red('error')}: ${err.message} ${style.dim(`[${err.code}]`)}`);
    const problems = (err as { problems?: readonly Problem[] }).problems;
    if (Array.isArray(problems) && problems.length > 1) {
      for (const p of problems) write(`  ${formatProblem(p, style)}`);
    }
    const nested = (err as { errors?: readonly unknown[] }).errors;
    if (Array.isArray(nested)) for (const e of nested) if (e instanceof Error) write(`  ${e.message}`);
    return err instanceof CLIError ? err.exitCode : EXIT.INVALID;
  }
  if (isSystemError(err)) {
    const what = SYSTEM_MESSAGES[err.code] ?? err.message;
    write(
      `${prefix}${style.red('error')}: ${err.path ? `${err.path}: ` : ''}${what} ${style.dim(`[${err.code}]`)}`,
    );
    return err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'ENOTDIR'
      ? EXIT.USAGE
      : EXIT.INVALID;
  }
  const message = err instanceof Error ? err.message : String(err);
  write(`${prefix}${style.red('internal error')}: ${message} ${style.dim('[ERR_CLI_INTERNAL]')}`);
  if (process.env.JWKIT_DEBUG && err instanceof Error && err.stack) write(err.stack);
  else write('  this is a bug in jwkit; rerun with JWKIT_DEBUG=1 and report the output');
  return EXIT.INVALID;
}
