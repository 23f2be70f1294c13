/**
 * Leakage (DESIGN principle 3, RFC 7517 §9.2): for every key type (RSA, EC on four curves,
 * Ed25519, Ed448, X25519, X448, oct), no private value appears in any output that can leave the
 * process: the library's public forms, serializations, errors, events and logs; the CLI's
 * stdout and stderr; the server's responses (including its error answers), its log lines and
 * its database file. The private values themselves are searched for, not only member names.
 * Files holding private material are written 0600, and the admin token and master key are
 * never printed.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../packages/cli/test/helpers.js';
import {
  generateJWK,
  isPrivate,
  type JWK,
  JWKitError,
  JWKSet,
  type PrivateJWK,
  parseJWK,
  type RemoteJWKSEvent,
  RemoteJWKSet,
  signJWT,
  thumbprint,
  toPublic,
  validateJWK,
  validateJWKSet,
  verifyJWT,
} from '../../packages/jwkit/src/index.node.js';
import { JWKSServer, sendJSON } from '../../packages/jwkit/test/remote/helpers/jwks-server.js';
import { type RunningServer, serve } from '../../packages/server/src/index.js';
import { PRIVATE_JWK_MEMBERS } from '../helpers/jwk-members.js';
import { b64u, jwkit, keyPairs } from './support.js';
import { tally } from './tally.js';

const T = tally('leakage');
const PRIVATE_MEMBERS = PRIVATE_JWK_MEMBERS;

const pairs = await keyPairs();
const ecdh = await Promise.all(
  (['X25519', 'X448'] as const).map(
    async (crv) => (await generateJWK({ kty: 'OKP', crv, kid: `adv-${crv}` })) as PrivateJWK,
  ),
);
const oct = (await generateJWK({ alg: 'HS256', kid: 'adv-oct' })) as JWK;
/** Every private key of the suite, one per type and curve. */
const PRIVATE_KEYS: JWK[] = [...pairs.map((p) => p.private as JWK), ...ecdh, oct];

function secretsOf(jwks: readonly JWK[]): string[] {
  return jwks.flatMap((jwk) => {
    const r = jwk as Record<string, unknown>;
    return PRIVATE_MEMBERS.filter((m) => typeof r[m] === 'string' && (r[m] as string).length >= 16).map(
      (m) => r[m] as string,
    );
  });
}
const SECRETS = secretsOf(PRIVATE_KEYS);

/** Fails when `text` holds any private value (or `extra` secret); counts one case. */
function assertClean(text: string, where: string, extra: readonly string[] = []): void {
  T.tried();
  for (const s of [...SECRETS, ...extra]) {
    if (text.includes(s)) expect.fail(`${where} leaks a secret (${s.slice(0, 6)}...)`);
  }
}

function privateMembersIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(privateMembersIn);
  if (value === null || typeof value !== 'object') return [];
  const v = value as Record<string, unknown>;
  const own = typeof v.kty === 'string' ? PRIVATE_MEMBERS.filter((m) => m in v) : [];
  return [...own, ...Object.values(v).flatMap(privateMembersIn)];
}

describe('library outputs', () => {
  it('toPublic, JWKSet.toJSON, JSON.stringify, inspect and selection results carry no private value', async () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(PRIVATE_KEYS.length);
    for (const jwk of PRIVATE_KEYS) {
      if (jwk.kty === 'oct') {
        expect(() => toPublic(jwk)).toThrow(JWKitError);
        continue;
      }
      const pub = toPublic(jwk);
      expect(isPrivate(pub)).toBe(false);
      assertClean(JSON.stringify(pub), `toPublic(${jwk.kid})`);
    }
    const set = new JWKSet(PRIVATE_KEYS);
    for (const out of [
      JSON.stringify(set),
      JSON.stringify(set.toJSON()),
      JSON.stringify(set.toJSON({ private: false })),
      set.etag(),
      inspect(set, { depth: 10 }),
      String(set),
    ]) {
      assertClean(out, 'JWKSet public output');
    }
    expect(privateMembersIn(set.toJSON())).toEqual([]);
    expect(set.toJSON().keys.map((k) => k.kid)).not.toContain('adv-oct');
    for (const pair of pairs) {
      const token = await signJWT({ sub: 'x' }, pair.private);
      assertClean(token, `token signed by ${pair.name}`);
      const verified = await verifyJWT(token, set);
      assertClean(JSON.stringify(verified), `verifyJWT result (${pair.name})`);
      assertClean(JSON.stringify(set.select({ alg: pair.alg, kid: pair.private.kid })), 'select');
      assertClean(JSON.stringify(await set.getKey({ alg: pair.alg, kid: pair.private.kid })), 'getKey');
      assertClean(thumbprint(pair.private), 'thumbprint');
    }
  });

  it('errors and validation problems about private keys never quote a private value', async () => {
    const broken: Record<string, unknown>[] = [];
    for (const jwk of PRIVATE_KEYS) {
      const r = jwk as Record<string, string>;
      for (const m of PRIVATE_MEMBERS.filter((x) => typeof r[x] === 'string')) {
        const v = r[m]!;
        // Each private member damaged in ways that make validators talk about it.
        broken.push(
          { ...r, [m]: `${v}=` },
          { ...r, [m]: `${v.slice(0, -2)}` },
          { ...r, [m]: `${v}+/` },
          { ...r, [m]: `${v}${v}` },
        );
      }
      broken.push(
        { ...r, kty: 'XX' },
        { ...r, alg: 'HS256' },
        { ...r, use: 'enc', key_ops: ['sign'] },
        { ...r, x: 'AAAA' },
      );
    }
    for (const input of broken) {
      assertClean(JSON.stringify(validateJWK(input).problems), 'validateJWK problems');
      // The report's `keys` are the caller's own good keys; its findings must not quote them.
      const report = validateJWKSet({ keys: [input] });
      assertClean(JSON.stringify([report.problems, report.skipped]), 'validateJWKSet problems');
      try {
        parseJWK(input);
      } catch (error) {
        assertClean(
          `${(error as Error).message} ${JSON.stringify(error)} ${inspect(error)}`,
          'parseJWK error',
        );
      }
      try {
        await signJWT({}, input as JWK);
      } catch (error) {
        assertClean(`${(error as Error).message} ${inspect(error)}`, 'signJWT error');
      }
    }
  });

  it('a remote set that publishes private and oct keys: dropped, and no event or state repeats them', async () => {
    const issuer = await JWKSServer.start((_req, res) =>
      sendJSON(res, { keys: [...PRIVATE_KEYS, toPublic(pairs[1]!.private)] }),
    );
    const events: RemoteJWKSEvent[] = [];
    const remote = new RemoteJWKSet(issuer.url(), { onEvent: (e) => events.push(e) });
    try {
      await remote.refresh();
      expect(remote.keyCount).toBe(1);
      const dropped = events.filter((e) => e.type === 'key-dropped');
      expect(dropped.length).toBe(PRIVATE_KEYS.length);
      assertClean(JSON.stringify(events), 'RemoteJWKSet events');
      assertClean(inspect(events, { depth: 10 }), 'RemoteJWKSet events (inspect)');
      assertClean(JSON.stringify(remote.exportState()), 'RemoteJWKSet exportState');
    } finally {
      remote.close();
      await issuer.close();
    }
  });
});

describe('the CLI', () => {
  const tmp = tempDir('jwkit-adv-leak-');
  afterAll(() => tmp.cleanup());
  const file = (name: string) => join(tmp.dir, name);
  const mode = (path: string) => statSync(path).mode & 0o777;

  it('public, inspect, thumbprint, set list and convert --public print no private value, for every key type', async () => {
    const all = file('all.json');
    const asym = file('asymmetric.json');
    const octFile = file('oct.json');
    writeFileSync(all, JSON.stringify({ keys: PRIVATE_KEYS }));
    writeFileSync(asym, JSON.stringify({ keys: PRIVATE_KEYS.filter((k) => k.kty !== 'oct') }));
    writeFileSync(octFile, JSON.stringify(oct));
    const runs = [
      ['public', asym],
      ['public', all, '--skip-secret'],
      ['public', all],
      ['public', octFile],
      ['convert', asym, '--to', 'pem', '--public'],
      ['inspect', all],
      ['inspect', all, '--published'],
      ['thumbprint', all, '--json'],
      ['set', 'list', '--set', all],
    ];
    const results = await Promise.all(runs.map((args) => jwkit(args)));
    for (const [i, r] of results.entries()) assertClean(r.stdout + r.stderr, `jwkit ${runs[i]!.join(' ')}`);
    expect(privateMembersIn(JSON.parse(results[0]!.stdout))).toEqual([]);
    expect((JSON.parse(results[0]!.stdout) as { keys: JWK[] }).keys).toHaveLength(PRIVATE_KEYS.length - 1);
    // An oct key has no public form: `public` refuses it rather than printing it.
    expect(results[2]!.code).toBe(1);
    expect(results[3]!.code).toBe(1);
  });

  it('private key files are written 0600; public files carry no private member', async () => {
    const runs = [
      ['generate', '--alg', 'ES256', '--out', file('gen.json'), '--public-out', file('gen.pub.json')],
      [
        'generate',
        '--alg',
        'Ed25519',
        '--pem',
        '--out',
        file('gen.pem'),
        '--public-out',
        file('gen.pub.pem'),
      ],
      ['generate', '--alg', 'HS256', '--out', file('gen-oct.json')],
    ];
    for (const r of await Promise.all(runs.map((args) => jwkit(args)))) expect(r.code, r.stderr).toBe(0);
    const generated = JSON.parse(readFileSync(file('gen.json'), 'utf8')) as JWK;
    for (const path of ['gen.json', 'gen.pem', 'gen-oct.json']) expect(mode(file(path)), path).toBe(0o600);
    expect(privateMembersIn(JSON.parse(readFileSync(file('gen.pub.json'), 'utf8')))).toEqual([]);
    expect(readFileSync(file('gen.pub.pem'), 'utf8')).not.toMatch(/PRIVATE/);
    const ec = PRIVATE_KEYS[1]!;
    writeFileSync(file('ec.json'), JSON.stringify(ec));
    const more = [
      ['convert', file('ec.json'), '--to', 'pem', '--private', '--out', file('conv.pem')],
      ['convert', file('gen.pem'), '--to', 'jwk', '--out', file('conv.json')],
      ['set', 'add', '--private', '--set', file('private-set-2.json'), file('ec.json')],
      ['set', 'add', '--private', '--set', file('private-set-2.json'), file('gen-oct.json')],
    ];
    for (const args of more) {
      const r = await jwkit(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      assertClean(r.stdout + r.stderr, `jwkit ${args[0]}`, secretsOf([generated]));
    }
    for (const path of ['conv.pem', 'conv.json', 'private-set-2.json'])
      expect(mode(file(path)), path).toBe(0o600);
    T.tried(8);
  });

  it('jwt sign and verify print the token and claims only', async () => {
    const key = file('sign.json');
    writeFileSync(key, JSON.stringify(pairs[0]!.private));
    const signed = await jwkit(['jwt', 'sign', '--key', key, '--sub', 'alice', '--exp', '5m']);
    expect(signed.code, signed.stderr).toBe(0);
    assertClean(signed.stdout + signed.stderr, 'jwt sign');
    const verified = await jwkit(['jwt', 'verify', signed.stdout.trim(), '--jwks', key, '--full']);
    expect(verified.code, verified.stderr).toBe(0);
    assertClean(verified.stdout + verified.stderr, 'jwt verify --full');
  });
});

describe('the server', () => {
  const tmp = tempDir('jwkit-adv-leak-srv-');
  const ADMIN = `adv-admin-token-${b64u(new Uint8Array(12).fill(3))}`;
  const lines: string[] = [];
  let server: RunningServer;
  let master: string;
  beforeAll(async () => {
    server = await serve({
      store: `sqlite:${join(tmp.dir, 'keys.db')}`,
      masterKeyFile: join(tmp.dir, 'master.key'),
      port: 0,
      algs: ['ES256', 'RS256', 'PS256', 'ES384', 'ES512', 'ES256K', 'Ed25519', 'Ed448', 'HS256'],
      adminToken: ADMIN,
      issuer: 'https://issuer.example',
      webRoot: false,
      log: (line) => lines.push(line),
    });
    master = readFileSync(join(tmp.dir, 'master.key'), 'utf8').trim();
  });
  afterAll(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('master key file is 0600, and neither it nor the admin token is ever logged', () => {
    expect(statSync(join(tmp.dir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(master.length).toBeGreaterThanOrEqual(32);
    assertClean(lines.join('\n'), 'serve log', [ADMIN, master]);
  });

  it('every response, the log and the database file hold no private value of imported or generated keys', async () => {
    const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${server.url}${path}`, {
        ...init,
        headers: { ...auth, ...(init.headers as object) },
      });
      return { status: res.status, text: await res.text() };
    };
    const outputs: { where: string; text: string }[] = [];
    // Import every key type, also in broken forms whose error answers must not echo the key.
    for (const jwk of PRIVATE_KEYS.filter(
      (k) => !['X25519', 'X448'].includes((k as { crv?: string }).crv ?? ''),
    )) {
      const r = jwk as Record<string, string>;
      const attempts = [
        { jwk, activate: true },
        {
          jwk: {
            ...r,
            kid: `${r.kid}-broken`,
            d: r.d ? `${r.d}${r.d}` : undefined,
            k: r.k ? `${r.k}!` : undefined,
          },
        },
        { jwk: { ...r, kid: `${r.kid}-pad`, x: 'AA' } },
        { jwk: JSON.stringify(jwk).slice(0, -3) },
      ];
      for (const body of attempts)
        outputs.push({
          where: `POST /admin/keys ${r.kid}`,
          ...(await call('/admin/keys', { method: 'POST', body: JSON.stringify(body) })),
        });
    }
    outputs.push({
      where: 'POST /admin/keys bad json',
      ...(await call('/admin/keys', { method: 'POST', body: `{"jwk":${JSON.stringify(PRIVATE_KEYS[0])}` })),
    });
    outputs.push({ where: 'POST /admin/rotate', ...(await call('/admin/rotate', { method: 'POST' })) });
    for (const path of [
      '/.well-known/jwks.json',
      '/jwks.json',
      '/.well-known/openid-configuration',
      '/healthz',
      '/readyz',
      '/metrics',
      '/admin/keys',
      '/nope',
    ]) {
      outputs.push({ where: `GET ${path}`, ...(await call(path)) });
    }
    const signed = await call('/admin/sign', {
      method: 'POST',
      body: JSON.stringify({ alg: 'ES256', claims: { sub: 'x' } }),
    });
    outputs.push({ where: 'POST /admin/sign', ...signed });
    // The generated signing keys are secrets too.
    const generated = server.manager.policies.map((p) => server.manager.signingKey(p.alg).jwk as JWK);
    const extra = [...secretsOf(generated), ADMIN, master];
    for (const { where, text } of outputs) assertClean(text, where, extra);
    const jwks = JSON.parse(outputs.find((o) => o.where === 'GET /.well-known/jwks.json')!.text) as {
      keys: JWK[];
    };
    expect(privateMembersIn(jwks)).toEqual([]);
    expect(jwks.keys.some((k) => k.kty === 'oct')).toBe(false);
    expect(jwks.keys.length).toBeGreaterThanOrEqual(8);
    assertClean(lines.join('\n'), 'serve log', extra);
    const db = readFileSync(join(tmp.dir, 'keys.db')).toString('latin1');
    const wal = (() => {
      try {
        return readFileSync(join(tmp.dir, 'keys.db-wal')).toString('latin1');
      } catch {
        return '';
      }
    })();
    assertClean(db + wal, 'SQLite store bytes', extra);
  });
});
