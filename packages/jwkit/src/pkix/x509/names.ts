/**
 * X.501 Names: the RFC 4514 text form for people, and the one comparator for chain links.
 *
 * Chains are linked by comparing DER (issue 13 point 7): RFC 5280 §4.1.2.4 has a CA encode the
 * issuer field of what it signs exactly as its own subject, and every mainstream verifier links
 * by those bytes. Comparing the RFC 4514 text case-insensitively (as jwkit did) made names equal
 * that a verifier keeps apart: `CN=a` and `CN=A`, or a PrintableString and a UTF8String.
 */

import { equalBytes, toHex } from '../../encoding/bytes.js';
import { type DERNode, Fields, readOID, readString, structureError, TAG } from '../asn1.js';
import { oidOfKind } from '../oids.js';

/** Whether two encoded Names are the same name: equal DER, nothing looser. */
export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  return equalBytes(a, b);
}

/**
 * A Name as an RFC 4514 string: RDNs last-to-first, joined by `,`; multi-valued RDNs joined by
 * `+`, also last-to-first (RFC 4514 §2.2 allows any order; this one matches
 * `openssl -nameopt RFC2253`); values escaped per RFC 4514 §2.4; unknown types as dotted OIDs
 * with `#`-hex values.
 */
export function formatName(name: DERNode, what = 'certificate Name'): string {
  if (name.tag !== TAG.SEQUENCE) throw structureError(what, 'a Name must be a SEQUENCE');
  const rdns = name.children.map((rdn) => {
    if (rdn.tag !== TAG.SET || rdn.children.length === 0) {
      throw structureError(what, 'each RelativeDistinguishedName must be a non-empty SET');
    }
    return rdn.children
      .map((atv) => {
        const f = new Fields(atv, `${what} attribute`);
        const type = readOID(f.next(TAG.OID, 'type'), `${what} attribute type`);
        const valueNode = f.any('value');
        f.end();
        const short = oidOfKind(type, 'attribute')?.short;
        const text = short === undefined ? undefined : readString(valueNode, `${what} ${short}`);
        // RFC 4514 §2.4: a dotted type, or a value that is not a string, is written as #hex BER.
        return text === undefined
          ? `${short ?? type}=#${toHex(valueNode.bytes)}`
          : `${short}=${escapeValue(text)}`;
      })
      .reverse()
      .join('+');
  });
  return rdns.reverse().join(',');
}

function escapeValue(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\0') out += '\\00';
    else if ('",+;<>\\'.includes(c)) out += `\\${c}`;
    else if ((i === 0 && (c === ' ' || c === '#')) || (i === v.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  }
  return out;
}
