/**
 * Guesses what a pasted or dropped text is, so one input box takes a JWK, a JWK Set, PEM
 * (keys, certificates, chains), a bare base64 DER certificate or a compact JWT. Only the shape is
 * looked at here; the library does all parsing and reports every problem.
 */

export type InputKind = 'empty' | 'jwk' | 'jwks' | 'json' | 'pem' | 'der' | 'jwt' | 'unknown';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BASE64_SHAPE = /^[A-Za-z0-9+/\s]+={0,2}$/;

export function detectInput(text: string): InputKind {
  // A UTF-8 byte order mark is kept in the text handed to the library (which reports it);
  // it only must not hide the first character from this guess.
  const t = text.replace(/^\uFEFF/, '').trim();
  if (t === '') return 'empty';
  if (t.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(t);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return Object.hasOwn(value, 'keys') ? 'jwks' : 'jwk';
      }
    } catch {
      // Not JSON: the validator reports the syntax error with its position.
    }
    return 'json';
  }
  if (t.includes('-----BEGIN ')) return 'pem';
  if (JWT_SHAPE.test(t)) return 'jwt';
  // A DER certificate starts with SEQUENCE (0x30): base64 "MI".
  if (t.startsWith('MI') && BASE64_SHAPE.test(t)) return 'der';
  return 'unknown';
}
