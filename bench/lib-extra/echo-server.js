/**
 * Scenario A's Node echo backend: answers every request with its own body (200, the request's
 * Content-Type, Content-Length). Keep-alive without a request limit.
 *   node bench/lib-extra/echo-server.js PORT
 * Prints `listening PORT` once it accepts connections.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 9000);
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    res.writeHead(200, {
      'content-type': req.headers['content-type'] ?? 'application/octet-stream',
      'content-length': body.length,
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.maxRequestsPerSocket = 0;
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
