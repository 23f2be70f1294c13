/**
 * Issue 13.12: the address policy that keeps a third party's URL from making jwkit fetch
 * internal addresses. Every special-purpose range of RFC 6890, IPv4 and IPv6, including IPv4
 * addresses carried inside IPv6 ones; RemoteJWKSet with `privateAddresses: 'refuse'` against a
 * real loopback server (refused before any request) and through a redirect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addressKind, privateAddressOf } from '../../src/remote/address-policy.js';
import { RemoteJWKSet } from '../../src/remote/remote-jwks.js';
import { etagHandler, JWKSServer } from './helpers/jwks-server.js';
import { ecKey, jwks } from './helpers/keys.js';

describe('addressKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['[::ffff:169.254.169.254]', 'link-local'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00::1', 'private'],
    ['fc00::1', 'private'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2001:0:4136:e378::1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '192.169.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '2a00:1450::1',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(addressKind(address)).toBeUndefined();
  });
});

describe('privateAddressOf', () => {
  const lookup = (answers: Record<string, string[]>) => async (host: string) => answers[host] ?? [];

  it('checks EVERY address a hostname resolves to', async () => {
    const l = lookup({ 'mixed.example': ['93.184.215.14', '10.0.0.7'], 'ok.example': ['93.184.215.14'] });
    expect(await privateAddressOf(new URL('https://mixed.example/jwks'), l)).toEqual({
      host: 'mixed.example',
      address: '10.0.0.7',
      kind: 'private',
    });
    expect(await privateAddressOf(new URL('https://ok.example/jwks'), l)).toBeUndefined();
  });

  it('reads literals without a lookup, in every form the URL parser normalises', async () => {
    const never = async () => {
      throw new Error('no lookup for a literal');
    };
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::1]:8080/',
    ]) {
      expect((await privateAddressOf(new URL(url), never))?.kind).toBe('loopback');
    }
    expect((await privateAddressOf(new URL('http://169.254.169.254/latest/meta-data/'), never))?.kind).toBe(
      'link-local',
    );
  });

  it('refuses a host that resolves to nothing usable', async () => {
    expect((await privateAddressOf(new URL('https://x.example/'), async () => ['not-an-ip']))?.kind).toBe(
      'reserved',
    );
  });
});

describe("RemoteJWKSet privateAddresses: 'refuse'", () => {
  let server: JWKSServer | undefined;
  let remote: RemoteJWKSet | undefined;
  afterEach(async () => {
    remote?.close();
    await server?.close();
  });

  it('fetches nothing from a loopback server (the default allows it)', async () => {
    server = await JWKSServer.start(etagHandler(() => jwks(ecKey('a')), { 'cache-control': 'max-age=600' }));
    remote = new RemoteJWKSet(server.url(), { privateAddresses: 'refuse' });
    await expect(remote.refresh()).rejects.toMatchObject({ code: 'ERR_REMOTE_JWKS_PRIVATE_ADDRESS' });
    expect(server.count()).toBe(0);
    remote.close();
    remote = new RemoteJWKSet(server.url());
    await remote.refresh();
    expect(server.count()).toBe(1);
  });

  it('resolves hostnames with the lookup option and checks every hop of a redirect', async () => {
    server = await JWKSServer.start((req, res) => {
      if (req.url === '/jwks.json') res.writeHead(302, { location: 'http://metadata.internal/latest' }).end();
      else res.writeHead(404).end();
    });
    const looked: string[] = [];
    const origin = server.origin;
    remote = new RemoteJWKSet('http://issuer.test/jwks.json', {
      redirects: 'any',
      http: 'allow',
      privateAddresses: 'refuse',
      lookup: async (host) => {
        looked.push(host);
        return host === 'metadata.internal' ? ['169.254.169.254'] : ['93.184.215.14'];
      },
      // issuer.test "is" the loopback server (as behind a proxy); nothing else is reachable.
      fetch: (url, init) =>
        url.startsWith('http://issuer.test/')
          ? fetch(`${origin}${new URL(url).pathname}`, init)
          : Promise.reject(new Error(`the test must not reach ${url}`)),
    });
    await expect(remote.refresh()).rejects.toMatchObject({
      code: 'ERR_REMOTE_JWKS_PRIVATE_ADDRESS',
      url: 'http://metadata.internal/latest',
    });
    expect(looked).toEqual(['issuer.test', 'metadata.internal']);
    expect(server.count()).toBe(1);
  });

  it('needs a lookup where the runtime has no DNS resolver it can reach', () => {
    expect(
      () =>
        new RemoteJWKSet('https://issuer.example/jwks', { privateAddresses: 'refuse', lookup: 1 as never }),
    ).toThrow(expect.objectContaining({ code: 'ERR_REMOTE_JWKS_OPTIONS' }));
  });
});
