import { list, service, text } from 'wharf-esb';
export class InvoiceDispatcher extends service({ name: 'invoice.dispatcher', input: { target: list(text()) } }) {
  async handle() {
    await using client = await this.cloud.swift('Invoice Dispatcher').client();
    for (const target of this.input.target) await client.putObject(target, 'Invoice', this.request.raw);
  }
}
