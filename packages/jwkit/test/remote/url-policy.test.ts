import { describe, expect, it } from 'vitest';
import { RemoteJWKSError } from '../../src/errors/index.js';
import { parseSourceURL, redirectProblem, transportProblem } from '../../src/remote/url-policy.js';

const u = (s: string) => new URL(s);

describe('transport policy', () => {
  it('allows https always and http to loopback by default', () => {
    expect(transportProblem(u('https://idp.example/jwks'), 'refuse')).toBeUndefined();
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      expect(transportProblem(u(`http://${host}:8080/jwks`), 'loopback')).toBeUndefined();
    }
  });

  it('refuses http to other hosts unless http is allowed', () => {
    expect(transportProblem(u('http://idp.example/jwks'), 'loopback')).toMatch(/localhost, 127\.0\.0\.1/);
    expect(transportProblem(u('http://127.0.0.1/jwks'), 'refuse')).toMatch(/refused/);
    expect(transportProblem(u('http://idp.example/jwks'), 'allow')).toBeUndefined();
  });

  it('refuses schemes other than http and https', () => {
    expect(transportProblem(u('file:///etc/jwks.json'), 'allow')).toMatch(/file:/);
  });
});

describe('parseSourceURL', () => {
  it('throws coded errors for relative, insecure and credential-bearing URLs', () => {
    const code = (input: unknown, http: 'refuse' | 'loopback' = 'loopback') => {
      try {
        parseSourceURL(input, http);
        return 'ok';
      } catch (err) {
        expect(err).toBeInstanceOf(RemoteJWKSError);
        return (err as RemoteJWKSError).code;
      }
    };
    expect(code('/jwks.json')).toBe('ERR_REMOTE_JWKS_OPTIONS');
    expect(code(42)).toBe('ERR_REMOTE_JWKS_OPTIONS');
    expect(code('https://user:pw@idp.example/jwks')).toBe('ERR_REMOTE_JWKS_OPTIONS');
    expect(code('http://idp.example/jwks')).toBe('ERR_REMOTE_JWKS_INSECURE_URL');
    expect(code('http://127.0.0.1/jwks', 'refuse')).toBe('ERR_REMOTE_JWKS_INSECURE_URL');
    expect(code(new URL('https://idp.example/jwks'))).toBe('ok');
  });
});

describe('redirect policy', () => {
  const from = u('https://idp.example/jwks');
  it('refuses every redirect by default', () => {
    expect(redirectProblem(from, u('https://idp.example/v2/jwks'), 'refuse')).toMatch(/refused/);
  });
  it('follows same-origin redirects only under same-origin', () => {
    expect(redirectProblem(from, u('https://idp.example/v2/jwks'), 'same-origin')).toBeUndefined();
    expect(redirectProblem(from, u('https://cdn.example/jwks'), 'same-origin')).toMatch(/cross-origin/);
    expect(redirectProblem(from, u('https://cdn.example/jwks'), 'any')).toBeUndefined();
  });
  it('never follows https -> http', () => {
    expect(redirectProblem(from, u('http://idp.example/jwks'), 'any')).toMatch(/https to http/);
  });
});
