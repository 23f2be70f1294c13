import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../../test/helpers/backends.js';
import { fingerprintToBase64url, type OpenSSL, openssl } from '../../../../test/helpers/openssl.js';
import { readJSON } from '../../../../test/helpers/vectors.js';
import {
  certificateToJWK,
  verifyCertificateChain,
  verifyCertificateSignature,
} from '../../src/crypto/x509.js';
import { decodeStd, encodeStd } from '../../src/encoding/base64url.js';
import { ConversionError, JWKitError, UnsupportedError } from '../../src/errors/index.js';
import { decodePEM } from '../../src/pkix/armor.js';
import { pemToJWK } from '../../src/pkix/convert.js';
import { type CertificateInfo, parseCertificate } from '../../src/pkix/x509/index.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

interface AppendixB {
  jwk: { n: string; e: string; x5c: string[] };
  computed: Record<string, string>;
}
const B = readJSON<AppendixB>('vectors', 'rfc', 'rfc7517-appendix-b.json');
const B_DER = decodeStd(B.jwk.x5c[0]!);

describe('RFC 7517 Appendix B certificate', () => {
  it('parses subject, issuer, validity, serial, algorithm and key', () => {
    const cert = parseCertificate(B_DER);
    expect(cert.subject).toBe(B.computed.certificate_subject);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.notBefore.toISOString()).toBe('2013-02-21T23:29:15.000Z');
    expect(cert.notAfter.toISOString()).toBe('2018-08-14T22:29:15.000Z');
    expect(cert.serialNumber).toBe('013CFF16E2E2');
    expect(cert.version).toBe(3);
    expect(cert.signatureAlgorithm).toMatchObject({
      oid: '1.2.840.113549.1.1.5',
      name: 'sha1WithRSAEncryption',
    });
    expect(cert.publicKey).toEqual({ kty: 'RSA', n: B.jwk.n, e: B.jwk.e });
    expect(cert.der).toEqual(B_DER);
    expect(cert.signature.length).toBe(256);
    // The TBS is the certificate's first element: it starts right after the outer header.
    expect(cert.tbs).toEqual(B_DER.subarray(4, 4 + cert.tbs.length));
  });

  it('converts to a JWK with the documented x5t and x5t#S256', async () => {
    const jwk = await certificateToJWK(B.jwk.x5c);
    expect(jwk).toEqual({
      kty: 'RSA',
      n: B.jwk.n,
      e: B.jwk.e,
      x5c: B.jwk.x5c,
      x5t: B.computed.x5t_sha1_of_x5c0,
      'x5t#S256': B.computed['x5t#S256_of_x5c0'],
    });
  });

  it('accepts DER bytes and PEM text alike', async () => {
    const pem = `-----BEGIN CERTIFICATE-----\r\n${B.jwk.x5c[0]!.replace(/.{64}/g, '$&\r\n')}\r\n-----END CERTIFICATE-----\r\n`;
    const fromPEM = await certificateToJWK(pem);
    const fromDER = await certificateToJWK(B_DER);
    expect(fromPEM).toEqual(fromDER);
    expect(await pemToJWK(pem)).toEqual(fromDER);
  });

  it('refuses base64url in place of x5c base64', async () => {
    const url = B.jwk.x5c[0]!.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    await expect(certificateToJWK([url])).rejects.toMatchObject({ code: 'ERR_X509_INVALID' });
  });

  it('says a SHA-1 signature cannot be verified rather than guessing', async () => {
    const cert = parseCertificate(B_DER);
    await expect(verifyCertificateSignature(cert, cert)).rejects.toBeInstanceOf(UnsupportedError);
  });
});

describe('certificates written by openssl req -x509', () => {
  let ssl: OpenSSL;
  beforeAll(() => {
    ssl = openssl();
    ssl.run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.key']);
    ssl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.key']);
    ssl.run(['genpkey', '-algorithm', 'ED25519', '-out', 'ed.key']);
    ssl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'p384.key']);
    const req = (key: string, out: string, subj: string, extra: string[] = []) =>
      ssl.run(['req', '-x509', '-key', key, '-out', out, '-subj', subj, '-days', '30', ...extra]);
    req('rsa.key', 'rsa.crt', '/C=US/ST=CO/O=Ex\\, Inc./OU=Eng+CN=Doe', ['-multivalue-rdn', '-sha256']);
    req('ec.key', 'ec.crt', '/CN=EC Root/O=jwkit', ['-sha256']);
    req('ed.key', 'ed.crt', '/CN=Ed Root');
    req('p384.key', 'p384.crt', '/CN=P-384 with SHA-256', ['-sha256']);
    // A two-certificate chain: the EC root signs an RSA leaf.
    ssl.write('leaf.ext', 'basicConstraints=CA:FALSE\n');
    ssl.run(['req', '-new', '-key', 'rsa.key', '-subj', '/CN=leaf.example', '-out', 'leaf.csr']);
    ssl.run([
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ec.crt',
      '-CAkey',
      'ec.key',
      '-CAcreateserial',
      '-days',
      '10',
      '-sha256',
      '-extfile',
      'leaf.ext',
      '-out',
      'leaf.crt',
    ]);
    // A root with the same name but another key: the leaf's signature must not verify with it.
    ssl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key']);
    req('other.key', 'other.crt', '/CN=EC Root/O=jwkit', ['-sha256']);
  });
  afterAll(() => ssl.cleanup());

  const der = (name: string) => decodePEM(ssl.read(name))[0]!.der;

  it.each(['rsa.crt', 'ec.crt', 'ed.crt', 'leaf.crt'])('%s: fields match openssl x509', async (name) => {
    const cert = parseCertificate(der(name));
    const show = (flag: string) =>
      ssl.run(['x509', '-in', name, '-noout', '-nameopt', 'RFC2253', flag]).trim();
    expect(`subject=${cert.subject}`).toBe(show('-subject'));
    expect(`issuer=${cert.issuer}`).toBe(show('-issuer'));
    expect(`serial=${cert.serialNumber}`).toBe(show('-serial'));
    expect(cert.notBefore).toEqual(new Date(show('-startdate').split('=')[1]!));
    expect(cert.notAfter).toEqual(new Date(show('-enddate').split('=')[1]!));
    expect(cert.publicKey).toEqual(await pemToJWK(ssl.run(['x509', '-in', name, '-noout', '-pubkey'])));
    const jwk = await certificateToJWK(ssl.read(name));
    expect(jwk.x5t).toBe(fingerprintToBase64url(show('-fingerprint')));
    expect(jwk['x5t#S256']).toBe(
      fingerprintToBase64url(ssl.run(['x509', '-in', name, '-noout', '-fingerprint', '-sha256'])),
    );
    expect(jwk.x5c).toEqual([encodeStd(der(name))]);
  });

  it('reads the basicConstraints cA flag', () => {
    expect(parseCertificate(der('ec.crt')).isCA).toBe(true);
    expect(parseCertificate(der('leaf.crt')).isCA).toBe(false);
  });

  it('escapes RFC 4514 specials and keeps multi-valued RDNs', () => {
    expect(parseCertificate(der('rsa.crt')).subject).toBe('OU=Eng+CN=Doe,O=Ex\\, Inc.,ST=CO,C=US');
  });

  describe.each(BACKENDS)('$name backend', ({ backend }) => {
    it.each(['rsa.crt', 'ec.crt', 'ed.crt'])('%s: the self-signature verifies', async (name) => {
      const cert = parseCertificate(der(name));
      expect(await verifyCertificateSignature(cert, cert, { backend })).toBe(true);
    });

    it('a 2-certificate chain converts with x5c leaf first and verifies', async () => {
      const chainPEM = ssl.read('leaf.crt') + ssl.read('ec.crt');
      const jwk = await certificateToJWK(chainPEM, { verifyChain: true, backend });
      expect(jwk.kty).toBe('RSA');
      expect(jwk.x5c).toEqual([encodeStd(der('leaf.crt')), encodeStd(der('ec.crt'))]);
      expect(await pemToJWK(chainPEM)).toEqual(jwk);
    });

    it('a chain whose issuer has the right name but the wrong key fails ERR_X509_SIGNATURE', async () => {
      await expect(
        certificateToJWK([der('leaf.crt'), der('other.crt')], { verifyChain: true, backend }),
      ).rejects.toMatchObject({ code: 'ERR_X509_SIGNATURE' });
      // Without verifyChain only the names are linked, and they match.
      await expect(certificateToJWK([der('leaf.crt'), der('other.crt')])).resolves.toBeDefined();
    });

    it('a tampered TBS fails verification', async () => {
      const leaf = parseCertificate(der('leaf.crt'));
      const tbs = leaf.tbs.slice();
      tbs[tbs.length - 40]! ^= 1;
      const forged: CertificateInfo = { ...leaf, tbs };
      expect(await verifyCertificateSignature(forged, parseCertificate(der('ec.crt')), { backend })).toBe(
        false,
      );
    });
  });

  it('a chain in the wrong order fails ERR_X509_CHAIN', async () => {
    await expect(certificateToJWK([der('ec.crt'), der('leaf.crt')])).rejects.toMatchObject({
      code: 'ERR_X509_CHAIN',
    });
    const chain = [der('ec.crt'), der('leaf.crt')].map(parseCertificate);
    await expect(verifyCertificateChain(chain, { signatures: false })).rejects.toBeInstanceOf(
      ConversionError,
    );
  });

  it('ECDSA with a hash JWS does not pair with the curve is unsupported, not false', async () => {
    const cert = parseCertificate(der('p384.crt'));
    expect(cert.signatureAlgorithm.name).toBe('ecdsa-with-SHA256');
    await expect(verifyCertificateSignature(cert, cert)).rejects.toBeInstanceOf(UnsupportedError);
  });

  it('refuses a PEM file holding something other than certificates', async () => {
    await expect(certificateToJWK(ssl.read('ec.key'))).rejects.toMatchObject({
      code: 'ERR_PEM_UNEXPECTED_LABEL',
    });
  });
});

describe('malformed certificates', () => {
  it('rejects trailing bytes, truncation and a mismatched inner signature algorithm', () => {
    const withTrailing = new Uint8Array([...B_DER, 0]);
    expect(() => parseCertificate(withTrailing)).toThrow(
      expect.objectContaining({ code: 'ERR_DER_MALFORMED' }),
    );
    expect(() => parseCertificate(B_DER.subarray(0, 100))).toThrow(
      expect.objectContaining({ code: 'ERR_DER_MALFORMED' }),
    );
    // Flip sha1WithRSAEncryption (…01 05) to sha256WithRSAEncryption (…01 0b) in the outer algorithm only.
    const bad = B_DER.slice();
    const outer = bad.length - 256 - 5 - 15 + 12;
    expect(bad[outer]).toBe(5);
    bad[outer] = 0x0b;
    expect(() => parseCertificate(bad)).toThrow(expect.objectContaining({ code: 'ERR_X509_INVALID' }));
  });

  it('random byte mutations throw only JWKitError subclasses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(B_DER.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const m = B_DER.slice();
          for (const [i, v] of edits) m[i] = v;
          try {
            parseCertificate(m);
          } catch (e) {
            expect(e).toBeInstanceOf(JWKitError);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random truncations and insertions throw only JWKitError subclasses', () => {
    fc.assert(
      fc.property(fc.nat(B_DER.length), fc.uint8Array({ maxLength: 8 }), (cut, insert) => {
        const m = new Uint8Array([...B_DER.subarray(0, cut), ...insert, ...B_DER.subarray(cut)]);
        try {
          parseCertificate(m);
        } catch (e) {
          expect(e).toBeInstanceOf(JWKitError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('chain links (issue 13 point 7)', () => {
  let chains: import('../jwk/validate/certs.js').Chain;
  beforeAll(async () => {
    chains = (await import('../jwk/validate/certs.js')).makeChain();
  });
  const parse = (ders: readonly Uint8Array[]) => ders.map((d) => parseCertificate(d));

  it('reads basicConstraints pathLen and keyUsage', () => {
    const [, inter, root] = parse(chains.tooLong);
    expect(root!.isCA).toBe(true);
    expect(root!.pathLength).toBe(0);
    expect(inter!.isCA).toBe(true);
    const [, noSign] = parse(chains.noCertSign);
    expect(noSign!.keyUsage).toEqual(['digitalSignature']);
  });

  it('refuses an issuer that is not a CA, even when its signature verifies', async () => {
    const chain = parse(chains.notCA);
    await expect(verifyCertificateChain(chain, { signatures: false })).rejects.toMatchObject({
      code: 'ERR_X509_CHAIN',
      message: expect.stringContaining('not a CA'),
    });
    await expect(verifyCertificateChain(chain)).rejects.toMatchObject({ code: 'ERR_X509_CHAIN' });
    await expect(certificateToJWK(chains.notCA)).rejects.toMatchObject({ code: 'ERR_X509_CHAIN' });
    // The issuer's signature itself is fine: only the CA flag is wrong.
    expect(await verifyCertificateSignature(chain[0]!, chain[1]!)).toBe(true);
  });

  it('refuses a CA without keyCertSign and a chain past pathLenConstraint', async () => {
    await expect(verifyCertificateChain(parse(chains.noCertSign))).rejects.toMatchObject({
      code: 'ERR_X509_CHAIN',
      message: expect.stringContaining('keyCertSign'),
    });
    await expect(verifyCertificateChain(parse(chains.tooLong))).rejects.toMatchObject({
      code: 'ERR_X509_CHAIN',
      message: expect.stringContaining('pathLenConstraint'),
    });
  });

  it('compares names by DER, not by case-folded text', async () => {
    const chain = parse(chains.caseOnly);
    expect(chain[0]!.issuer.toLowerCase()).toBe(chain[1]!.subject.toLowerCase());
    await expect(verifyCertificateChain(chain, { signatures: false })).rejects.toMatchObject({
      code: 'ERR_X509_CHAIN',
    });
  });

  it('accepts a good chain: leaf, CA', async () => {
    await expect(verifyCertificateChain(parse([chains.leafDER, chains.caDER]))).resolves.toBeUndefined();
  });
});
