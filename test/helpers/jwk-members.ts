/** Every member name a JWK can carry, from the registry, plus the names fuzzers must also try. */
import { COMMON_MEMBERS, KTY_MEMBERS, KTYS } from '../../packages/jwkit/src/registry.js';

export const JWK_MEMBER_NAMES: readonly string[] = [
  ...new Set([
    ...COMMON_MEMBERS,
    ...KTYS.flatMap((kty) => [...KTY_MEMBERS[kty].required, ...KTY_MEMBERS[kty].private]),
    'ext',
    '__proto__',
  ]),
];

/** Every member that is private for some key type of the registry (d, p, q, …, k, priv). */
export const PRIVATE_JWK_MEMBERS: readonly string[] = [
  ...new Set(KTYS.flatMap((kty) => KTY_MEMBERS[kty].private)),
];
