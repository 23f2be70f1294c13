/** RFC 7512 PKCS #11 URIs: the grammar, the rules of §2.3, and percent-encoding round trips. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePkcs11Value, formatPkcs11Uri, parsePkcs11Uri } from '../../src/pkcs11/uri.js';

const MOD = 'module-path=/usr/lib/softhsm/libsofthsm2.so';

function refusal(uri: string): string {
  try {
    parsePkcs11Uri(uri);
  } catch (e) {
    expect((e as { code: string }).code).toBe('ERR_PKCS11_URI');
    return (e as Error).message;
  }
  throw new Error(`accepted ${uri}`);
}

describe('parsePkcs11Uri', () => {
  it('reads the path and query attributes of the issue example', () => {
    const uri = parsePkcs11Uri(`pkcs11:token=jwkit?${MOD}&pin-source=file:pin.txt`);
    expect(uri).toMatchObject({
      token: 'jwkit',
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
      pin: { file: 'pin.txt' },
    });
    expect(uri.raw).toBe(`pkcs11:token=jwkit?${MOD}&pin-source=file:pin.txt`);
  });

  it('reads every path attribute RFC 7512 §2.3 defines', () => {
    const uri = parsePkcs11Uri(
      'pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=SoftHSM;library-version=2.6;' +
        'slot-manufacturer=SoftHSM%20project;slot-description=SoftHSM%20slot;slot-id=1234567890;' +
        'manufacturer=SoftHSM%20project;model=SoftHSM%20v2;serial=2527c523;token=My%20token%2Fone;' +
        `object=my-key;id=%01%02%FF;type=private?${MOD}&module-name=softhsm2&pin-value=1234`,
    );
    expect(uri).toMatchObject({
      libraryManufacturer: 'Snake Oil, Inc.',
      libraryDescription: 'SoftHSM',
      libraryVersion: { major: 2, minor: 6 },
      slotManufacturer: 'SoftHSM project',
      slotDescription: 'SoftHSM slot',
      slotId: 1234567890,
      manufacturer: 'SoftHSM project',
      model: 'SoftHSM v2',
      serial: '2527c523',
      token: 'My token/one',
      object: 'my-key',
      type: 'private',
      moduleName: 'softhsm2',
      pin: { value: '1234' },
    });
    expect([...uri.id!]).toEqual([1, 2, 255]);
  });

  it('redacts pin-value for logs and keeps the URI otherwise', () => {
    const uri = parsePkcs11Uri(`pkcs11:token=a?pin-value=s3cret&${MOD}`);
    expect(uri.redacted).toBe(`pkcs11:token=a?pin-value=***&${MOD}`);
    expect(uri.redacted).not.toContain('s3cret');
    expect(parsePkcs11Uri(`pkcs11:token=a?${MOD}`).redacted).toBe(`pkcs11:token=a?${MOD}`);
  });

  it('takes the scheme in any case (RFC 3986 §3.1) and an empty path', () => {
    expect(parsePkcs11Uri(`PKCS11:?${MOD}`).token).toBeUndefined();
    expect(parsePkcs11Uri(`Pkcs11:token=x?${MOD}`).token).toBe('x');
  });

  it('reads pin-source file: URIs: absolute, with an empty or localhost authority, relative, percent-encoded', () => {
    const pin = (s: string) => parsePkcs11Uri(`pkcs11:token=a?${MOD}&pin-source=${s}`).pin;
    expect(pin('file:/etc/pin')).toEqual({ file: '/etc/pin' });
    expect(pin('file:///etc/pin')).toEqual({ file: '/etc/pin' });
    expect(pin('file://localhost/etc/pin')).toEqual({ file: '/etc/pin' });
    expect(pin('file:pin.txt')).toEqual({ file: 'pin.txt' });
    expect(pin('file:/etc/my%2520pin')).toEqual({ file: '/etc/my pin' });
    expect(refusal(`pkcs11:token=a?${MOD}&pin-source=file://host/etc/pin`)).toMatch(/must be local/);
    expect(refusal(`pkcs11:token=a?${MOD}&pin-source=|/bin/ask-pin`)).toMatch(/not a file: URI/);
    expect(refusal(`pkcs11:token=a?${MOD}&pin-source=file:`)).toMatch(/names no file/);
  });

  it('keeps unknown query attributes and ignores them', () => {
    const uri = parsePkcs11Uri(`pkcs11:token=a?${MOD}&x-vendor=on%20off`);
    expect(uri.otherQuery).toEqual({ 'x-vendor': 'on off' });
  });

  it.each([
    ['http:token=a', /does not start with pkcs11:/],
    [`pkcs11:token=a;x-vendor=1?${MOD}`, /unknown path attribute x-vendor/],
    [`pkcs11:tokn=a?${MOD}`, /unknown path attribute tokn/],
    [`pkcs11:token=a;token=b?${MOD}`, /token appears more than once/],
    [`pkcs11:token=a?${MOD}&${MOD}`, /module-path appears more than once/],
    [`pkcs11:token=a?${MOD}&pin-value=1&pin-source=file:/p`, /pin-source and pin-value are both given/],
    ['pkcs11:token=a', /module-path is missing/],
    ['pkcs11:token=a?module-name=softhsm2', /module-name is given without module-path/],
    [`pkcs11:token=my token?${MOD}`, /token holds a character.*%20/],
    [`pkcs11:token=a/b?${MOD}`, /token holds a character/],
    [`pkcs11:token=a%2?${MOD}`, /token holds a character/],
    [`pkcs11:token=%FF%FE?${MOD}`, /token is not UTF-8/],
    [`pkcs11:token=a?${MOD}#frag`, /fragment/],
    [`pkcs11:token?${MOD}`, /no name=value form/],
    [`pkcs11:slot-id=0x10?${MOD}`, /slot-id "0x10" is not a decimal number/],
    [`pkcs11:slot-id=99999999999999999999?${MOD}`, /slot-id .* too large/],
    [`pkcs11:library-version=v2?${MOD}`, /library-version/],
    [`pkcs11:type=secret?${MOD}`, /type "secret" is not one of/],
    [`pkcs11:to%6Ben=a?${MOD}`, /name "to%6Ben"/],
  ])('refuses %s with ERR_PKCS11_URI naming the attribute', (uri, message) => {
    expect(refusal(uri)).toMatch(message);
  });

  it('never puts the PIN in a refusal message', () => {
    expect(refusal('pkcs11:token=a?pin-value=hunter2&pin-source=file:/x')).not.toContain('hunter2');
  });
});

describe('percent-encoding (RFC 7512 §2.4)', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });

  it('a text attribute written by encodePkcs11Value reads back unchanged, in the path and the query', () => {
    fc.assert(
      fc.property(text, text, (label, path) => {
        const uri = `pkcs11:token=${encodePkcs11Value(label)}?module-path=${encodePkcs11Value(`/m/${path}`, true)}`;
        const parsed = parsePkcs11Uri(uri);
        expect(parsed.token).toBe(label);
        expect(parsed.modulePath).toBe(`/m/${path}`);
      }),
    );
  });

  it('encoding more characters than needed (even unreserved ones) reads back the same value', () => {
    fc.assert(
      fc.property(text, fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }), (label, which) => {
        const bytes = [...new TextEncoder().encode(label)];
        const over = bytes
          .map((b, i) =>
            which[i % which.length]
              ? `%${b.toString(16).padStart(2, '0')}`
              : encodePkcs11Value(new Uint8Array([b])),
          )
          .join('');
        expect(parsePkcs11Uri(`pkcs11:token=${over}?${MOD}`).token).toBe(label);
      }),
    );
  });

  it('id bytes round-trip through the percent-encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (id) => {
        const parsed = parsePkcs11Uri(`pkcs11:id=${encodePkcs11Value(id)}?${MOD}`);
        expect([...parsed.id!]).toEqual([...id]);
      }),
    );
  });

  it('formatPkcs11Uri and parsePkcs11Uri are inverse for every attribute', () => {
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const attrs = fc.record({
      modulePath: text.filter((s) => s !== ''),
      token: opt(text),
      serial: opt(text),
      manufacturer: opt(text),
      model: opt(text),
      slotId: opt(fc.nat()),
      slotDescription: opt(text),
      libraryVersion: opt(fc.record({ major: fc.nat(99), minor: fc.nat(99) })),
      object: opt(text),
      id: opt(fc.uint8Array({ maxLength: 16 })),
      type: opt(fc.constantFrom('public', 'private', 'cert', 'secret-key', 'data') as fc.Arbitrary<'public'>),
      pin: opt(fc.oneof(fc.record({ value: text }), fc.record({ file: text.filter((s) => s !== '') }))),
    });
    fc.assert(
      fc.property(attrs, (a) => {
        const defined = Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined));
        const parsed = parsePkcs11Uri(formatPkcs11Uri(defined as typeof a));
        const { raw: _r, redacted: _d, otherQuery, ...rest } = parsed;
        expect(otherQuery).toEqual({});
        expect(rest).toEqual(defined);
      }),
    );
  });
});
