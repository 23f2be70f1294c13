/** Real certificate chains for the x5c tests, made with the openssl CLI. */
import { createPublicKey } from 'node:crypto';
import { openssl } from '../../../../../test/helpers/openssl.js';
import type { JSONObject } from './helpers.js';

export interface Chain {
  /** The leaf's public JWK with `x5c` = [leaf, ca] (standard base64 DER). */
  jwk: JSONObject;
  leafDER: Uint8Array;
  caDER: Uint8Array;
  /** A leaf naming the CA as issuer but signed by another key. */
  forgedDER: Uint8Array;
  /** An unrelated self-signed certificate. */
  otherDER: Uint8Array;
}

export const std = (der: Uint8Array) => Buffer.from(der).toString('base64');

export function makeChain(): Chain {
  const o = openssl();
  try {
    const ec = (name: string) =>
      o.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
    for (const k of ['ca.key', 'leaf.key', 'rogue.key']) ec(k);
    const selfSigned = (keyFile: string, cn: string, out: string) =>
      o.run([
        'req',
        '-x509',
        '-new',
        '-key',
        keyFile,
        '-subj',
        `/CN=${cn}`,
        '-days',
        '3650',
        '-sha256',
        '-out',
        out,
      ]);
    selfSigned('ca.key', 'jwkit test CA', 'ca.pem');
    // Same subject as the CA, other key: what it signs names the CA as issuer but does not verify.
    selfSigned('rogue.key', 'jwkit test CA', 'fake-ca.pem');
    selfSigned('rogue.key', 'someone else', 'other.pem');
    o.run(['req', '-new', '-key', 'leaf.key', '-subj', '/CN=jwkit test leaf', '-out', 'leaf.csr']);
    const sign = (ca: string, caKey: string, out: string) =>
      o.run([
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        ca,
        '-CAkey',
        caKey,
        '-set_serial',
        '2',
        '-days',
        '3650',
        '-sha256',
        '-out',
        out,
      ]);
    sign('ca.pem', 'ca.key', 'leaf.pem');
    sign('fake-ca.pem', 'rogue.key', 'forged.pem');
    const der = (pem: string) => o.runBytes(['x509', '-in', pem, '-outform', 'DER']);
    const leafDER = der('leaf.pem');
    const caDER = der('ca.pem');
    const { kty, crv, x, y } = createPublicKey(o.read('leaf.key')).export({ format: 'jwk' });
    return {
      jwk: { kty, crv, x, y, kid: 'leaf', x5c: [std(leafDER), std(caDER)] },
      leafDER,
      caDER,
      forgedDER: der('forged.pem'),
      otherDER: der('other.pem'),
    };
  } finally {
    o.cleanup();
  }
}
