/**
 * `jwkit keys list|rotate|import|revoke|init|policy|audit|backup|restore|rekey`: manage the keys
 * of a `jwkit serve` store without the HTTP admin API. Each command opens the store, acts in one
 * transaction and closes it (packages/server/src/keys-command.ts); a running server picks the
 * change up on its next poll. Read-only commands (list, policy show, audit, backup) create
 * nothing; writing commands schedule from the policy stored in the store.
 */

import { SETTINGS } from '@jwkit/server/config';
import type { Command } from 'commander';
import { collectList, examples } from '../help.js';
import { readInput } from '../io.js';
import { note, out, printJSON } from '../output.js';
import { loadServer } from '../server.js';

interface StoreOptions {
  store?: string;
  pkcs11?: string;
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
      "the algorithms you expect the store's policy to have (refused when it differs; default: not checked)",
      collectList,
    )
    .option('--json', 'print JSON');
}

const PKCS11 = SETTINGS.find((s) => s.key === 'pkcs11')!;

/** `--pkcs11 <uri>` (env JWKIT_PKCS11_URI, read by the server layer): the token the store's keys live in. */
const PKCS11_FLAG = `${PKCS11.flag} ${PKCS11.arg}`;
const PKCS11_HELP = `the PKCS#11 token the store's keys live in (or set ${PKCS11.env}): rotate makes new keys in it, revoke destroys the key's object`;

interface PolicyOptions {
  algs?: string[];
  rotationPeriod?: string;
  prePublish?: string;
  maxTokenLifetime?: string;
  rsaBits?: string;
  cacheMaxAge?: string;
  staleWhileRevalidate?: string;
  skew?: string;
}

function policyOptions(command: Command): Command {
  return command
    .option('--rotation-period <duration>', 'how long a key signs, e.g. 30d')
    .option('--pre-publish <duration>', 'how long a key is published before it signs, e.g. 2d')
    .option('--max-token-lifetime <duration>', 'the longest token lifetime, e.g. 1h')
    .option('--rsa-bits <bits>', 'RSA modulus size for RS*/PS* keys')
    .option('--cache-max-age <duration>', 'longest max-age of a JWKS response, e.g. 15m')
    .option('--stale-while-revalidate <duration>', 'stale-while-revalidate of a JWKS response, e.g. 1m')
    .option('--skew <duration>', 'allowance for clock skew and replica delay, e.g. 1m');
}

function policyFlags(opts: PolicyOptions) {
  const flags: Record<string, unknown> = {};
  if (opts.algs !== undefined) flags.algs = opts.algs;
  for (const k of [
    'rotationPeriod',
    'prePublish',
    'maxTokenLifetime',
    'cacheMaxAge',
    'staleWhileRevalidate',
    'skew',
  ] as const) {
    if (opts[k] !== undefined) flags[k] = opts[k];
  }
  if (opts.rsaBits !== undefined) flags.rsaBits = Number(opts.rsaBits);
  return flags;
}

const keysModule = loadServer;

function common(opts: StoreOptions) {
  return {
    ...(opts.store !== undefined && { store: opts.store }),
    ...(opts.schema !== undefined && { schema: opts.schema }),
    ...(opts.masterKeyFile !== undefined && { masterKeyFile: opts.masterKeyFile }),
    ...(opts.algs !== undefined && { algs: opts.algs }),
    ...(opts.pkcs11 !== undefined && { pkcs11: opts.pkcs11 }),
  };
}

function storeOnly(opts: StoreOptions) {
  return {
    ...(opts.store !== undefined && { store: opts.store }),
    ...(opts.schema !== undefined && { schema: opts.schema }),
    ...(opts.masterKeyFile !== undefined && { masterKeyFile: opts.masterKeyFile }),
  };
}

export function register(program: Command): void {
  const keys = program
    .command('keys')
    .description(
      'manage the keys of a `jwkit serve` store: list, rotate, import, revoke, init, policy, audit, backup, restore, rekey',
    )
    .addHelpText(
      'after',
      `${examples([
        ['jwkit keys list', 'the keys of ./.jwkit/keys.db with their states'],
        ['jwkit keys rotate --alg ES256', 'the next ES256 key starts signing now'],
        ['jwkit keys revoke 3kq8...', 'take a compromised key out of the JWKS at once'],
        ['jwkit keys policy show', 'the rotation policy stored in the store'],
        [
          'jwkit keys backup --out keys.backup --passphrase-file pass.txt',
          'an encrypted backup of the whole store',
        ],
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
      .option('--alg <alg>', 'rotate this algorithm only')
      .option(PKCS11_FLAG, PKCS11_HELP),
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
      .option('--activate', 'make it the current (signing) key at once')
      .option(PKCS11_FLAG, PKCS11_HELP),
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
      .argument('<kid>', 'the kid of the key to revoke')
      .option(PKCS11_FLAG, PKCS11_HELP),
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

  storeOptions(
    policyOptions(
      keys
        .command('init')
        .description('create a new store on purpose: its policy (from the flags), master key and first keys'),
    ),
  )
    .addHelpText(
      'after',
      examples([
        [
          'jwkit keys init --store sqlite:./.jwkit/keys.db --algs ES256 --max-token-lifetime 12h',
          'a new store',
        ],
      ]),
    )
    .action(async (opts: StoreOptions & PolicyOptions) => {
      const { keysInit, formatKeys, formatPolicy } = await keysModule();
      const made = await keysInit({ ...storeOnly(opts), policy: policyFlags(opts) });
      if (opts.json) printJSON({ policy: made.policy, keys: made.keys });
      else out(`${formatPolicy(made.policy)}\n${formatKeys(made.keys)}`);
    });

  const policy = keys.command('policy').description('show or change the rotation policy stored in the store');
  storeOptions(policy.command('show').description('print the stored policy (read-only)')).action(
    async (opts: StoreOptions) => {
      const { keysPolicyShow, formatPolicy, describePolicy } = await keysModule();
      const p = await keysPolicyShow(storeOnly(opts));
      if (opts.json) printJSON(p === null ? null : describePolicy(p));
      else out(formatPolicy(p));
    },
  );
  storeOptions(
    policyOptions(
      policy
        .command('set')
        .description(
          'change the stored policy on purpose; fields not given are kept. Shorter lifetimes keep old keys published as long as their tokens can be valid',
        ),
    ),
  )
    .addHelpText(
      'after',
      examples([
        [
          'jwkit keys policy set --max-token-lifetime 12h --rotation-period 1d',
          'every writer schedules from this',
        ],
        ['jwkit keys policy set --algs ES256', 'drop RS256: its keys are retired, not removed'],
      ]),
    )
    .action(async (opts: StoreOptions & PolicyOptions) => {
      const { keysPolicySet, formatPolicy, describePolicy } = await keysModule();
      const { after } = await keysPolicySet({ ...storeOnly(opts), policy: policyFlags(opts) });
      if (opts.json) printJSON(describePolicy(after));
      else out(formatPolicy(after));
    });

  storeOptions(
    keys
      .command('audit')
      .description(
        'list the audit trail of the store: key events, admin calls, failed admin logins (read-only)',
      )
      .option('--kid <kid>', 'only the entries of this key')
      .option('--after <id>', 'only entries after this id')
      .option('--limit <n>', 'at most this many (the newest), default 1000'),
  )
    .addHelpText('after', examples([['jwkit keys audit --store postgres://jwkit@db/keys --json', 'as JSON']]))
    .action(async (opts: StoreOptions & { kid?: string; after?: string; limit?: string }) => {
      const { keysAudit, formatAudit } = await keysModule();
      const entries = await keysAudit({
        ...storeOnly(opts),
        ...(opts.kid !== undefined && { kid: opts.kid }),
        ...(opts.after !== undefined && { after: Number(opts.after) }),
        ...(opts.limit !== undefined && { limit: Number(opts.limit) }),
      });
      if (opts.json) printJSON(entries);
      else out(formatAudit(entries));
    });

  storeOptions(
    keys
      .command('backup')
      .description(
        'write every key (state, schedule, private material), the policy and the audit trail to one file encrypted to a passphrase',
      )
      .requiredOption('--out <file>', 'the backup file to write (never overwritten; mode 0600)')
      .option('--passphrase-file <file>', 'file holding the passphrase (or set JWKIT_BACKUP_PASSPHRASE)'),
  )
    .addHelpText(
      'after',
      examples([
        [
          'jwkit keys backup --store sqlite:./.jwkit/keys.db --out keys.backup --passphrase-file pass.txt',
          '',
        ],
      ]),
    )
    .action(async (opts: StoreOptions & { out: string; passphraseFile?: string }) => {
      const { keysBackup, readPassphrase } = await keysModule();
      const passphrase = await readPassphrase(opts.passphraseFile);
      const r = await keysBackup({ ...storeOnly(opts), out: opts.out, passphrase });
      if (opts.json) printJSON(r);
      else note(`jwkit keys: wrote ${r.keys} keys to ${r.file}`);
    });

  storeOptions(
    keys
      .command('restore')
      .description('fill an empty store (SQLite or PostgreSQL) from a backup, in one transaction')
      .argument('<file>', 'the backup file')
      .option('--passphrase-file <file>', 'file holding the passphrase (or set JWKIT_BACKUP_PASSPHRASE)'),
  )
    .addHelpText(
      'after',
      examples([
        [
          'jwkit keys restore keys.backup --store postgres://jwkit@db/keys --passphrase-file pass.txt',
          'move from SQLite to PostgreSQL',
        ],
      ]),
    )
    .action(async (file: string, opts: StoreOptions & { passphraseFile?: string }) => {
      const { keysRestore, readPassphrase } = await keysModule();
      const passphrase = await readPassphrase(opts.passphraseFile);
      const r = await keysRestore({ ...storeOnly(opts), file, passphrase });
      if (opts.json) printJSON(r);
      else note(`jwkit keys: restored ${r.keys} keys; signing: ${r.current.join(', ') || '-'}`);
    });

  storeOptions(
    keys
      .command('rekey')
      .description('re-encrypt every private key under a new master key, in one transaction')
      .requiredOption('--new-master-key-file <file>', 'the new master key (32 random bytes, base64)'),
  )
    .addHelpText(
      'after',
      examples([
        [
          'openssl rand -base64 32 > new.key && jwkit keys rekey --new-master-key-file new.key',
          'then restart every server with the new key',
        ],
      ]),
    )
    .action(async (opts: StoreOptions & { newMasterKeyFile: string }) => {
      const { keysRekey } = await keysModule();
      const r = await keysRekey({ ...storeOnly(opts), newMasterKeyFile: opts.newMasterKeyFile });
      if (opts.json) printJSON(r);
      else
        note(
          `jwkit keys: re-encrypted ${r.keys} keys from master key ${r.from} to ${r.to}; only the new key opens the store now: ` +
            'point JWKIT_MASTER_KEY or --master-key-file at it and restart every server',
        );
    });
}
