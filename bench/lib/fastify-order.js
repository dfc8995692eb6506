/**
 * Scenario B's reference: bare Fastify 5 doing by hand what Wharf's channel + SimpleIO do for
 * bench.order: JSON body parsed by Fastify's own parser, the same validation/coercion rules as
 * SimpleIO (int: safe integer or integer string; text: string, or number/bool turned to a string;
 * listOf: a single object counts as a list of one; null = absent; required elements must be there),
 * the same output, serialised with JSON.stringify. Errors are 400 with a JSON body.
 *   node bench/lib/fastify-order.js PORT
 */
import Fastify from 'fastify';

const INT_RE = /^[+-]?\d+$/;

class Invalid extends Error {}

function isPlainObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v);
}

function toInt(v, path) {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (INT_RE.test(s)) {
      const n = Number(s);
      if (Number.isSafeInteger(n)) return n;
    }
  }
  throw new Invalid(`Element \`${path}\` must be int`);
}

function toText(v, path) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  throw new Invalid(`Element \`${path}\` must be text`);
}

function required(v, path) {
  if (v === undefined || v === null) throw new Invalid(`Element \`${path}\` is required`);
  return v;
}

function parseItem(v, path) {
  if (!isPlainObject(v)) throw new Invalid(`Element \`${path}\` must be an object`);
  return {
    sku: toText(required(v.sku, `${path}.sku`), `${path}.sku`),
    qty: toInt(required(v.qty, `${path}.qty`), `${path}.qty`),
  };
}

function parseInput(body) {
  const src = isPlainObject(body) ? body : {};
  const customerId = toInt(required(src.customerId, 'customerId'), 'customerId');
  const rawItems = required(src.items, 'items');
  const arr = Array.isArray(rawItems) ? rawItems : [rawItems];
  const items = new Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    if (x === null || x === undefined) throw new Invalid(`Element \`items[${i}]\` must be a value, not null`);
    items[i] = parseItem(x, `items[${i}]`);
  }
  const input = { customerId, items };
  if (src.note !== undefined && src.note !== null) input.note = toText(src.note, 'note');
  return input;
}

const app = Fastify({ logger: false });

app.post('/bench/order', (req, reply) => {
  let input;
  try {
    input = parseInput(req.body);
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    reply
      .code(400)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify({ error: { code: 'INVALID', message: e.message } }));
    return reply;
  }
  let total = 0;
  for (const it of input.items) total += it.qty;
  reply
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify({ accepted: true, count: input.items.length, total }));
  return reply;
});

const port = Number(process.argv[2] ?? 3000);
await app.listen({ port, host: '127.0.0.1' });
const stop = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
