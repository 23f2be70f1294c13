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
  /** [leaf, issuer] where the issuer says basicConstraints CA:FALSE (issue 13 point 7). */
  notCA: [Uint8Array, Uint8Array];
  /** [leaf, issuer] where the issuer is a CA whose keyUsage lacks keyCertSign. */
  noCertSign: [Uint8Array, Uint8Array];
  /** [leaf, intermediate CA, root with pathLenConstraint 0]: one CA too many below the root. */
  tooLong: [Uint8Array, Uint8Array, Uint8Array];
  /** [leaf issued by "CN=jwkit test ca", the CA "CN=jwkit test CA"]: names equal only ignoring case. */
  caseOnly: [Uint8Array, Uint8Array];
}

export const std = (der: Uint8Array) => Buffer.from(der).toString('base64');

export function makeChain(): Chain {
  const o = openssl();
  try {
    const ec = (name: string) =>
      o.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name]);
    for (const k of ['ca.key', 'leaf.key', 'rogue.key']) ec(k);
    const selfSigned = (keyFile: string, cn: string, out: string, ...ext: string[]) =>
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
        ...ext.flatMap((e) => ['-addext', e]),
      ]);
    selfSigned('ca.key', 'jwkit test CA', 'ca.pem');
    // Same subject as the CA, other key: what it signs names the CA as issuer but does not verify.
    selfSigned('rogue.key', 'jwkit test CA', 'fake-ca.pem');
    selfSigned('rogue.key', 'someone else', 'other.pem');
    o.run(['req', '-new', '-key', 'leaf.key', '-subj', '/CN=jwkit test leaf', '-out', 'leaf.csr']);
    const sign = (ca: string, caKey: string, out: string, csr = 'leaf.csr', ext?: string) => {
      if (ext !== undefined) o.write(`${out}.ext`, `${ext}\n`);
      o.run([
        'x509',
        '-req',
        '-in',
        csr,
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
        ...(ext === undefined ? [] : ['-extfile', `${out}.ext`]),
      ]);
    };
    sign('ca.pem', 'ca.key', 'leaf.pem');
    sign('fake-ca.pem', 'rogue.key', 'forged.pem');
    const der = (pem: string) => o.runBytes(['x509', '-in', pem, '-outform', 'DER']);
    // Issuers that may not issue: an end-entity certificate, and a CA without keyCertSign.
    selfSigned('rogue.key', 'jwkit end entity', 'ee.pem', 'basicConstraints=critical,CA:FALSE');
    sign('ee.pem', 'rogue.key', 'by-ee.pem');
    selfSigned(
      'rogue.key',
      'jwkit CA without keyCertSign',
      'no-sign.pem',
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,digitalSignature',
    );
    sign('no-sign.pem', 'rogue.key', 'by-no-sign.pem');
    // A root that allows no intermediate CA, with one below it.
    selfSigned('ca.key', 'jwkit root pathlen 0', 'root0.pem', 'basicConstraints=critical,CA:TRUE,pathlen:0');
    o.run(['req', '-new', '-key', 'rogue.key', '-subj', '/CN=jwkit intermediate', '-out', 'inter.csr']);
    sign('root0.pem', 'ca.key', 'inter.pem', 'inter.csr', 'basicConstraints=critical,CA:TRUE');
    sign('inter.pem', 'rogue.key', 'by-inter.pem');
    // An issuer whose name differs from the CA's only in case: linked by text, not by DER.
    selfSigned('rogue.key', 'jwkit test ca', 'lower-ca.pem');
    sign('lower-ca.pem', 'rogue.key', 'by-lower.pem');
    const leafDER = der('leaf.pem');
    const caDER = der('ca.pem');
    const { kty, crv, x, y } = createPublicKey(o.read('leaf.key')).export({ format: 'jwk' });
    return {
      jwk: { kty, crv, x, y, kid: 'leaf', x5c: [std(leafDER), std(caDER)] },
      leafDER,
      caDER,
      forgedDER: der('forged.pem'),
      otherDER: der('other.pem'),
      notCA: [der('by-ee.pem'), der('ee.pem')],
      noCertSign: [der('by-no-sign.pem'), der('no-sign.pem')],
      tooLong: [der('by-inter.pem'), der('inter.pem'), der('root0.pem')],
      caseOnly: [der('by-lower.pem'), caDER],
    };
  } finally {
    o.cleanup();
  }
}
