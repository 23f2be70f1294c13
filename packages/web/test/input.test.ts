/** The page's pure helpers: what an input is, and which member a problem path points at. */

import { describe, expect, it } from 'vitest';
import { memberOfPath } from '../src/components/problems.js';
import { detectInput } from '../src/detect.js';

describe('detectInput', () => {
  it.each([
    ['', 'empty'],
    ['  \n', 'empty'],
    ['{"keys": []}', 'jwks'],
    ['\uFEFF{"keys": []}', 'jwks'],
    ['{"kty": "EC"}', 'jwk'],
    ['{"kty": ', 'json'],
    ['-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----', 'pem'],
    ['eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', 'jwt'],
    ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A', 'der'],
    ['hello', 'unknown'],
  ])('%j is %s', (text, kind) => {
    expect(detectInput(text)).toBe(kind);
  });
});

describe('memberOfPath', () => {
  it.each([
    ['y', '', 'y'],
    ['x5c[0]', '', 'x5c'],
    ['["x5t#S256"]', '', 'x5t#S256'],
    ['', '', ''],
    ['keys[2].y', 'keys[2]', 'y'],
    ['keys[2]', 'keys[2]', ''],
    ['keys[2]["x5t#S256"]', 'keys[2]', 'x5t#S256'],
    ['keys[2].x5c[1]', 'keys[2]', 'x5c'],
  ])('%j under %j is %j', (path, prefix, member) => {
    expect(memberOfPath(path, prefix)).toBe(member);
  });

  it('does not confuse keys[2] with keys[20] or another key', () => {
    expect(memberOfPath('keys[20].y', 'keys[2]')).toBeUndefined();
    expect(memberOfPath('keys[3].y', 'keys[2]')).toBeUndefined();
    expect(memberOfPath('keys', 'keys[2]')).toBeUndefined();
  });
});
