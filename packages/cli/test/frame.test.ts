/**
 * The CLI frame, black-box: version, help for every command, exit codes of usage errors,
 * diagnostics on stderr without stack traces, colour rules.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jwkit, ROOT, STACK_TRACE, tempDir } from './helpers.js';

beforeAll(assertBuilt);

const version = (
  JSON.parse(readFileSync(join(ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }
).version;

const COMMANDS = [
  ['generate'],
  ['public'],
  ['inspect'],
  ['convert'],
  ['thumbprint'],
  ['set'],
  ['set', 'add'],
  ['set', 'remove'],
  ['set', 'list'],
  ['set', 'find'],
  ['jwt'],
  ['jwt', 'sign'],
  ['jwt', 'verify'],
  ['jwt', 'decode'],
  ['keys'],
  ['keys', 'list'],
  ['keys', 'rotate'],
  ['keys', 'import'],
  ['keys', 'revoke'],
  ['serve'],
];

describe('jwkit --version', () => {
  it.each([['--version'], ['-V']])('%s prints the package version and exits 0', async (flag) => {
    const r = await jwkit([flag]);
    expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('--help', () => {
  it('the top-level help lists every command and the exit codes', async () => {
    const r = await jwkit(['--help']);
    expect(r.code).toBe(0);
    for (const [name] of COMMANDS) expect(r.stdout).toContain(`  ${name}`);
    expect(r.stdout).toContain('Exit status: 0 ok, 1 invalid input or failed verification, 2 usage error');
  });

  it.each(COMMANDS.map((c) => [c.join(' '), c]))(
    'jwkit %s --help shows usage and examples',
    async (_, args) => {
      const r = await jwkit([...(args as string[]), '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Usage: jwkit /);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain('$ jwkit');
    },
  );

  it('`jwkit help generate` is the same as `jwkit generate --help`', async () => {
    const [a, b] = await Promise.all([jwkit(['help', 'generate']), jwkit(['generate', '--help'])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe('usage errors exit 2 with a message on stderr', () => {
  it.each([
    ['an unknown command', ['frobnicate']],
    ['an unknown option', ['generate', '--bogus']],
    ['a bad choice', ['generate', '--kty', 'DSA']],
    ['a missing required option', ['convert']],
    ['a missing argument', ['set', 'remove', '--set', 'x.json']],
    ['an extra argument', ['thumbprint', 'a', 'b']],
    ['a non-numeric size', ['generate', '--kty', 'RSA', '--size', 'big']],
    ['no command at all', []],
  ])('%s', async (_, args) => {
    const r = await jwkit(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('a missing input file is a usage error naming the file', async () => {
    const r = await jwkit(['thumbprint', '/nonexistent/key.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/key.json');
    expect(r.stderr).toContain('ENOENT');
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('a directory as input is a usage error', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = await jwkit(['thumbprint', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('EISDIR');
    } finally {
      cleanup();
    }
  });
});

describe('invalid input exits 1 with code and message, never a stack trace', () => {
  it.each([
    ['empty stdin', ['thumbprint'], '', 'ERR_CLI_EMPTY_INPUT'],
    ['text that is no key', ['thumbprint'], 'hello world', 'ERR_CLI_INPUT_FORMAT'],
    ['broken JSON', ['public'], '{"kty": "EC",', 'JSON_SYNTAX'],
    [
      'a JWK with a bad member',
      ['public'],
      '{"kty":"EC","crv":"P-256","x":"@@","y":"AA"}',
      'ERR_JWK_INVALID',
    ],
    [
      'a broken PEM',
      ['convert', '--to', 'jwk'],
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      '[ERR_',
    ],
  ])('%s', async (_, args, input, code) => {
    const r = await jwkit(args, { input });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('jwkit:');
    expect(r.stderr).toContain(code);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('colour', () => {
  const badKey = '{"kty":"EC","crv":"P-256","x":"@@","y":"AA"}';

  it('is off when output is not a terminal', async () => {
    const r = await jwkit(['public'], { input: badKey });
    expect(r.stderr).not.toContain('\u001b[');
  });

  it('FORCE_COLOR turns it on, NO_COLOR wins over FORCE_COLOR', async () => {
    const forced = await jwkit(['public'], { input: badKey, env: { FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain('\u001b[31m');
    const none = await jwkit(['public'], { input: badKey, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(none.stderr).not.toContain('\u001b[');
  });
});
