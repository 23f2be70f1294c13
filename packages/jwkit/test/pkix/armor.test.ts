import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConversionError } from '../../src/errors/index.js';
import { decodePEM, encodePEM, MAX_PEM_BLOCKS } from '../../src/pkix/armor.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const der = Uint8Array.from({ length: 100 }, (_, i) => i);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ConversionError);
    return (e as ConversionError).code;
  }
}

describe('decodePEM', () => {
  it('reads the strict form encodePEM writes', () => {
    const pem = encodePEM('PUBLIC KEY', der);
    expect(pem.split('\n')[1]).toHaveLength(64);
    expect(decodePEM(pem)).toEqual([{ label: 'PUBLIC KEY', headers: {}, der, line: 1 }]);
  });

  it('tolerates CRLF, indentation, unwrapped bodies and text around and between blocks', () => {
    const a = encodePEM('CERTIFICATE', der).replace(/\n/g, '\r\n');
    const b = `  -----BEGIN PRIVATE KEY-----\n  ${Buffer.from(der).toString('base64')}  \n  -----END PRIVATE KEY-----`;
    const blocks = decodePEM(`subject=CN=x\r\n${a}Comment: between\n${b}\ntrailer`);
    expect(blocks.map((x) => [x.label, x.line])).toEqual([
      ['CERTIFICATE', 2],
      ['PRIVATE KEY', 8],
    ]);
    expect(blocks.every((x) => Buffer.from(x.der).equals(Buffer.from(der)))).toBe(true);
  });

  it('reads RFC 1421 headers of legacy encrypted keys', () => {
    const pem = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n`;
    expect(decodePEM(pem)[0]!.headers).toEqual({ 'Proc-Type': '4,ENCRYPTED', 'DEK-Info': 'AES-256-CBC,00' });
  });

  it.each([
    ['no block at all', 'hello', 'ERR_PEM_NO_BLOCK'],
    ['a missing END line', '-----BEGIN PUBLIC KEY-----\nAAAA\n', 'ERR_PEM_MALFORMED'],
    [
      'a BEGIN inside a block',
      '-----BEGIN A-----\nAAAA\n-----BEGIN B-----\nAAAA\n-----END B-----',
      'ERR_PEM_MALFORMED',
    ],
    ['mismatched labels', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----', 'ERR_PEM_MALFORMED'],
    ['a base64url body', '-----BEGIN X-----\nAA-_\n-----END X-----', 'ERR_PEM_MALFORMED'],
    ['missing padding', '-----BEGIN X-----\nAAA\n-----END X-----', 'ERR_PEM_MALFORMED'],
    ['an empty body', '-----BEGIN X-----\n-----END X-----', 'ERR_PEM_MALFORMED'],
    ['a non-string', 42, 'ERR_PEM_NO_BLOCK'],
  ])('refuses %s', (_, text, code) => {
    expect(codeOf(() => decodePEM(text as string))).toBe(code);
  });

  it('caps the number of blocks', () => {
    const text = '-----BEGIN X-----\nAAAA\n-----END X-----\n'.repeat(MAX_PEM_BLOCKS + 1);
    expect(codeOf(() => decodePEM(text))).toBe('ERR_PEM_LIMIT');
  });

  it('any text gives blocks or a ConversionError', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            '-----BEGIN X-----',
            '-----END X-----',
            'AAAA',
            'A=',
            '\r\n',
            '\n',
            ' ',
            'Key: v',
            '-',
          ),
          {
            maxLength: 20,
          },
        ),
        (parts) => {
          codeOf(() => decodePEM(parts.join('')));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
