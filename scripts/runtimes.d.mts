/** Types of scripts/runtimes.mjs (the pinned runtimes of the conformance matrix). */
export interface RuntimePin {
  readonly family: string;
  readonly package: string;
  readonly version: string;
  readonly how: 'pack' | 'install';
  readonly bin: string;
}
export interface Runtime {
  readonly name: string;
  readonly version: string;
  /** The executable (for miniflare: the module to import). */
  readonly bin: string;
  readonly dir: string;
}
export declare const RUNTIMES: Readonly<Record<string, RuntimePin>>;
export declare function cacheRoot(): string;
export declare function runtimeInfo(
  name: string,
): Runtime & { readonly package: string; readonly present: boolean };
export declare function ensureRuntime(name: string): Promise<Runtime>;
