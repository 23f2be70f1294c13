/**
 * What the rules of one key share: the snapshot being checked, the problems found so far, the
 * decoded members, and the canonical spelling of members that arrived in a lenient form.
 */

import { joinPath, type Problem } from '../../errors/index.js';
import type { AlgorithmInfo, CurveInfo, Kty } from '../../registry.js';
import { makeProblem, type ProblemCode } from './codes.js';
import type { ResolvedOptions } from './options.js';

export type Rule = (ctx: KeyContext) => void;
export type Member = string | readonly (string | number)[];

export class KeyContext {
  readonly problems: Problem[] = [];
  /** Canonical values replacing the input's, e.g. `n` without padding or a leading zero. */
  readonly canonical = new Map<string, unknown>();
  /** Members left out of the validated copy (see rules/common.ts unsafeMembers). */
  readonly dropped = new Set<string>();
  /** Decoded base64url members; `null` when the member is absent, not a string or not decodable. */
  readonly decoded = new Map<string, Uint8Array | null>();
  kty: Kty | undefined;
  curve: CurveInfo | undefined;
  alg: AlgorithmInfo | undefined;
  /** Key size in bits (RSA modulus, oct key), once known. */
  bits: number | undefined;

  constructor(
    /** The snapshot: own data members only, never the caller's object. */
    readonly jwk: Readonly<Record<string, unknown>>,
    /** Where this key sits in the input: `''` or `keys[3]`. */
    readonly path: string,
    readonly options: ResolvedOptions,
  ) {}

  /**
   * Reports a problem at `member` (a name, or path segments such as `['x5c', 0]`; `undefined` for
   * the key itself). `rfc` overrides the code's default source.
   */
  report(code: ProblemCode, member: Member | undefined, message: string, rfc?: string): void {
    const segments = member === undefined ? [] : typeof member === 'string' ? [member] : member;
    const path = segments.reduce<string>((base, s) => joinPath(base, s), this.path);
    this.problems.push(makeProblem(code, path, message, this.options.strict, rfc));
  }

  has(member: string): boolean {
    return Object.hasOwn(this.jwk, member);
  }

  /** The member's value when it is a string (type problems are reported by the common rules). */
  string(member: string): string | undefined {
    const v = this.has(member) ? this.jwk[member] : undefined;
    return typeof v === 'string' ? v : undefined;
  }

  hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }

  /** True when one of `codes` was already reported for this key. */
  reported(...codes: ProblemCode[]): boolean {
    return this.problems.some((p) => (codes as string[]).includes(p.code));
  }
}
