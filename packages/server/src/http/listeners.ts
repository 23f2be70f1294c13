/**
 * The listeners of `jwkit serve`: plain HTTP or HTTPS (node:https with a certificate and key
 * re-read on SIGHUP through `setSecureContext`, so a renewed certificate is served without a
 * restart), short header and request timeouts, the connection guard (guard.ts), an optional
 * access log, and a shutdown that stops accepting, lets in-flight requests finish within a
 * deadline and then closes what is left.
 */

import { readFile } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ServerConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ConnectionGuard } from './guard.js';

export interface TLSFiles {
  cert: string;
  key: string;
}

export interface TLSMaterial {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks a certificate and key pair; throws ERR_TLS naming the file. */
export async function loadTLS(files: TLSFiles): Promise<TLSMaterial> {
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path);
    } catch (cause) {
      throw new ServerConfigError(
        'ERR_TLS',
        `cannot read the TLS ${what} ${path}: ${(cause as Error).message}`,
        { cause },
      );
    }
  };
  const material = { cert: await read(files.cert, 'certificate'), key: await read(files.key, 'key') };
  try {
    createSecureContext(material); // refuses a key that does not match the certificate
  } catch (cause) {
    throw new ServerConfigError(
      'ERR_TLS',
      `the TLS certificate ${files.cert} and key ${files.key} cannot be used together: ${(cause as Error).message}`,
      { cause },
    );
  }
  return material;
}

export interface ListenerTimeouts {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
}

export interface ListenerOptions {
  name: 'public' | 'admin';
  host: string;
  port: number;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  tls?: TLSMaterial;
  guard: ConnectionGuard;
  timeouts: ListenerTimeouts;
  log: Logger;
  accessLog: () => boolean;
}

export interface Listener {
  readonly name: 'public' | 'admin';
  readonly server: HttpServer | HttpsServer;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Replaces the certificate and key for new connections. */
  setTLS(material: TLSMaterial): void;
  /** Stops accepting; resolves when every connection is closed or `deadlineMs` passed (then closes them). */
  close(deadlineMs: number): Promise<{ forced: number }>;
}

export async function startListener(options: ListenerOptions): Promise<Listener> {
  const { tls, log } = options;
  const serverOptions = {
    headersTimeout: options.timeouts.headersTimeout,
    requestTimeout: options.timeouts.requestTimeout,
    keepAliveTimeout: options.timeouts.keepAliveTimeout,
    // Node checks the two timeouts above on this interval (default 30 s, which would let a
    // trickle of slow heads live 40 s past a 10 s headersTimeout).
    connectionsCheckingInterval: Math.min(1000, options.timeouts.headersTimeout),
    // A request head larger than this is a 431; Node's default is 16 KiB. The JWKS needs none.
    maxHeaderSize: 16 * 1024,
  };
  const server: HttpServer | HttpsServer = tls
    ? // A TLS handshake gets as long as a request head (Node's default is 120 s).
      createHttpsServer({
        ...serverOptions,
        handshakeTimeout: options.timeouts.headersTimeout,
        cert: tls.cert,
        key: tls.key,
      })
    : createHttpServer(serverOptions);
  server.maxHeadersCount = 100;
  options.guard.attach(server as HttpServer);
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // While draining, every answer closes its connection, so kept-alive clients move elsewhere.
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    if (options.accessLog()) {
      const start = performance.now();
      res.once('finish', () => {
        log.info('request', {
          listener: options.name,
          method: req.method,
          path: req.url,
          status: res.statusCode,
          bytes:
            res.getHeader('content-length') === undefined
              ? undefined
              : Number(res.getHeader('content-length')),
          ms: Math.round((performance.now() - start) * 10) / 10,
          client: req.socket.remoteAddress,
          agent: req.headers['user-agent'],
        });
      });
    }
    options.handler(req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Bad request heads, TLS handshake failures, header timeouts: a 400/408 where possible, never a crash.
    if (!socket.writable) return socket.destroy();
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  const port = await new Promise<number>((done, fail) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const flag = options.name === 'admin' ? '--admin-port' : '--port';
      fail(
        new ServerConfigError(
          'ERR_LISTEN',
          e.code === 'EADDRINUSE'
            ? `port ${options.port} on ${options.host} is already in use (${options.name} listener); pick another with ${flag} (0 for any free port)`
            : `cannot listen on ${options.host}:${options.port} (${options.name} listener): ${e.message}`,
          { cause: e },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      done((server.address() as AddressInfo).port);
    });
  });
  const host = options.host;
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<{ forced: number }> | undefined;
  return {
    name: options.name,
    server,
    host,
    port,
    url,
    setTLS(material) {
      (server as HttpsServer).setSecureContext?.({ cert: material.cert, key: material.key });
    },
    close(deadlineMs) {
      closing ??= new Promise((done) => {
        draining = true;
        // Requests already in progress answer with `Connection: close` (RFC 9112 §9.6), so their
        // connections end with the answer instead of idling until keepAliveTimeout.
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        let forced = 0;
        const timer = setTimeout(() => {
          // The deadline passed: whatever is still open is cut.
          forced = (server as HttpServer & { _connections?: number })._connections ?? 0;
          server.closeAllConnections();
        }, deadlineMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          done({ forced });
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
