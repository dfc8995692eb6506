import { service, text } from 'wharf-esb';

/**
 * An example service: `{ "name": "Ada" }` in, `{ "greeting": "Hello, Ada!" }` out.
 * Deploy it with `npm run deploy`, then give it a channel:
 *   npx wharf channel create ENV --name hello --url-path /hello --service hello --data-format json
 */
export class Hello extends service({
  name: 'hello',
  description: 'Greets by name',
  input: { name: text() },
  output: { greeting: text() },
}) {
  async handle() {
    return { greeting: `Hello, ${this.input.name}!` };
  }
}
