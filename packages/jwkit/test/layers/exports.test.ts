/**
 * Every public name of the entry points stays exported when files move between layers
 * (issue 11 point 4). New names may be added; a name leaves only on purpose, by editing this list.
 */

import { describe, expect, it } from 'vitest';
import * as iso from '../../src/index.js';
import * as node from '../../src/index.node.js';
import * as internal from '../../src/internal.js';

const ISO: readonly string[] = [
  'ALGORITHMS',
  'COMMON_MEMBERS',
  'CURVES',
  'ConversionError',
  'JWKError',
  'JWKSet',
  'JWKSetError',
  'JWKitError',
  'JWTError',
  'KEY_OPS',
  'KTYS',
  'KTY_MEMBERS',
  'KeySelectionError',
  'MemoryStorage',
  'PROBLEM_CODES',
  'REMOTE_ERROR_CODES',
  'REMOTE_JWKS_DEFAULTS',
  'RSA_MAX_BITS',
  'RSA_MIN_BITS',
  'RemoteJWKSAllFailedError',
  'RemoteJWKSError',
  'RemoteJWKSFetchError',
  'RemoteJWKSet',
  'StoreError',
  'THUMBPRINT_MEMBERS',
  'USES',
  'UnsupportedError',
  'algorithmAllowsKey',
  'algorithmKtys',
  'algorithmsForKey',
  'base64url',
  'canonicalOrder',
  'certificateThumbprints',
  'certificateToJWK',
  'checkKeyForAlg',
  'createWebBackend',
  'cryptoKeyToJWK',
  'decodeJWT',
  'derToJWK',
  'generateJWK',
  'getAlgorithm',
  'getBackend',
  'getCurve',
  'importKey',
  'isKeyOp',
  'isKty',
  'isPrivate',
  'joinPath',
  'jwkToCryptoKey',
  'jwkToDER',
  'jwkToPEM',
  'loadJWKSet',
  'parseCertificate',
  'parseJSON',
  'parseJWK',
  'parseJWKSet',
  'pemToJWK',
  'pemToJWKs',
  'problem',
  'saveJWKSet',
  'setBackend',
  'signJWS',
  'signJWT',
  'signatureAlgorithms',
  'thumbprint',
  'thumbprintInput',
  'thumbprintURI',
  'toPublic',
  'validateJWK',
  'validateJWKSet',
  'verifyCertificateChain',
  'verifyCertificateSignature',
  'verifyJWS',
  'verifyJWT',
  'verifyJWTSync',
  'verifyX5cChain',
  'webBackend',
];

const ENTRIES = {
  iso: { module: iso as Record<string, unknown>, names: ISO },
  // The Node entry re-exports the isomorphic one, plus what needs node: modules.
  node: {
    module: node as Record<string, unknown>,
    names: [...ISO, 'FileStorage', 'jwkToKeyObject', 'keyObjectToJWK', 'nodeBackend'],
  },
  internal: {
    module: internal as Record<string, unknown>,
    names: [
      'decode',
      'decodeStd',
      'encode',
      'encodeStd',
      'fetchJWKS',
      'generateBits',
      'isLoopback',
      'keyBits',
      'keyProfile',
      'parseCacheControl',
      'resolveGenerate',
      'seconds',
      'strongETag',
      'systemClock',
      'verificationRejection',
    ],
  },
};

describe('public exports', () => {
  for (const [entry, { module, names }] of Object.entries(ENTRIES)) {
    it(`${entry} still exports every name it did`, () => {
      expect(names.filter((n) => !(n in module))).toEqual([]);
    });
  }
});
