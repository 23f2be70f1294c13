/**
 * The name of the JavaScript runtime, for error messages only ("ES256K is not available on Bun
 * 1.4.5"). Nothing chooses a code path by it: backends are chosen by probing what each one can do
 * (routed.ts). Bun and Deno also define `process.versions.node`, so they are asked first.
 */

interface RuntimeGlobals {
  Bun?: { version?: string };
  Deno?: { version?: { deno?: string } };
  process?: { versions?: { node?: string } };
  navigator?: { userAgent?: string };
}

export function runtimeName(): string {
  const g = globalThis as RuntimeGlobals;
  if (typeof g.Bun?.version === 'string') return `Bun ${g.Bun.version}`;
  if (typeof g.Deno?.version?.deno === 'string') return `Deno ${g.Deno.version.deno}`;
  const agent = g.navigator?.userAgent;
  // workerd sets navigator.userAgent to exactly this (and also defines process under nodejs_compat).
  if (agent === 'Cloudflare-Workers') return 'Cloudflare Workers (workerd)';
  if (typeof g.process?.versions?.node === 'string') return `Node.js ${g.process.versions.node}`;
  if (typeof agent === 'string') {
    const m = /(Edg|Chrome|Firefox|Version)\/(\d+)/.exec(agent);
    if (m) return `${m[1] === 'Version' ? 'Safari' : m[1] === 'Edg' ? 'Edge' : m[1]} ${m[2]}`;
    return agent;
  }
  return 'this JavaScript runtime';
}
