/**
 * Scenario A's "bare Node proxy" context row: what a hand-written Node reverse proxy does on one
 * core — node:http server, body buffered, relayed with an undici Pool (keep-alive, `connections`),
 * hop-by-hop headers dropped both ways, answer relayed. No routing, no error mapping, no timeouts:
 * the floor a Node-based ESB (Wharf included) works on.
 *   node bench/lib-extra/node-proxy.js PORT BACKEND_ORIGIN BACKEND_PATH [POOL_SIZE]
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';

const [port, origin, backendPath, poolSize] = [
  Number(process.argv[2]),
  process.argv[3],
  process.argv[4] ?? '/',
  Number(process.argv[5] ?? 512),
];
const pool = new Pool(origin, { connections: poolSize, headersTimeout: 0, bodyTimeout: 0 });
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

function strip(h) {
  const out = {};
  for (const k in h) if (!HOP.has(k)) out[k] = h[k];
  return out;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const r = await pool.request({ method: req.method, path: backendPath, headers: strip(req.headers), body });
      const buf = Buffer.from(await r.body.arrayBuffer());
      const headers = strip(r.headers);
      headers['content-length'] = buf.length;
      res.writeHead(r.statusCode, headers);
      res.end(buf);
    } catch (e) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(e));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
const stop = () => server.close(() => pool.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
