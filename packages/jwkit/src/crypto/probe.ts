/**
 * Public keys to probe a backend with (routed.ts): one valid public JWK per curve, each curve's
 * base point (SEC 2 v2 §2.4.1, §2.5.1, §2.6.1 and FIPS 186-5 G; RFC 8032 §5.1/§5.2 B; RFC 7748
 * §4.1/§4.2 u = 9 and u = 5). Importing one answers whether the runtime can use that curve at all,
 * in microseconds and without randomness. Written out rather than computed, so that probing at
 * startup does no big-integer work (test/crypto/probe.test.ts checks them against @noble/curves).
 * Imports nothing from `node:`.
 */

import type { JWK } from '../jwk/model.js';

const BASE_POINTS: Readonly<Record<string, JWK>> = Object.freeze(
  Object.assign(Object.create(null), {
    'EC:P-256': {
      kty: 'EC',
      crv: 'P-256',
      x: 'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY',
      y: 'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU',
    },
    'EC:P-384': {
      kty: 'EC',
      crv: 'P-384',
      x: 'qofKIr6LBTeOscce8yCtdG4dO2KLp5uYWfdB4IJUKjhVAvJdv1UpbDpUXjhydgq3',
      y: 'NhfeSpYmLG9dnpi_kpLcKfj0Hb0omhR86doxE7XwuMAKYLHOHX6BnXpDHXyQ6g5f',
    },
    'EC:P-521': {
      kty: 'EC',
      crv: 'P-521',
      x: 'AMaFjga3BATpzZ4-y2YjlbRCnGSBOQU_tSH4KK9ga009uqFLXnfv51ko_h3BJ6L_qN4zSLPBhWpCm_l-fjHC5b1m',
      y: 'ARg5KWp4mjvABFyKX7QsfRvZmPVESVebRGgXr70XJz5mLJfucple9CZAxVC5AT-tB2E1PHCGonLCQIi-lHaf0WZQ',
    },
    'EC:secp256k1': {
      kty: 'EC',
      crv: 'secp256k1',
      x: 'eb5mfvncu6xVoGKVzocLBwKb_NstzijZWfKBWxb4F5g',
      y: 'SDradyajxGVdpPv8DhEIqP0XtEimhVQZnEfQj_sQ1Lg',
    },
    'OKP:Ed25519': { kty: 'OKP', crv: 'Ed25519', x: 'WGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY' },
    'OKP:Ed448': {
      kty: 'OKP',
      crv: 'Ed448',
      x: 'FPow8lt5CJityNdOLBO9_cQ5fOYc_9M618KgBR6ceIdAmKNsc3PqS2LHyVY3IHaIJLy2bnFGP2kA',
    },
    'OKP:X25519': { kty: 'OKP', crv: 'X25519', x: 'CQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    'OKP:X448': {
      kty: 'OKP',
      crv: 'X448',
      x: 'BQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    },
  }),
);

/** The public JWK of `kty` `crv`'s base point, or undefined for a kind without a curve. */
export function probePublicKey(kty: string, crv: string): JWK | undefined {
  return BASE_POINTS[`${kty}:${crv}`];
}
