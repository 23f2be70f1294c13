// The upstream JWKS server of bench/remote/run.mjs, in a child process of its own so that its
// sockets, file descriptors and CPU time are not the client's. node:http on 127.0.0.1, port 0.
// Driven over IPC: { jwks } starts it (replies { port }), { mode: 'ok' | 'fail' } switches the
// answer (replies { mode }), { count: path } replies { requests } (requests received so far for
// that path: every client gets a path of its own, so that one still fetching in the background,
// e.g. jwks-rsa's rate limiter draining its queue, does not count in the next one's figures).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

let body = '';
let etag = '';
let mode = 'ok';
/** Requests received, by path. */
const requests = new Map();

const server = createServer((req, res) => {
  requests.set(req.url, (requests.get(req.url) ?? 0) + 1);
  if (mode === 'fail') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('upstream down');
    return;
  }
  const headers = { 'cache-control': 'max-age=600', etag };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});

process.on('message', (msg) => {
  if (msg.jwks !== undefined) {
    body = JSON.stringify(msg.jwks);
    etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    server.listen({ port: 0, host: '127.0.0.1', backlog: 16_384 }, () => {
      process.send({ port: server.address().port });
    });
  } else if (msg.mode !== undefined) {
    mode = msg.mode;
    process.send({ mode });
  } else if (msg.count !== undefined) {
    process.send({ requests: requests.get(msg.count) ?? 0 });
  }
});

// Ends with the parent: close the listener and every kept-alive socket.
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
});
