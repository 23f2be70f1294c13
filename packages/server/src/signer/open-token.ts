/**
 * Opening the `--pkcs11` token for a writer (`jwkit serve`, `jwkit keys rotate|revoke|import`):
 * parse the RFC 7512 URI, log in, and check that the token can make and sign every configured
 * algorithm, before any store is opened, so that a wrong PIN or a missing mechanism exits having
 * created nothing (no store file, no master key file, no token object).
 */

import { TokenError } from '../pkcs11/errors.js';
import { openToken, type Pkcs11Token, parsePkcs11Uri } from '../pkcs11/index.js';

export interface TokenLog {
  warn(message: string): void;
  info(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Opens the token of `uriText` and checks `algs` (ERR_PKCS11_URI, ERR_PKCS11_MODULE,
 * ERR_PKCS11_TOKEN, ERR_PKCS11_PIN, ERR_PKCS11_MECHANISM: each exits 1 with one line). `name` is
 * what store rows record as the token (the URI's `token` attribute, else the description). A
 * `pin-value` in a URI given as a flag is visible to every user of the host: warned.
 */
export async function openCustodyToken(
  uriText: string,
  algs: readonly string[],
  log: TokenLog,
): Promise<{ token: Pkcs11Token; name: string }> {
  const uri = parsePkcs11Uri(uriText);
  if (uri.pin !== undefined && 'value' in uri.pin) {
    log.warn(
      'the PKCS#11 URI carries pin-value: a command line and the environment of a process are readable on this host; use pin-source=file:<path> (a 0600 file)',
    );
  }
  const token = await openToken(uri);
  try {
    checkMechanisms(token, algs);
  } catch (e) {
    await token.close().catch(() => {});
    throw e;
  }
  log.info('PKCS#11 token open', { token: token.description, uri: token.uri });
  return { token, name: uri.token ?? token.description };
}

/** ERR_PKCS11_MECHANISM for the first of `algs` the token cannot make or sign. */
export function checkMechanisms(
  token: { description: string; missingMechanism(alg: string): string | null },
  algs: readonly string[],
): void {
  for (const alg of algs) {
    const missing = token.missingMechanism(alg);
    // An alg jwkit has no PKCS#11 mechanism for at all (HS*: an oct secret would have to be
    // sealed under a master key; Ed448) is refused by name, whatever the token offers.
    if (missing !== null && !missing.startsWith('CKM_')) {
      throw new TokenError(
        'ERR_PKCS11_MECHANISM',
        `${alg} cannot be kept in a PKCS#11 token by jwkit (${missing}), and with --pkcs11 every new key is made in the token: ` +
          `drop ${alg} from --algs (and from the stored policy: jwkit keys policy set --algs ...), or serve it from a store without --pkcs11`,
      );
    }
    if (missing !== null) {
      throw new TokenError(
        'ERR_PKCS11_MECHANISM',
        `the ${token.description} cannot make or sign ${alg} keys: it lacks ${missing}; drop ${alg} from --algs, or use a token that offers ${missing}`,
      );
    }
  }
}
