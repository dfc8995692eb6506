/**
 * Type tests for the public service API: `npx tsc -p test/types/tsconfig.json --noEmit` must pass.
 * Positive facts are checked with `Expect<Equal<...>>` (exact type equality); every
 * `// @ts-expect-error` line below MUST fail to compile, or tsc reports the directive as unused.
 * Nothing here runs.
 */
import {
  bool,
  date,
  datetime,
  decimal,
  float,
  int,
  list,
  listOf,
  object,
  opaque,
  service,
  text,
  uuid,
  type Infer,
  type InferOutput,
  type InputOf,
  type Json,
  type OutputOf,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
/** Compile-time only: `check<Expect<Equal<A, B>>>()`. */
declare function check<T extends true>(): void;

// ---------------------------------------------------------------------------------------------
// Input: every element kind, optional and defaulted, nested objects and lists
// ---------------------------------------------------------------------------------------------

const dispatcherInput = {
  target: list(text()),
  name: text(),
  count: int(),
  ratio: float(),
  amount: decimal(),
  flag: bool(),
  day: date(),
  at: datetime(),
  id: uuid(),
  blob: opaque(),
  typed: opaque<{ a: number }>(),
  note: text().optional(),
  page: int().default(1),
  tags: list(text()).default([]),
  since: datetime().optional(),
  customer: object({
    id: int(),
    email: text().optional(),
    address: object({ city: text(), zip: text().default('00-000') }),
  }),
  lines: listOf({ sku: text(), qty: int(), price: decimal().optional() }),
};

export class Dispatcher extends service({
  name: 'invoice.dispatcher',
  input: dispatcherInput,
  output: { total: decimal(), sentAt: datetime(), status: text().default('ok'), warnings: list(text()).optional() },
}) {
  async handle() {
    const i = this.input;

    // list(text()) is string[]
    check<Expect<Equal<typeof i.target, string[]>>>();
    for (const t of this.input.target) check<Expect<Equal<typeof t, string>>>();

    // scalars
    check<Expect<Equal<typeof i.name, string>>>();
    check<Expect<Equal<typeof i.count, number>>>();
    check<Expect<Equal<typeof i.ratio, number>>>();
    check<Expect<Equal<typeof i.flag, boolean>>>();
    check<Expect<Equal<typeof i.day, string>>>();
    check<Expect<Equal<typeof i.id, string>>>();
    check<Expect<Equal<typeof i.blob, Json>>>();
    check<Expect<Equal<typeof i.typed, { a: number }>>>();

    // datetime → Date, decimal → string
    check<Expect<Equal<typeof i.at, Date>>>();
    check<Expect<Equal<typeof i.amount, string>>>();
    const when: Date = this.input.at;
    // @ts-expect-error -- a datetime is a Date, not a string
    const whenText: string = this.input.at;
    const money: string = this.input.amount;
    // @ts-expect-error -- a decimal is a string, never a (lossy) number
    const moneyNumber: number = this.input.amount;

    // optional elements are T | undefined; defaulted ones are T
    check<Expect<Equal<typeof i.note, string | undefined>>>();
    check<Expect<Equal<typeof i.since, Date | undefined>>>();
    check<Expect<Equal<typeof i.page, number>>>();
    check<Expect<Equal<typeof i.tags, string[]>>>();
    const page: number = this.input.page;
    // @ts-expect-error -- an optional element may be undefined
    const note: string = this.input.note;
    // @ts-expect-error -- so may an optional datetime
    const sinceMs: number = this.input.since.getTime();

    // nested object and listOf
    check<Expect<Equal<typeof i.customer, { id: number; email?: string; address: { city: string; zip: string } }>>>();
    check<Expect<Equal<typeof i.lines, { sku: string; qty: number; price?: string }[]>>>();
    const city: string = this.input.customer.address.city;
    const qty: number = this.input.lines[0]!.qty;
    // @ts-expect-error -- no such nested element
    const street = this.input.customer.address.street;
    // @ts-expect-error -- an optional nested element may be undefined
    const price: string = this.input.lines[0]!.price;
    // @ts-expect-error -- lines is a list of objects, not an object
    const sku = this.input.lines.sku;

    // exactly the declared keys
    check<Expect<Equal<keyof typeof i, keyof typeof dispatcherInput>>>();
    // @ts-expect-error -- a wrong field name on this.input fails
    const typo = this.input.nmae;
    // @ts-expect-error -- so does one that differs only in case
    const caseTypo = this.input.Target;

    // input fields hold their declared types
    this.input.name = 'renamed';
    // @ts-expect-error -- assigning a number to a text input fails
    this.input.name = 5;
    // @ts-expect-error -- assigning a string to an int input fails
    this.input.count = '5';
    // @ts-expect-error -- a list of text is not a list of numbers
    this.input.target = [1, 2];

    void [when, whenText, money, moneyNumber, page, note, sinceMs, city, qty, street, price, sku, typo, caseTypo];
    return { total: '12.30', sentAt: new Date() };
  }
}

// ---------------------------------------------------------------------------------------------
// Output: the value handle() returns, and this.response.payload
// ---------------------------------------------------------------------------------------------

const orderOutput = {
  id: int(),
  total: decimal(),
  at: datetime(),
  status: text().default('new'),
  note: text().optional(),
  lines: listOf({ sku: text() }),
};

export class Order extends service({ name: 'order.get', input: { id: int() }, output: orderOutput }) {
  handle() {
    // defaulted and optional output elements may be left out
    return { id: this.input.id, total: '1.00', at: new Date(), lines: [] };
  }
  handleGet() {
    this.response.payload = { id: 1, total: '1.00', at: new Date(), lines: [{ sku: 'x' }], status: 'sent', note: 'n' };
    this.response.payload = 'a string is sent as is';
    this.response.payload = Buffer.from('so is a Buffer');
    this.response.payload = undefined;
    // @ts-expect-error -- not the declared output
    this.response.payload = { wrong: 1 };
    // @ts-expect-error -- total is a decimal (string), not a number
    this.response.payload = { id: 1, total: 1, at: new Date(), lines: [] };
    // @ts-expect-error -- a required output element (lines) is missing
    this.response.payload = { id: 1, total: '1', at: new Date() };
    // @ts-expect-error -- nested output elements are checked too
    this.response.payload = { id: 1, total: '1', at: new Date(), lines: [{ sku: 1 }] };
    // @ts-expect-error -- a datetime output is a Date
    this.response.payload = { id: 1, total: '1', at: 17, lines: [] };
  }
}

check<
  Expect<
    Equal<
      InferOutput<typeof orderOutput>,
      { id: number; total: string; at: Date; status?: string; note?: string; lines: { sku: string }[] }
    >
  >
>();
check<
  Expect<
    Equal<
      Infer<typeof orderOutput>,
      { id: number; total: string; at: Date; status: string; note?: string; lines: { sku: string }[] }
    >
  >
>();

export class WrongFieldName extends service({ name: 'wrong.name', output: { total: int() } }) {
  // @ts-expect-error -- handle() returning an object with a wrong field name fails
  handle() {
    return { totl: 1 };
  }
}

export class WrongFieldType extends service({ name: 'wrong.type', output: { total: int() } }) {
  // @ts-expect-error -- handle() returning a wrong type for a declared output element fails
  async handle() {
    return { total: 'one' };
  }
}

export class WrongVerbOutput extends service({ name: 'wrong.verb', output: { ok: bool() } }) {
  // @ts-expect-error -- handle<Verb>() is checked the same way
  handlePost() {
    return { ok: 'yes' };
  }
}

export class WrongNested extends service({ name: 'wrong.nested', output: { customer: object({ id: int() }) } }) {
  // @ts-expect-error -- nested output objects are checked
  handle() {
    return { customer: { id: '1' } };
  }
}

export class NoReturnIsFine extends service({ name: 'no.return', output: { total: int() } }) {
  async handle() {
    this.response.payload = { total: 1 };
  }
}

export class ElementOutput extends service({ name: 'element.output', output: list(int()) }) {
  handle() {
    return [1, 2, 3];
  }
}

export class WrongElementOutput extends service({ name: 'element.output.wrong', output: list(int()) }) {
  // @ts-expect-error -- an element declaration (list of int) is checked too
  handle() {
    return ['1'];
  }
}

export class Untyped extends service({ name: 'untyped' }) {
  handle() {
    this.response.payload = { anything: [1, 'goes'] };
    return 42;
  }
}

// ---------------------------------------------------------------------------------------------
// invoke: typed by the callee's class
// ---------------------------------------------------------------------------------------------

export class Total extends service({
  name: 'order.total',
  input: { qty: int(), price: decimal(), currency: text().optional() },
  output: { total: decimal(), at: datetime(), lines: listOf({ sku: text() }) },
}) {
  handle() {
    return { total: '1.00', at: new Date(), lines: [] };
  }
}

check<Expect<Equal<InputOf<typeof Total>, { qty: number; price: string; currency?: string }>>>();
check<Expect<Equal<OutputOf<typeof Total>, { total: string; at: Date; lines: { sku: string }[] }>>>();

export class Search extends service({
  name: 'search',
  input: { q: text(), page: int().default(1), size: int().default(20), lang: text().optional() },
  output: { hits: list(text()) },
}) {
  handle() {
    // inside the callee, defaulted elements are always present
    check<Expect<Equal<typeof this.input.page, number>>>();
    return { hits: [] };
  }
}

export class Caller extends service({ name: 'order.caller', input: { qty: int() }, output: { total: decimal() } }) {
  async handle() {
    const r = await this.invoke(Total, { qty: this.input.qty, price: '2.50' });
    // the result is typed as the other service's output
    check<Expect<Equal<typeof r, { total: string; at: Date; lines: { sku: string }[] }>>>();
    const t: string = r.total;
    // @ts-expect-error -- the result has only the callee's output fields
    const nope = r.nope;
    // @ts-expect-error -- and their declared types
    const n: number = r.total;

    await this.invoke(Total, { qty: 1, price: '1', currency: 'EUR' });
    // @ts-expect-error -- a wrong element type in the input fails
    await this.invoke(Total, { qty: '1', price: '2.50' });
    // @ts-expect-error -- a missing required input element fails
    await this.invoke(Total, { qty: 1 });
    // @ts-expect-error -- an unknown input element fails
    await this.invoke(Total, { qty: 1, price: '1', discount: 5 });
    // @ts-expect-error -- the input cannot be left out when the callee declares one
    await this.invoke(Total);

    // defaulted (and optional) input elements may be left out by the caller: the callee fills them in
    const found = await this.invoke(Search, { q: 'wharf' });
    check<Expect<Equal<typeof found, { hits: string[] }>>>();
    await this.invoke(Search, { q: 'wharf', page: 2 });
    // @ts-expect-error -- but a defaulted element given must have its declared type
    await this.invoke(Search, { q: 'wharf', page: '2' });

    // invoking by name is untyped
    const byName = await this.invoke('order.total', { whatever: true });
    check<Expect<Equal<typeof byName, unknown>>>();

    // invokeAsync is typed the same way and gives back the queued cid
    const queued = await this.invokeAsync(Total, { qty: 1, price: '1' }, { callback: Caller });
    check<Expect<Equal<typeof queued, string>>>();
    // @ts-expect-error -- invokeAsync checks the input like invoke
    await this.invokeAsync(Total, { qty: 1, price: 2 });

    // cluster-wide locks release with `await using`
    {
      await using lock = await this.lock('invoices', { ttlMs: 1000 });
      const name: string = lock.name;
      void name;
    }

    void [t, nope, n];
    return { total: r.total };
  }
}

// `service()` keeps the declaration's literal types
check<Expect<Equal<typeof Total.declaration.name, 'order.total'>>>();
