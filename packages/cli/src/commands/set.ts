/**
 * `jwkit set add|remove|list|find`: edit a JWK Set file in place. Every edit runs under a lock
 * file and replaces the file atomically, so concurrent edits never lose a key and a crash never
 * leaves half a set. Keys already in the file are kept byte-for-byte as JSON values (only the
 * added or removed keys change), so an edit never "fixes" or drops a key it did not touch.
 */

import type { Command } from 'commander';
import { algorithmAllowsKey, getAlgorithm, isPrivate, type JWK, JWKError, type Kty } from 'jwkit';
import { CLIError, EXIT, inSource, usageError } from '../exit.js';
import { examples } from '../help.js';
import {
  exists,
  fileMode,
  MAX_INPUT_BYTES,
  PRIVATE_MODE,
  PUBLIC_MODE,
  readInput,
  withFileLock,
  writeFileAtomic,
} from '../io.js';
import { loadKeys } from '../keyfile.js';
import { loadJwkit } from '../lib.js';
import { note, out, printJSON, styleFor, table, toJSONText } from '../output.js';
import { reportProblems } from '../problems.js';

interface SetFileOption {
  set: string;
}

export function register(program: Command): void {
  const set = program
    .command('set')
    .description('edit a JWK Set file in place: add, remove, list and find keys')
    .addHelpText(
      'after',
      examples([
        [
          'jwkit generate --alg ES256 | jwkit public | jwkit set add --set jwks.json',
          'publish a new public key',
        ],
        ['jwkit set list --set jwks.json', 'what the set holds'],
        ['jwkit set remove --set jwks.json 3kq8...', 'retire a key by kid'],
      ]),
    );

  set
    .command('add')
    .description('add keys (a JWK, a JWK Set or PEM) to a set file, creating it when missing')
    .requiredOption('--set <file>', 'the JWK Set file to edit')
    .argument('[keyfile]', 'the key(s) to add; "-" or nothing reads stdin')
    .option('--private', 'allow private members (the set file is then written 0600)')
    .option('--replace', 'replace keys that have the same kid instead of failing')
    .addHelpText(
      'after',
      `${examples([
        ['jwkit set add --set jwks.json key.pub.json', 'add a public key'],
        ['jwkit convert cert.pem --to jwk | jwkit set add --set jwks.json', 'add a certificate key with x5c'],
        ['jwkit set add --set private.json --private key.json', 'keep a private set (mode 0600)'],
      ])}
A key without kid gets its RFC 7638 thumbprint as kid. Private members are refused unless --private.`,
    )
    .action((file: string | undefined, opts: SetFileOption & { private?: boolean; replace?: boolean }) =>
      addCommand(file, opts),
    );

  set
    .command('remove')
    .description('remove the keys with a kid from a set file')
    .requiredOption('--set <file>', 'the JWK Set file to edit')
    .argument('<kid>', 'the kid of the key(s) to remove')
    .addHelpText(
      'after',
      examples([['jwkit set remove --set jwks.json old-key-2024', 'remove key "old-key-2024"']]),
    )
    .action((kid: string, opts: SetFileOption) => removeCommand(kid, opts));

  set
    .command('list')
    .description('list the keys of a set file: kid, type, size or curve, alg, use, thumbprint')
    .requiredOption('--set <file>', 'the JWK Set file to read ("-" reads stdin)')
    .option('--json', 'print JSON: one object per key')
    .addHelpText('after', examples([['jwkit set list --set jwks.json --json', 'key summaries as JSON']]))
    .action((opts: SetFileOption & { json?: boolean }) => listCommand(opts));

  set
    .command('find')
    .description('print the keys of a set file that match: a JWK for --kid/--thumbprint, else a JWK Set')
    .requiredOption('--set <file>', 'the JWK Set file to read ("-" reads stdin)')
    .option('--kid <kid>', 'the key with this kid')
    .option('--thumbprint <tp>', 'the key with this RFC 7638 SHA-256 thumbprint (or RFC 9278 URI)')
    .option('--alg <alg>', 'keys for this algorithm: alg equal, or no alg and a key that fits it')
    .option('--use <use>', 'keys with this use (or no use)')
    .option('--kty <kty>', 'keys of this type')
    .option('--compact', 'print JSON on one line')
    .addHelpText(
      'after',
      `${examples([
        ['jwkit set find --set jwks.json --kid 2024-05', 'the key with kid 2024-05'],
        ['jwkit set find --set jwks.json --alg RS256', 'every key that can verify RS256'],
      ])}
Exit status 1 when nothing matches, or when --kid/--thumbprint match several keys.`,
    )
    .action((opts: SetFileOption & FindOptions) => findCommand(opts));
}

// ----- the set file -----

interface SetDocument {
  /** The parsed document; `keys` holds the raw key objects, untouched. */
  doc: Record<string, unknown> & { keys: unknown[] };
}

async function readSetFile(path: string, allowMissing: boolean): Promise<SetDocument> {
  if (allowMissing && path !== '-' && !exists(path)) return { doc: { keys: [] } };
  const input = await readInput(path);
  return inSource(input.name, async () => {
    const { parseJSON } = await import('jwkit');
    const { value, problems } = parseJSON(input.text, { maxLength: MAX_INPUT_BYTES });
    if (problems.some((p) => p.severity === 'error')) {
      throw new JWKError(problems);
    }
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      !Array.isArray((value as { keys?: unknown }).keys)
    ) {
      throw new CLIError(
        'ERR_CLI_NOT_A_SET',
        'not a JWK Set: expected a JSON object with a "keys" array (RFC 7517 §5)',
      );
    }
    return { doc: value as SetDocument['doc'] };
  });
}

function writeSetFile(path: string, set: SetDocument): void {
  const secret = set.doc.keys.some((k) => typeof k === 'object' && k !== null && isPrivate(k as JWK));
  // Keep the file's mode, but never leave private keys readable by others.
  const mode = secret ? PRIVATE_MODE : (fileMode(path) ?? PUBLIC_MODE);
  writeFileAtomic(path, toJSONText(set.doc), { mode });
}

function kidOf(k: unknown): string | undefined {
  const kid = typeof k === 'object' && k !== null ? (k as { kid?: unknown }).kid : undefined;
  return typeof kid === 'string' ? kid : undefined;
}

// ----- add / remove -----

async function addCommand(
  file: string | undefined,
  opts: SetFileOption & { private?: boolean; replace?: boolean },
) {
  if (opts.set === '-') throw usageError('--set must name a file to edit, not stdin');
  const input = await readInput(file);
  const loaded = await loadKeys(input);
  reportProblems(input.name, loaded.problems);
  if (loaded.skipped.length > 0) {
    throw new CLIError(
      'ERR_CLI_INVALID_KEYS',
      `${loaded.skipped.length} key(s) of ${input.name} are invalid; nothing was added`,
    );
  }
  if (loaded.keys.length === 0) throw new CLIError('ERR_CLI_NO_KEY', `${input.name} holds no key to add`);
  const secret = loaded.keys.find((k) => isPrivate(k));
  if (secret && !opts.private) {
    throw new CLIError(
      'ERR_CLI_PRIVATE_KEY',
      `${secret.kid ?? 'a key'} has private members; add its public form (\`jwkit public\`), or pass --private to keep a private set`,
    );
  }
  const { thumbprint } = await loadJwkit();
  const keys = loaded.keys.map((k) => {
    if (k.kid !== undefined) return k;
    const kid = thumbprint(k);
    note(`jwkit: no kid; using the RFC 7638 thumbprint ${kid}`);
    return { ...k, kid } as JWK;
  });

  await withFileLock(opts.set, async () => {
    const set = await readSetFile(opts.set, true);
    const present = new Map<string, string>();
    for (const k of set.doc.keys) {
      try {
        present.set(thumbprint(k as JWK), kidOf(k) ?? '(no kid)');
      } catch {} // A broken key already in the file is not ours to judge here.
    }
    for (const k of keys) {
      const same = present.get(thumbprint(k));
      if (same !== undefined && !(opts.replace && same === k.kid)) {
        throw new CLIError('ERR_CLI_DUPLICATE_KEY', `the set already holds this key (kid ${same})`);
      }
      const clash = set.doc.keys.some((existing) => kidOf(existing) === k.kid);
      if (clash && !opts.replace) {
        throw new CLIError(
          'ERR_CLI_DUPLICATE_KID',
          `the set already holds a key with kid ${JSON.stringify(k.kid)}; pass --replace to replace it`,
        );
      }
    }
    const kids = new Set(keys.map((k) => k.kid));
    if (opts.replace) set.doc.keys = set.doc.keys.filter((k) => !kids.has(kidOf(k)));
    set.doc.keys.push(...keys);
    writeSetFile(opts.set, set);
  });
  note(`jwkit: added ${keys.map((k) => k.kid).join(', ')} to ${opts.set}`);
}

async function removeCommand(kid: string, opts: SetFileOption): Promise<void> {
  if (opts.set === '-') throw usageError('--set must name a file to edit, not stdin');
  const removed = await withFileLock(opts.set, async () => {
    const set = await readSetFile(opts.set, false);
    const before = set.doc.keys.length;
    set.doc.keys = set.doc.keys.filter((k) => kidOf(k) !== kid);
    const count = before - set.doc.keys.length;
    if (count > 0) writeSetFile(opts.set, set);
    return count;
  });
  if (removed === 0)
    throw new CLIError('ERR_CLI_KID_NOT_FOUND', `no key with kid ${JSON.stringify(kid)} in ${opts.set}`);
  note(
    `jwkit: removed ${removed} key${removed > 1 ? 's' : ''} with kid ${JSON.stringify(kid)} from ${opts.set}`,
  );
}

// ----- list / find -----

async function readValidSet(path: string) {
  const input = await readInput(path);
  return inSource(input.name, async () => {
    const { validateJWKSet } = await loadJwkit();
    const report = validateJWKSet(input.text, { maxLength: MAX_INPUT_BYTES });
    if (report.keys.length === 0 && report.skipped.length === 0 && !report.valid) {
      throw new JWKError(report.problems);
    }
    reportProblems(input.name, report.problems);
    if (report.skipped.length > 0) process.exitCode = EXIT.INVALID;
    return report;
  });
}

async function listCommand(opts: SetFileOption & { json?: boolean }): Promise<void> {
  const report = await readValidSet(opts.set);
  const [{ thumbprint }, { describeKey }] = await Promise.all([loadJwkit(), import('../summary.js')]);
  const rows = report.keys.map((k) => ({ ...describeKey(k), thumbprint: thumbprint(k) }));
  if (opts.json) return printJSON(rows);
  const style = styleFor(process.stdout);
  const lines = table(
    [
      ['KID', 'KTY', 'SIZE', 'ALG', 'USE', 'PRIVATE', 'THUMBPRINT'],
      ...rows.map((r) => [
        r.kid ?? '-',
        r.kty,
        r.size,
        r.alg ?? '-',
        r.use ?? '-',
        r.private ? 'yes' : 'no',
        r.thumbprint,
      ]),
    ],
    style,
  );
  for (const line of lines) out(line);
  if (report.skipped.length > 0)
    out(`(${report.skipped.length} invalid key(s) not listed; see the problems above)`);
}

interface FindOptions {
  kid?: string;
  thumbprint?: string;
  alg?: string;
  use?: string;
  kty?: string;
  compact?: boolean;
}

async function findCommand(opts: SetFileOption & FindOptions): Promise<void> {
  if ([opts.kid, opts.thumbprint, opts.alg, opts.use, opts.kty].every((v) => v === undefined)) {
    throw usageError('say what to find: --kid, --thumbprint, --alg, --use or --kty');
  }
  const info = opts.alg === undefined ? undefined : getAlgorithm(opts.alg);
  if (opts.alg !== undefined && !info) throw usageError(`unknown --alg ${JSON.stringify(opts.alg)}`);
  const report = await readValidSet(opts.set);
  const [{ thumbprint }, { describeKey }] = await Promise.all([loadJwkit(), import('../summary.js')]);
  const wanted = opts.thumbprint?.replace(/^urn:ietf:params:oauth:jwk-thumbprint:sha-256:/, '');
  const matches = report.keys.filter((k) => {
    if (opts.kid !== undefined && k.kid !== opts.kid) return false;
    if (wanted !== undefined && thumbprint(k) !== wanted) return false;
    if (opts.kty !== undefined && k.kty !== opts.kty) return false;
    if (opts.use !== undefined && k.use !== undefined && k.use !== opts.use) return false;
    if (info) {
      if (k.alg !== undefined) return k.alg === info.alg;
      const d = describeKey(k);
      return algorithmAllowsKey(info, k.kty as Kty, d.crv, d.bits) === undefined;
    }
    return true;
  });
  const single = opts.kid !== undefined || opts.thumbprint !== undefined;
  if (matches.length === 0) throw new CLIError('ERR_CLI_NO_MATCH', `no key in ${opts.set} matches`);
  if (single && matches.length > 1) {
    throw new CLIError(
      'ERR_CLI_AMBIGUOUS',
      `${matches.length} keys match; narrow it with --alg or --thumbprint`,
    );
  }
  printJSON(single ? matches[0] : { keys: matches }, opts.compact);
}
