/**
 * The configuration of `jwkit serve`: one table (SETTINGS) of every setting with its flag, its
 * environment variable, its type and its default. The CLI registers its options from it (so
 * `--help` shows the real defaults), `resolveConfig` reads flags, environment and a JSON config
 * file from it with the precedence flag > env > file > default, and docs/api/configuration.md is
 * generated from it (`renderConfigDocs`; a test fails when the page and the table differ).
 *
 * Secrets (the admin token, the master key, the database password) are never flags: a command
 * line is visible to every user of the host (`ps`, /proc/<pid>/cmdline). They come from the
 * environment or from a file named by a flag.
 */

import { readFileSync } from 'node:fs';
import { parseJSON } from 'jwkit';
import { SETTINGS, type Setting } from './config-table.js';
import { type Duration, toMillis } from './duration.js';
import { ServerConfigError } from './errors.js';
import type { LogFormat, LogLevel } from './log.js';

export { helpText, SETTINGS, type Setting, type SettingType } from './config-table.js';

/** Typed values of the settings (what `serve()` takes). */
export interface ConfigValues {
  config?: string;
  host?: string;
  port?: number;
  adminHost?: string;
  adminPort?: number;
  singleListener?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  workers?: number;
  store?: string;
  schema?: string;
  storePasswordFile?: string;
  storePassword?: string;
  masterKeyFile?: string;
  masterKey?: string;
  /** RFC 7512 URI of the PKCS#11 token new keys are made in (`--pkcs11`, JWKIT_PKCS11_URI). */
  pkcs11?: string;
  algs?: string[];
  rotationPeriod?: Duration;
  prePublish?: Duration;
  maxTokenLifetime?: Duration;
  rsaBits?: number;
  updatePolicy?: boolean;
  /** Create the store when it does not exist (`--init`); see `openWriterStore`. `serve()` default true, `jwkit serve` default false. */
  init?: boolean;
  cacheMaxAge?: Duration;
  staleWhileRevalidate?: Duration;
  skew?: Duration;
  pollInterval?: Duration;
  issuer?: string;
  jwksUri?: string;
  contentType?: 'jwk-set+json' | 'json';
  /** A directory, or false for none. */
  webRoot?: string | false;
  adminTokenFile?: string;
  adminToken?: string;
  maxConnections?: number;
  maxConnectionsPerClient?: number;
  headersTimeout?: Duration;
  requestTimeout?: Duration;
  keepAliveTimeout?: Duration;
  shutdownTimeout?: Duration;
  logFormat?: LogFormat;
  logLevel?: LogLevel;
  accessLog?: boolean;
}

export function settingByKey(key: string): Setting | undefined {
  return SETTINGS.find((s) => s.key === key);
}

function bad(source: string, message: string): ServerConfigError {
  return new ServerConfigError('ERR_CONFIG', `${source}: ${message}`);
}

/** Parses one raw value (text from a flag or env, or a JSON value from the file) by the setting's type. */
export function parseSetting(s: Setting, raw: unknown, source: string): unknown {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (s.type) {
    case 'string':
    case 'file':
      if (typeof text !== 'string' || text === '') throw bad(source, 'expected a non-empty string');
      return text;
    case 'port':
    case 'int': {
      const n =
        typeof text === 'number'
          ? text
          : typeof text === 'string' && /^\d+$/.test(text)
            ? Number(text)
            : Number.NaN;
      if (!Number.isSafeInteger(n) || n < 0)
        throw bad(
          source,
          `expected ${s.type === 'port' ? 'a port number 0-65535' : 'a whole number'}, got ${JSON.stringify(raw)}`,
        );
      if (s.type === 'port' && n > 65535) throw bad(source, `expected a port number 0-65535, got ${n}`);
      if (s.type === 'int' && n === 0) throw bad(source, 'expected a whole number above 0');
      return n;
    }
    case 'duration': {
      if (typeof text !== 'string' && typeof text !== 'number')
        throw bad(source, 'expected a duration such as 90s, 15m, 12h or 30d');
      try {
        toMillis(text, source);
      } catch (e) {
        throw new ServerConfigError('ERR_CONFIG', (e as Error).message);
      }
      return text;
    }
    case 'list': {
      const items = Array.isArray(text) ? text : typeof text === 'string' ? text.split(',') : undefined;
      if (!items?.every((x) => typeof x === 'string')) throw bad(source, 'expected a comma-separated list');
      const list = (items as string[]).map((x) => x.trim()).filter((x) => x !== '');
      if (list.length === 0) throw bad(source, 'expected at least one value');
      return list;
    }
    case 'bool': {
      if (typeof text === 'boolean') return text;
      if (typeof text === 'string') {
        if (/^(1|true|yes|on)$/i.test(text)) return true;
        if (/^(0|false|no|off)$/i.test(text)) return false;
      }
      throw bad(source, `expected true or false, got ${JSON.stringify(raw)}`);
    }
    case 'enum':
      if (typeof text !== 'string' || !s.choices!.includes(text)) {
        throw bad(source, `expected one of ${s.choices!.join(', ')}, got ${JSON.stringify(raw)}`);
      }
      return text;
    case 'web':
      if (text === false || (typeof text === 'string' && /^(off|false|none)$/i.test(text))) return false;
      if (typeof text !== 'string' || text === '') throw bad(source, 'expected a directory or "off"');
      return text;
  }
}

/** The ServeOptions field a setting fills (`web` fills `webRoot`). */
function field(s: Setting): keyof ConfigValues {
  return (s.key === 'web' ? 'webRoot' : s.key) as keyof ConfigValues;
}

export interface ConfigSources {
  /** Values from the command line by setting key (raw text, or true for a boolean flag, false for `--no-web`). */
  flags?: Readonly<Record<string, unknown>>;
  /** Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads a config file (tests inject one). Default: readFileSync. */
  readFile?: (path: string) => string;
}

export interface ResolvedConfig {
  values: ConfigValues;
  /** Where each set value came from: `--port`, `JWKIT_PORT`, `config file key "port"`. */
  sources: Record<string, string>;
}

/** Flag > env > file > default (the default is left to serve(), which owns it). */
export function resolveConfig(sources: ConfigSources = {}): ResolvedConfig {
  const flags = sources.flags ?? {};
  const env = sources.env ?? process.env;
  const values: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  const configSetting = settingByKey('config')!;
  let configFile: string | undefined;
  if (flags.config !== undefined)
    configFile = parseSetting(configSetting, flags.config, '--config') as string;
  else if (env.JWKIT_CONFIG !== undefined && env.JWKIT_CONFIG !== '') configFile = env.JWKIT_CONFIG;
  let file: Record<string, unknown> = {};
  if (configFile !== undefined) {
    file = readConfigFile(configFile, sources.readFile);
    values.config = configFile;
  }
  for (const s of SETTINGS) {
    if (s.key === 'config') continue;
    let raw: unknown;
    let where: string | undefined;
    if (s.flag !== null && flags[s.key] !== undefined) {
      raw = flags[s.key];
      where = s.flag;
    } else if (env[s.env] !== undefined && env[s.env] !== '') {
      raw = env[s.env];
      where = s.env;
    } else if (file[s.key] !== undefined) {
      raw = file[s.key];
      where = `${configFile}: "${s.key}"`;
    }
    if (where === undefined) continue;
    values[field(s)] = parseSetting(s, raw, where);
    from[s.key] = where;
  }
  return { values: values as ConfigValues, sources: from };
}

/** Reads a JSON config file: an object of setting keys; unknown keys and secrets are refused. */
export function readConfigFile(
  path: string,
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Record<string, unknown> {
  let text: string;
  try {
    text = read(path);
  } catch (cause) {
    throw new ServerConfigError(
      'ERR_CONFIG',
      `cannot read the config file ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  let parsed: ReturnType<typeof parseJSON>;
  try {
    parsed = parseJSON(text, { maxDepth: 8 });
  } catch (e) {
    throw new ServerConfigError('ERR_CONFIG', `${path}: not valid JSON: ${(e as Error).message}`);
  }
  const dup = parsed.problems.find((p) => p.severity === 'error');
  if (dup) throw new ServerConfigError('ERR_CONFIG', `${path}: ${dup.path}: ${dup.message}`);
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ServerConfigError(
      'ERR_CONFIG',
      `${path}: the config file must hold one JSON object of settings, e.g. {"port": 8080}`,
    );
  }
  for (const key of Object.keys(value)) {
    const s = settingByKey(key);
    if (!s) {
      throw new ServerConfigError(
        'ERR_CONFIG',
        `${path}: unknown setting "${key}"; the settings are listed in docs/api/configuration.md (e.g. "port", "store", "algs")`,
      );
    }
    if (s.inFile === false) {
      throw new ServerConfigError(
        'ERR_CONFIG',
        `${path}: "${key}" cannot be set in a config file${s.flag === null ? `; set ${s.env} in the environment` : ''}`,
      );
    }
  }
  return value as Record<string, unknown>;
}

const GROUPS: Readonly<Record<Setting['group'], string>> = {
  listen: 'Listeners and TLS',
  store: 'Store and master key',
  keys: 'Keys and rotation policy',
  http: 'HTTP answers',
  admin: 'Admin API',
  limits: 'Connection limits and timeouts',
  logs: 'Logs',
  process: 'Process',
};

/** docs/api/configuration.md, generated from SETTINGS (test/config.test.ts keeps the page in step). */
export function renderConfigDocs(): string {
  const out: string[] = [
    '# `jwkit serve` configuration',
    '',
    '<!-- Generated from SETTINGS in packages/server/src/config.ts by renderConfigDocs();',
    '     packages/server/test/config.test.ts fails when this page and the table differ.',
    '     Regenerate: JWKIT_WRITE_DOCS=1 scripts/node24 node_modules/vitest/vitest.mjs run packages/server/test/config.test.ts -->',
    '',
    'Every setting is a command-line flag, an environment variable and a key of a JSON config file',
    '(`--config FILE`). When one is given more than once the **flag wins over the environment, which',
    'wins over the file, which wins over the default**. Secrets (the admin token, the master key, the',
    'database password) are never flags, since a command line is visible to every user of the host:',
    'give them in the environment or in a file named by a flag. A config file may not hold them either.',
    '',
    'Values: durations are a number with a unit (`500ms`, `90s`, `15m`, `12h`, `30d`); lists are',
    'comma-separated (`ES256,RS256`) or, in the file, a JSON array; booleans are `true`/`false`',
    '(`1`/`0`, `yes`/`no` in the environment); a boolean flag such as `--access-log` takes no value.',
    'A value that does not parse stops the server with `ERR_CONFIG`, naming the flag, variable or file',
    'key it came from.',
    '',
    'Settings marked **reload** are applied again on `SIGHUP` (files re-read, config file and',
    'environment re-resolved); the others need a restart, and a SIGHUP that finds them changed logs a',
    'warning naming them.',
    '',
    '```json',
    '{ "port": 8443, "adminPort": 9443, "store": "postgres://jwkit@db.internal/keys", "algs": ["ES256"],',
    '  "tlsCert": "/etc/jwkit/tls/cert.pem", "tlsKey": "/etc/jwkit/tls/key.pem", "logFormat": "json" }',
    '```',
  ];
  for (const group of Object.keys(GROUPS) as Setting['group'][]) {
    out.push(
      '',
      `## ${GROUPS[group]}`,
      '',
      '| Flag | Environment | Config key | Default | Meaning |',
      '|---|---|---|---|---|',
    );
    for (const s of SETTINGS.filter((x) => x.group === group)) {
      const flag =
        s.flag === null
          ? '(none: secret)'
          : `\`${s.flag}${s.arg ? ` ${s.arg}` : ''}\`${s.key === 'web' ? ', `--no-web`' : ''}`;
      const key = s.inFile === false ? '(not in a file)' : `\`${s.key}\``;
      const def = s.default === null ? '(none)' : `\`${s.default}\``;
      const choices = s.choices ? ` One of ${s.choices.map((c) => `\`${c}\``).join(', ')}.` : '';
      out.push(
        `| ${flag} | \`${s.env}\` | ${key} | ${def} | ${s.describe.replaceAll('|', '\\|')}.${choices}${s.reload ? ' **reload**' : ''} |`,
      );
    }
  }
  out.push('');
  return out.join('\n');
}
