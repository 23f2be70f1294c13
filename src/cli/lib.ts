/**
 * Lazy access to the library. Commands import these loaders instead of the modules, so a
 * command only pays for the code it uses, and `jwkit --help` loads no crypto at all. The first
 * loader that needs crypto installs the node:crypto backend (DESIGN principle 5: same API,
 * faster on Node).
 */

let backend: Promise<void> | undefined;

export function useNodeBackend(): Promise<void> {
  backend ??= Promise.all([import('../crypto/active.js'), import('../crypto/node.js')]).then(
    ([active, node]) => active.setBackend(node.nodeBackend),
  );
  return backend;
}

async function withBackend<T>(load: () => Promise<T>): Promise<T> {
  const [mod] = await Promise.all([load(), useNodeBackend()]);
  return mod;
}

export const loadGenerate = () => withBackend(() => import('../jwk/generate.js'));
export const loadThumbprint = () => withBackend(() => import('../jwk/thumbprint.js'));
export const loadValidate = () => withBackend(() => import('../jwk/validate/index.js'));
export const loadPEM = () => withBackend(() => import('../jwk/pem/index.js'));
export const loadX509 = () => withBackend(() => import('../jwk/x509.js'));
export const loadJWT = () => withBackend(() => import('../jwt/index.js'));
export const loadSet = () => withBackend(() => import('../set/jwk-set.js'));
export const loadRemote = () => withBackend(() => import('../remote/remote-jwks.js'));
