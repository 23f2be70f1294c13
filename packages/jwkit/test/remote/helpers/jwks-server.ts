/**
 * A real HTTP server on 127.0.0.1 (port 0) for RemoteJWKSet tests. The handler can be swapped
 * between steps; every request is recorded so tests count fetches.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
}

export class JWKSServer {
  readonly requests: RecordedRequest[] = [];
  handler: Handler;
  readonly #server: Server;

  private constructor(server: Server, handler: Handler) {
    this.#server = server;
    this.handler = handler;
  }

  static async start(handler: Handler = (_req, res) => res.writeHead(404).end()): Promise<JWKSServer> {
    let self: JWKSServer | undefined;
    const server = createServer((req, res) => {
      self?.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
      Promise.resolve(self?.handler(req, res)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
    self = new JWKSServer(server, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  url(path = '/jwks.json'): string {
    return `${this.origin}${path}`;
  }

  /** Requests received for `path` (all paths when omitted). */
  count(path?: string): number {
    return path === undefined ? this.requests.length : this.requests.filter((r) => r.path === path).length;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Sends `body` as JSON with the given extra headers. */
export function sendJSON(
  res: ServerResponse,
  body: unknown,
  headers: Record<string, string> = {},
  status = 200,
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Serves `jwks()` with a strong ETag of its JSON, answering If-None-Match with 304, as
 * providers do. `headers` are added to both answers.
 */
export function etagHandler(jwks: () => unknown, headers: Record<string, string> = {}): Handler {
  return (req, res) => {
    const text = JSON.stringify(jwks());
    const etag = `"${Buffer.from(text).toString('base64url').slice(-16)}-${text.length}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, ...headers }).end();
      return;
    }
    sendJSON(res, text, { etag, ...headers });
  };
}

/** A promise with its resolver, to hold a response until the test releases it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
