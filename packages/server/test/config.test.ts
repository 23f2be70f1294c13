import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { helpText, readConfigFile, renderConfigDocs, resolveConfig, SETTINGS } from '../src/config.js';

const DOCS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/api/configuration.md');

describe('the settings table', () => {
  it('gives every setting a distinct key, flag and env variable, and every secret no flag', () => {
    const keys = SETTINGS.map((s) => s.key);
    const envs = SETTINGS.map((s) => s.env);
    const flags = SETTINGS.flatMap((s) => (s.flag === null ? [] : [s.flag]));
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(envs).size).toBe(envs.length);
    expect(new Set(flags).size).toBe(flags.length);
    for (const secret of ['adminToken', 'masterKey', 'storePassword']) {
      const s = SETTINGS.find((x) => x.key === secret)!;
      expect(s.flag).toBeNull();
      expect(s.inFile).toBe(false);
    }
    for (const s of SETTINGS) expect(s.env).toMatch(/^JWKIT_[A-Z0-9_]+$/);
  });

  it('docs/api/configuration.md is the table rendered (JWKIT_WRITE_DOCS=1 rewrites it)', () => {
    const page = renderConfigDocs();
    if (process.env.JWKIT_WRITE_DOCS === '1') writeFileSync(DOCS, page);
    expect(readFileSync(DOCS, 'utf8')).toBe(page);
    for (const s of SETTINGS) expect(page).toContain(`\`${s.env}\``);
  });

  it('--help text carries the real defaults (issue 13.14: rotation settings and --jwks-uri)', () => {
    const help = (key: string) => helpText(SETTINGS.find((s) => s.key === key)!);
    expect(help('rotationPeriod')).toContain('(default: 30d)');
    expect(help('prePublish')).toContain('(default: 2d)');
    expect(help('maxTokenLifetime')).toContain('(default: 1h)');
    expect(help('jwksUri')).toContain('(default: <issuer>/.well-known/jwks.json)');
    expect(help('port')).toContain('JWKIT_PORT');
  });
});

describe('resolveConfig', () => {
  const file = (obj: unknown) => ({ readFile: () => JSON.stringify(obj) });

  it('takes flag over env over file over default', () => {
    const env = { JWKIT_CONFIG: '/etc/jwkit.json', JWKIT_PORT: '9000', JWKIT_ALGS: 'ES384' };
    const fromFile = {
      port: 7000,
      algs: ['Ed25519'],
      host: '0.0.0.0',
      shutdownTimeout: '3s',
      accessLog: true,
    };
    const all = resolveConfig({ flags: { port: '8000' }, env, ...file(fromFile) });
    expect(all.values).toMatchObject({
      port: 8000,
      algs: ['ES384'],
      host: '0.0.0.0',
      shutdownTimeout: '3s',
      accessLog: true,
    });
    expect(all.sources).toMatchObject({
      port: '--port',
      algs: 'JWKIT_ALGS',
      host: '/etc/jwkit.json: "host"',
    });
    expect(resolveConfig({ env, ...file(fromFile) }).values.port).toBe(9000);
    expect(resolveConfig({ env: { JWKIT_CONFIG: 'x.json' }, ...file(fromFile) }).values.port).toBe(7000);
    // nothing given: nothing set, serve() applies its defaults
    expect(resolveConfig({ env: {} }).values).toEqual({});
  });

  it('parses each type, naming the source of a bad value', () => {
    const env = {
      JWKIT_SINGLE_LISTENER: 'yes',
      JWKIT_WEB: 'off',
      JWKIT_ADMIN_TOKEN: 'from-env',
      JWKIT_ROTATION_PERIOD: '7d',
      JWKIT_LOG_FORMAT: 'json',
    };
    expect(resolveConfig({ env }).values).toMatchObject({
      singleListener: true,
      webRoot: false,
      adminToken: 'from-env',
      rotationPeriod: '7d',
      logFormat: 'json',
    });
    expect(() => resolveConfig({ env: { JWKIT_PORT: '70000' } })).toThrow(
      /JWKIT_PORT: expected a port number/,
    );
    expect(() => resolveConfig({ flags: { rotationPeriod: '30x' }, env: {} })).toThrow(
      /--rotation-period.*not a duration/,
    );
    expect(() => resolveConfig({ env: { JWKIT_LOG_FORMAT: 'xml' } })).toThrow(/one of json, text/);
    expect(() => resolveConfig({ env: { JWKIT_ACCESS_LOG: 'maybe' } })).toThrow(
      /JWKIT_ACCESS_LOG: expected true or false/,
    );
    try {
      resolveConfig({ env: { JWKIT_PORT: 'abc' } });
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_CONFIG' });
    }
  });

  it('refuses unknown keys, secrets, duplicates and non-objects in the config file', () => {
    const read = (text: string) => () => readConfigFile('c.json', () => text);
    expect(read('{"prot": 8080}')).toThrow(/unknown setting "prot"/);
    expect(read('{"adminToken": "x"}')).toThrow(/cannot be set in a config file; set JWKIT_ADMIN_TOKEN/);
    expect(read('{"masterKey": "x"}')).toThrow(/JWKIT_MASTER_KEY/);
    expect(read('{"port": 1, "port": 2}')).toThrow(/c\.json/);
    expect(read('[1]')).toThrow(/one JSON object/);
    expect(read('{"port": ')).toThrow(/not valid JSON/);
    expect(() => readConfigFile('/nonexistent/jwkit.json')).toThrow(/cannot read the config file/);
    expect(() =>
      resolveConfig({ env: { JWKIT_CONFIG: 'c.json' }, readFile: () => '{"port": "http"}' }),
    ).toThrow(/c\.json: "port": expected a port number/);
  });
});

describe('config file on disk', () => {
  it('is read from --config', () => {
    const dir = join(process.env.TMPDIR ?? '/tmp');
    const path = join(dir, `jwkit-config-${process.pid}.json`);
    writeFileSync(path, '{"port": 8443, "algs": ["ES256"], "logFormat": "json"}');
    expect(resolveConfig({ flags: { config: path }, env: {} }).values).toMatchObject({
      config: path,
      port: 8443,
      algs: ['ES256'],
      logFormat: 'json',
    });
  });
});
