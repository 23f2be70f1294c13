/**
 * Random mutations of valid DER, PEM and JWK input: jwkit either converts them or throws one of
 * its own errors (a JWKitError subclass), never a TypeError or RangeError from deep inside, and
 * never hangs. Scale with FUZZ_RUNS.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { JWKitError } from '../../src/errors/index.js';
import type { JWK } from '../../src/jwk/model.js';
import { derToJWK, jwkToDER, jwkToPEM, pemToJWKs } from '../../src/pkix/convert.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

function nodeKey(type: string, options: object = {}): JWK {
  const { privateKey } = generateKeyPairSync(type as 'ec', options as never) as unknown as {
    privateKey: KeyObject;
  };
  return privateKey.export({ format: 'jwk' }) as JWK;
}

const KEYS: JWK[] = [
  nodeKey('rsa', { modulusLength: 2048 }),
  nodeKey('ec', { namedCurve: 'P-256' }),
  nodeKey('ec', { namedCurve: 'P-521' }),
  nodeKey('ec', { namedCurve: 'secp256k1' }),
  nodeKey('ed25519'),
  nodeKey('ed448'),
  nodeKey('x25519'),
  nodeKey('x448'),
];

interface Sample {
  readonly name: string;
  readonly der: Uint8Array;
  readonly pem: string;
}
const SAMPLES: Sample[] = [];

beforeAll(async () => {
  for (const key of KEYS) {
    const formats =
      key.kty === 'RSA'
        ? ['pkcs8', 'pkcs1', 'spki']
        : key.kty === 'EC'
          ? ['pkcs8', 'sec1', 'spki']
          : ['pkcs8', 'spki'];
    for (const format of formats as ('pkcs8' | 'pkcs1' | 'sec1' | 'spki')[]) {
      const name = `${key.kty} ${String(key.crv ?? '')} ${format}`;
      SAMPLES.push({ name, der: await jwkToDER(key, { format }), pem: await jwkToPEM(key, { format }) });
    }
  }
  // Encrypted: few iterations, so that even a mutated iteration count stays cheap.
  const enc = { passphrase: 'p', iterations: 100 };
  SAMPLES.push({ name: 'encrypted', der: await jwkToDER(KEYS[1]!, enc), pem: await jwkToPEM(KEYS[1]!, enc) });
});

/** A valid sample with up to four edits: byte replacements, insertions, deletions, a truncation. */
const mutated = fc
  .tuple(
    fc.nat(),
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({
          op: fc.constant('insert' as const),
          at: fc.nat(),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        fc.record({ op: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
        fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([pick, edits]) => ({ pick, edits }));

function apply<T>(
  items: T[],
  edits: { op: string; at: number; value: number }[],
  fromByte: (b: number) => T,
): T[] {
  const out = [...items];
  for (const { op, at, value } of edits) {
    const i = at % (out.length + 1);
    if (op === 'set' && i < out.length) out[i] = fromByte(value);
    else if (op === 'insert') out.splice(i, 0, fromByte(value));
    else if (op === 'delete') out.splice(i, 1);
    else if (op === 'truncate') out.length = i;
  }
  return out;
}

async function onlyJWKitErrors(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (!(e instanceof JWKitError)) throw new Error(`threw a non-jwkit error: ${String(e)}`, { cause: e });
  }
}

describe('mutated input throws only JWKitError', () => {
  it('DER of every format', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async ({ pick, edits }) => {
        const sample = SAMPLES[pick % SAMPLES.length]!;
        const der = Uint8Array.from(apply([...sample.der], edits, (b) => b));
        await onlyJWKitErrors(() => derToJWK(der, { passphrase: 'p' }));
      }),
      { numRuns: RUNS },
    );
  });

  it('PEM text of every format', async () => {
    const chars = '\n\r -=+/ABCabc019';
    await fc.assert(
      fc.asyncProperty(mutated, async ({ pick, edits }) => {
        const sample = SAMPLES[pick % SAMPLES.length]!;
        const pem = apply([...sample.pem], edits, (b) =>
          b < 128 ? chars[b % chars.length]! : String.fromCharCode(b),
        ).join('');
        await onlyJWKitErrors(() => pemToJWKs(pem, { passphrase: 'p' }));
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes wrapped as a DER SEQUENCE', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const len = bytes.length < 128 ? [bytes.length] : [0x82, bytes.length >> 8, bytes.length & 0xff];
        await onlyJWKitErrors(() => derToJWK(Uint8Array.from([0x30, ...len, ...bytes])));
      }),
      { numRuns: RUNS },
    );
  });

  it('JWK members replaced by arbitrary JSON values', async () => {
    const members = ['kty', 'crv', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'x', 'y', 'oth'];
    await fc.assert(
      fc.asyncProperty(
        fc.nat(KEYS.length - 1),
        fc.dictionary(
          fc.constantFrom(...members),
          fc.oneof(fc.jsonValue(), fc.base64String(), fc.constant(undefined)),
        ),
        fc.constantFrom(undefined, 'spki', 'pkcs8', 'pkcs1', 'sec1'),
        async (i, patch, format) => {
          const jwk = { ...KEYS[i]!, ...patch } as JWK;
          await onlyJWKitErrors(() => jwkToPEM(jwk, format === undefined ? {} : { format }));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('non-JWK values', async () => {
    for (const value of [null, undefined, 42, 'PEM', [], { kty: 7 }, { kty: 'constructor' }]) {
      await onlyJWKitErrors(() => jwkToPEM(value as never));
      await onlyJWKitErrors(() => pemToJWKs(value as never));
      await onlyJWKitErrors(() => derToJWK(value as never));
    }
  });
});

it('samples cover every key type', () => {
  expect(SAMPLES.length).toBe(3 * 4 + 2 * 4 + 1);
});
