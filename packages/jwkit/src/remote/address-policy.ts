/**
 * Which network addresses a JWK Set may be fetched from. A URL that a third party controls (a
 * discovery document's `jwks_uri`, a redirect) can point at the fetching host's own network:
 * loopback services, the cloud metadata endpoint at 169.254.169.254, private ranges. Fetching
 * it is server-side request forgery (OWASP SSRF prevention cheat sheet), so a caller that takes
 * URLs from others can refuse every address that is not public: the hostname is resolved and
 * EVERY address it resolves to is checked, IPv4 and IPv6 alike, including IPv4 addresses
 * embedded in IPv6 ones (mapped, compatible, NAT64, 6to4), which reach the same hosts.
 *
 * Isomorphic: IP literals are parsed here; hostnames are resolved by a `lookup` function
 * (node:dns by default where the runtime has it, found without a static import).
 */

/** What kind of non-public address an address is (RFC 6890 special-purpose registries). */
export type AddressKind = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

/**
 * Resolves a hostname to every address it has (IPv4 and IPv6, as text). The default uses
 * node:dns `lookup` with `all: true`, as `fetch` itself does.
 */
export type LookupFunction = (hostname: string) => Promise<readonly string[]>;

/**
 * - `'allow'` (default): any address;
 * - `'refuse'`: only public addresses; a URL whose host is, or resolves to, a loopback, private,
 *   link-local, unspecified, multicast or reserved address is refused before any request.
 */
export type PrivateAddressPolicy = 'allow' | 'refuse';

/** A refused address of a host. */
export interface AddressProblem {
  readonly host: string;
  readonly address: string;
  readonly kind: AddressKind;
}

/** The kind of a non-public address, or `undefined` when `address` is public (or not an IP). */
export function addressKind(address: string): AddressKind | undefined {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return ipv4Kind(v4);
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return ipv6Kind(v6);
  return undefined;
}

/** Whether `text` is an IPv4 or IPv6 literal (brackets allowed). */
export function isIPLiteral(text: string): boolean {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIPv4(t) !== undefined || parseIPv6(t) !== undefined;
}

/**
 * The first non-public address `url`'s host is or resolves to, or `undefined` when all are
 * public. Lookup errors (no such host) propagate: the fetch would fail the same way.
 */
export async function privateAddressOf(
  url: URL,
  lookup: LookupFunction,
): Promise<AddressProblem | undefined> {
  const host = url.hostname;
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  const addresses = isIPLiteral(literal) ? [literal] : await lookup(literal);
  if (addresses.length === 0) return { host, address: '(none)', kind: 'unspecified' };
  for (const address of addresses) {
    const kind = addressKind(address);
    // A lookup result that is not an address at all is refused rather than trusted.
    if (kind !== undefined || !isIPLiteral(address)) return { host, address, kind: kind ?? 'reserved' };
  }
  return undefined;
}

/** The part of node:dns used here (typed locally: this module is isomorphic). */
interface NodeDNS {
  promises: {
    lookup(
      hostname: string,
      options: { all: true; verbatim: boolean },
    ): Promise<{ address: string; family: number }[]>;
  };
}

/** node:dns `lookup` (all addresses), or `undefined` in a runtime without node:dns. */
export function systemLookup(): LookupFunction | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  if (typeof get !== 'function') return undefined;
  const dns = get('node:dns') as NodeDNS | undefined;
  if (typeof dns?.promises?.lookup !== 'function') return undefined;
  return async (hostname) => {
    const found = await dns.promises.lookup(hostname, { all: true, verbatim: true });
    return found.map((a) => a.address);
  };
}

// ----- IPv4 -----

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    // Dotted decimal only: `new URL` has already normalised hex and short forms of a hostname.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

/** RFC 6890 §2.2.2 (and RFC 1122, 1918, 3927, 5737, 6598, 2544, 5771, 1112). */
function ipv4Kind([a = 0, b = 0, c = 0]: number[]): AddressKind | undefined {
  if (a === 0) return 'unspecified'; // 0.0.0.0/8 "this network"
  if (a === 127) return 'loopback';
  if (a === 10) return 'private';
  if (a === 172 && b >= 16 && b <= 31) return 'private';
  if (a === 192 && b === 168) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // shared address space (CGNAT)
  if (a === 169 && b === 254) return 'link-local'; // incl. 169.254.169.254, cloud metadata
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return 'reserved'; // IETF assignments, TEST-NET-1
  if (a === 192 && b === 88 && c === 99) return 'reserved'; // 6to4 relay anycast
  if (a === 198 && (b === 18 || b === 19)) return 'reserved'; // benchmarking
  if (a === 198 && b === 51 && c === 100) return 'reserved'; // TEST-NET-2
  if (a === 203 && b === 0 && c === 113) return 'reserved'; // TEST-NET-3
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved'; // incl. 255.255.255.255
  return undefined;
}

// ----- IPv6 -----

/** Eight 16-bit groups, or `undefined`. Accepts `::` compression, an IPv4 tail and a zone id. */
function parseIPv6(input: string): number[] | undefined {
  const text = input.split('%')[0]!;
  if (!text.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(item)) return undefined;
        out.push(Number.parseInt(item, 16));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const fill = 8 - head.length - tail.length;
  if (fill < 1) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

function embeddedIPv4(g: number[], at: number): number[] {
  return [g[at]! >> 8, g[at]! & 0xff, g[at + 1]! >> 8, g[at + 1]! & 0xff];
}

/** RFC 6890 §2.2.3, RFC 4291 §2.5, RFC 6052, RFC 3056, RFC 4193, RFC 4380. */
function ipv6Kind(g: number[]): AddressKind | undefined {
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 8)) return 'unspecified';
  if (zero(0, 7) && g[7] === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (translated), ::a.b.c.d (compatible): an IPv4 host.
  if (zero(0, 5) && g[5] === 0xffff) return ipv4Kind(embeddedIPv4(g, 6));
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return ipv4Kind(embeddedIPv4(g, 6));
  if (zero(0, 6)) return ipv4Kind(embeddedIPv4(g, 6));
  // 64:ff9b::/96 (NAT64, RFC 6052) reaches the embedded IPv4 host; 64:ff9b:1::/48 is local use.
  if (g[0] === 0x64 && g[1] === 0xff9b) return zero(2, 6) ? ipv4Kind(embeddedIPv4(g, 6)) : 'private';
  // 2002::/16 (6to4, RFC 3056) embeds the IPv4 address of its gateway.
  if (g[0] === 0x2002) return ipv4Kind(embeddedIPv4(g, 1));
  if (g[0] === 0x2001 && g[1] === 0) return 'reserved'; // Teredo (RFC 4380): tunnels to anywhere
  if (g[0] === 0x2001 && g[1] === 0xdb8) return 'reserved'; // documentation
  if (g[0] === 0x100 && zero(1, 4)) return 'reserved'; // discard-only
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((first & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 site-local (deprecated)
  if ((first & 0xff00) === 0xff00) return 'multicast';
  // Only 2000::/3 is allocated as global unicast; the rest is reserved.
  if ((first & 0xe000) !== 0x2000) return 'reserved';
  return undefined;
}
