/**
 * Loads @jwkit/server for `jwkit serve` and `jwkit keys`. The server's embedded store is
 * node:sqlite, built into Node.js 22.13 and newer; on an older Node these commands stop with one
 * line naming the version they need (exit 1), while every other command runs on Node 20.19+.
 */

import { CLIError, EXIT } from './exit.js';
import { loadJwkit } from './lib.js';

export const SERVER_NODE = { major: 22, minor: 13 } as const;

export function serverNodeSupported(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > SERVER_NODE.major || (major === SERVER_NODE.major && minor >= SERVER_NODE.minor);
}

export async function loadServer() {
  if (!serverNodeSupported()) {
    throw new CLIError(
      'ERR_CLI_NODE_VERSION',
      `this command needs Node.js ${SERVER_NODE.major}.${SERVER_NODE.minor} or newer (for node:sqlite); this is Node.js ${process.versions.node}`,
      EXIT.INVALID,
    );
  }
  await loadJwkit();
  return import('@jwkit/server');
}
