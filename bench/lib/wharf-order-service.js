/**
 * Scenario B's Wharf side: a SimpleIO service deployed with `wharf service deploy` behind an HTTP
 * JSON channel (POST /bench/order). SimpleIO validates the input and re-checks the declared output;
 * the bare-Fastify reference (fastify-order.js) does the same checks by hand.
 */
import { bool, int, listOf, service, text } from 'wharf';

export class BenchOrder extends service({
  name: 'bench.order',
  input: {
    customerId: int(),
    items: listOf({ sku: text(), qty: int() }),
    note: text().optional(),
  },
  output: { accepted: bool(), count: int(), total: int() },
}) {
  async handle() {
    const items = this.input.items;
    let total = 0;
    for (const it of items) total += it.qty;
    return { accepted: true, count: items.length, total };
  }
}
