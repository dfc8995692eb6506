/**
 * wharf/testing: testService runs services in-process through the real Pipeline and, with a format,
 * through the HTTP channel's own serve(); the fakes record what services send. Every bad input is
 * checked against the error the channel itself raises for it (same class, code and message).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadRequest, Conflict, MethodNotAllowed, WharfError } from '../errors.js';
import { datetime, int, list, object, service, text } from '../index.js';
import { HttpStatusError } from '../outgoing/http/errors.js';
import {
  fakeAmqp,
  fakeAmqp1,
  fakeHttp,
  fakeMqtt,
  fakeSoap,
  fakeSwift,
  fakeZeromq,
  loadServices,
  memoryLocks,
  testService,
} from './index.js';

class Greeter extends service({
  name: 'test.greeter',
  input: { name: text(), times: int().default(1) },
  output: { greeting: text(), at: datetime() },
}) {
  async handle() {
    this.logger.info('greeting', this.input.name);
    return {
      greeting: `hello ${this.input.name}`.repeat(this.input.times),
      at: new Date('2026-01-02T03:04:05Z'),
    };
  }
}

class Dispatcher extends service({
  name: 'test.dispatcher',
  input: { target: list(text()) },
}) {
  async handle() {
    await using client = await this.cloud.swift('Invoice Dispatcher').client();
    for (const target of this.input.target) await client.putObject(target, 'Invoice', this.request.raw);
  }
}

class Refuser extends service({ name: 'test.refuser', input: { n: int() } }) {
  handle() {
    if (this.input.n < 0) throw new BadRequest('n must not be negative');
    return { n: this.input.n };
  }
}

describe('testService: typed input', () => {
  it('runs the service with its SimpleIO: defaults filled, output checked, Dates kept, logs recorded', async () => {
    const r = await testService(Greeter, { input: { name: 'Ann' } });
    expect(r.output.greeting).toBe('hello Ann');
    expect(r.input).toEqual({ name: 'Ann', times: 1 });
    expect(r.output.at).toBeInstanceOf(Date);
    expect(r.status).toBe(200);
    expect(r.logs).toEqual([{ level: 'info', message: 'greeting', args: ['Ann'] }]);
  });

  it('refuses a missing or invalid element with the SimpleIO error', async () => {
    const e = await testService(Greeter, {
      input: {} as { name: string },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WharfError);
    expect((e as WharfError).code).toBe('WHARF_ERR_MISSING_ELEMENT');
    expect((e as WharfError).message).toBe('Missing required element `name`');
    await expect(
      testService(Greeter, {
        input: { name: 'a', times: 'x' as unknown as number },
      }),
    ).rejects.toMatchObject({ code: 'WHARF_ERR_INVALID_ELEMENT' });
  });

  it('errors are asserted by class', async () => {
    await expect(testService(Refuser, { input: { n: -1 } })).rejects.toBeInstanceOf(BadRequest);
    await expect(testService(Refuser, { input: { n: -1 } })).rejects.toThrow('n must not be negative');
  });

  it('takes a module and picks its service; bad first arguments are clear TypeErrors', async () => {
    const r = await testService({ Greeter, helper: 42 }, { input: { name: 'Bo' } });
    expect((r.output as { greeting: string }).greeting).toBe('hello Bo');
    await expect(testService({ Greeter, Refuser }, { input: {} })).rejects.toThrow(
      /has 2 services .*say which with `service`/,
    );
    await expect(
      testService({ Greeter, Refuser }, { service: 'test.refuser', input: { n: 2 } }),
    ).resolves.toMatchObject({ output: { n: 2 } });
    await expect(testService({}, {})).rejects.toThrow(/exports no service class/);
    await expect(testService(42 as unknown as typeof Greeter)).rejects.toBeInstanceOf(TypeError);
    await expect(testService(Greeter, { input: { name: 'a' }, format: 'json' } as never)).rejects.toThrow(
      /either `input` or `format`/,
    );
  });
});

describe('testService: a body in a data format, through the channel', () => {
  it('JSON + query string: the seed dispatcher stores the raw body once per target (Swift puts recorded)', async () => {
    const swift = fakeSwift();
    const r = await testService(Dispatcher, {
      format: 'json',
      body: '{"id":"123"}',
      query: { target: ['CRM', 'Billing'] },
      cloud: { swift: { 'Invoice Dispatcher': swift } },
    });
    expect(r.status).toBe(200);
    expect(swift.puts.map((p) => [p.container, p.name, p.text()])).toEqual([
      ['CRM', 'Invoice', '{"id":"123"}'],
      ['Billing', 'Invoice', '{"id":"123"}'],
    ]);
    expect(swift.object('CRM', 'Invoice')?.toString()).toBe('{"id":"123"}');
    expect(r.headers['x-wharf-cid']).toBe(r.cid);
  });

  it('a missing target is refused as the channel refuses it; nothing is stored', async () => {
    const swift = fakeSwift();
    const e = await testService(Dispatcher, {
      format: 'json',
      body: '{"id":"123"}',
      cloud: { swift: { 'Invoice Dispatcher': swift } },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WharfError);
    expect(e).toMatchObject({
      code: 'WHARF_ERR_MISSING_ELEMENT',
      status: 400,
      message: 'Missing required element `target`',
    });
    expect(swift.puts).toEqual([]);
  });

  it('renders the output as JSON, XML, SOAP 1.1 and SOAP 1.2 documents', async () => {
    const json = await testService(Greeter, {
      format: 'json',
      body: { name: 'Ann', times: 2 },
    });
    expect(json.input).toEqual({ name: 'Ann', times: 2 });
    expect(JSON.parse(json.body)).toEqual({
      greeting: 'hello Annhello Ann',
      at: '2026-01-02T03:04:05.000Z',
    });
    expect(json.contentType).toBe('application/json');
    expect(json.output.at).toBeInstanceOf(Date);

    const xml = await testService(Greeter, {
      format: 'xml',
      body: '<req><name>Ann</name></req>',
    });
    expect(xml.body).toContain('<greeting>hello Ann</greeting>');

    const soap11 = await testService(Greeter, {
      format: 'soap11',
      body: '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><greet><name>Ann</name></greet></soapenv:Body></soapenv:Envelope>',
    });
    expect(soap11.contentType).toBe('text/xml; charset=utf-8');
    expect(soap11.body).toContain('greetResponse');
    expect(soap11.body).toContain('<greeting>hello Ann</greeting>');

    const soap12 = await testService(Greeter, {
      format: 'soap12',
      body: '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><greet><name>Ann</name></greet></e:Body></e:Envelope>',
    });
    expect(soap12.contentType).toMatch(/^application\/soap\+xml/);
    expect(soap12.body).toContain('http://www.w3.org/2003/05/soap-envelope');

    const form = await testService(Greeter, {
      format: 'form',
      body: 'name=Ann&times=1',
    });
    expect(JSON.parse(form.body)).toMatchObject({ greeting: 'hello Ann' });
  });

  it('refuses what the channel refuses: malformed JSON, wrong Content-Type, SOAP version, SOAPAction, size', async () => {
    await expect(testService(Greeter, { format: 'json', body: '{"name":' })).rejects.toMatchObject({
      code: 'WHARF_ERR_MALFORMED_BODY',
      status: 400,
    });
    await expect(
      testService(Greeter, {
        format: 'json',
        body: '{"name":"a"}',
        headers: { 'content-type': 'text/plain' },
      }),
    ).rejects.toMatchObject({
      code: 'WHARF_ERR_UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type `text/plain` is not accepted here; expected application/json or application/*+json',
    });
    const v11 =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><greet><name>A</name></greet></soapenv:Body></soapenv:Envelope>';
    await expect(
      testService(Greeter, {
        format: 'soap12',
        body: v11,
        headers: { 'content-type': 'application/soap+xml' },
      }),
    ).rejects.toMatchObject({
      code: 'WHARF_ERR_BAD_REQUEST',
      message: 'VersionMismatch: this channel speaks SOAP 1.2, the request is SOAP 1.1',
    });
    await expect(
      testService(Greeter, {
        format: 'soap11',
        body: v11,
        channel: { soapAction: 'urn:greet' },
        headers: { soapaction: '"urn:other"' },
      }),
    ).rejects.toMatchObject({
      message: 'SOAPAction `urn:other` is not served here; expected `urn:greet`',
    });
    await expect(
      testService(Greeter, {
        format: 'soap11',
        body: v11,
        channel: { soapAction: 'urn:greet' },
      }),
    ).resolves.toMatchObject({ status: 200 });
    await expect(
      testService(Greeter, {
        format: 'json',
        body: '{"name":"abc"}',
        channel: { maxBodySize: 4 },
      }),
    ).rejects.toMatchObject({ code: 'WHARF_ERR_BODY_TOO_LARGE', status: 413 });
    await expect(testService(Greeter, { format: 'yaml' as 'json', body: '' })).rejects.toThrow(
      /format `yaml` is not one of/,
    );
    await expect(
      testService(Greeter, {
        format: 'json',
        body: '{}',
        channel: { urlPath: 'no-slash' },
      }),
    ).rejects.toMatchObject({ code: 'WHARF_ERR_CONFIG_INVALID' });
  });
});

describe('testService: connections, invoke, config, locks', () => {
  it('a connection the test did not give is the server error naming it', async () => {
    const e = await testService(Dispatcher, {
      input: { target: ['CRM'] },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WharfError);
    expect(e).toMatchObject({
      code: 'WHARF_ERR_NO_SUCH_CONNECTION',
      message: 'No OpenStack Swift connection named `Invoice Dispatcher`',
    });
    expect((e as WharfError).details?.['hint']).toContain('cloud.swift["Invoice Dispatcher"]');
  });

  it('Swift: get answers from the store; a missing container is a 404 SwiftError unless created on demand', async () => {
    class Copier extends service({
      name: 'test.copier',
      input: { from: text(), to: text() },
    }) {
      async handle() {
        return this.cloud.swift('s').withClient(async (c) => {
          const o = await c.getObject(this.input.from, 'x');
          await c.putObject(this.input.to, 'x', o.body);
          return { size: o.body.length };
        });
      }
    }
    const swift = fakeSwift({
      containers: { a: { x: 'abc' } },
      createMissingContainers: false,
    });
    await expect(
      testService(Copier, {
        input: { from: 'a', to: 'b' },
        cloud: { swift: { s: swift } },
      }),
    ).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('container `b` does not exist'),
    });
    await expect(
      testService(Copier, {
        input: { from: 'nope', to: 'a' },
        cloud: { swift: { s: swift } },
      }),
    ).rejects.toMatchObject({ status: 404 });
    const ok = fakeSwift({ containers: { a: { x: 'abc' } } });
    await expect(
      testService(Copier, {
        input: { from: 'a', to: 'b' },
        cloud: { swift: { s: ok } },
      }),
    ).resolves.toMatchObject({ output: { size: 3 } });
    expect(ok.containers()).toEqual({ a: ['x'], b: ['x'] });
  });

  it('HTTP: answers per call, requests recorded, a non-2xx answer is HttpStatusError', async () => {
    class Caller extends service({ name: 'test.caller' }) {
      async handle() {
        const crm = this.outgoing.http('CRM');
        const a = await crm.get<{ id: number }>({
          path: '/customer/{id}',
          params: { id: '7' },
        });
        const b = await crm.post({ payload: { id: a.payload.id } });
        return { a: a.payload, b: b.status };
      }
    }
    const crm = fakeHttp([{ payload: { id: 7 } }, { status: 201 }]);
    const r = await testService(Caller, { outgoing: { http: { CRM: crm } } });
    expect(r.output).toEqual({ a: { id: 7 }, b: 201 });
    expect(crm.requests.map((q) => [q.method, q.path, q.payload])).toEqual([
      ['GET', '/customer/{id}', undefined],
      ['POST', undefined, { id: 7 }],
    ]);
    await expect(
      testService(Caller, {
        outgoing: { http: { CRM: fakeHttp({ status: 503 }) } },
      }),
    ).rejects.toBeInstanceOf(HttpStatusError);
    await expect(
      testService(Caller, {
        outgoing: { http: { CRM: fakeHttp([{ payload: { id: 1 } }]) } },
      }),
    ).rejects.toThrow(/called 2 times but the test gave it 1 answer/);
  });

  it('SOAP, AMQP, AMQP 1.0, MQTT and ZeroMQ: calls and messages recorded', async () => {
    class Fanout extends service({ name: 'test.fanout' }) {
      async handle() {
        const q = await this.outgoing.soap('quotes').call({ getQuote: { symbol: 'IBM' } });
        await this.outgoing.amqp('orders').send({ q: q.body }, { routingKey: 'r' });
        await this.outgoing.amqp1('jms').send('t');
        await this.outgoing.mqtt('sensors').publish('m', { topic: 't/1' });
        await this.outgoing.zeromq('feed').send(['a', 'b']);
      }
    }
    const soap = fakeSoap({ body: { getQuoteResponse: { price: '12.5' } } });
    const amqp = fakeAmqp();
    const amqp1 = fakeAmqp1();
    const mqtt = fakeMqtt();
    const zmq = fakeZeromq();
    await testService(Fanout, {
      outgoing: {
        soap: { quotes: soap },
        amqp: { orders: amqp },
        amqp1: { jms: amqp1 },
        mqtt: { sensors: mqtt },
        zeromq: { feed: zmq },
      },
    });
    expect(soap.calls[0]?.body).toEqual({ getQuote: { symbol: 'IBM' } });
    expect(amqp.sent).toEqual([
      {
        connection: 'orders',
        message: { q: { getQuoteResponse: { price: '12.5' } } },
        options: { routingKey: 'r' },
      },
    ]);
    expect(amqp1.sent[0]?.message).toBe('t');
    expect(mqtt.sent[0]).toMatchObject({
      message: 'm',
      options: { topic: 't/1' },
    });
    expect(zmq.sent[0]?.message).toEqual(['a', 'b']);
    const refusing = fakeAmqp({
      onSend: () => Promise.reject(new WharfError('WHARF_ERR_UPSTREAM', ['broker said no'])),
    });
    await expect(
      testService(Fanout, {
        outgoing: { soap: { quotes: soap }, amqp: { orders: refusing } },
      }),
    ).rejects.toThrow('broker said no');
    expect(refusing.sent).toEqual([]);
  });

  it('invoke: fakes and real services (through their SimpleIO); invokeAsync recorded; unknown names refused', async () => {
    class Caller extends service({
      name: 'test.invoker',
      input: { who: text() },
    }) {
      async handle() {
        const g = await this.invoke(Greeter, { name: this.input.who });
        const c = await this.invoke('crm.lookup', { id: 1 });
        const cid = await this.invokeAsync('audit.log', {
          who: this.input.who,
        });
        return { g: g.greeting, c, cid };
      }
    }
    const r = await testService(Caller, {
      input: { who: 'Al' },
      invoke: {
        'test.greeter': Greeter,
        'crm.lookup': (input) => ({ found: input['id'] }),
        'audit.log': () => undefined,
      },
    });
    expect(r.output).toMatchObject({ g: 'hello Al', c: { found: 1 } });
    expect(r.invoked.map((i) => i.service)).toEqual(['test.greeter', 'crm.lookup']);
    expect(r.invokedAsync).toEqual([
      {
        service: 'audit.log',
        input: { who: 'Al' },
        cid: (r.output as { cid: string }).cid,
        callback: undefined,
      },
    ]);
    await expect(
      testService(Caller, {
        input: { who: 'Al' },
        invoke: { 'test.greeter': Greeter },
      }),
    ).rejects.toMatchObject({
      code: 'WHARF_ERR_SERVICE_NOT_DEPLOYED',
      message: 'Service `crm.lookup` is not deployed',
    });
  });

  it('config and locks: a held lock makes a second caller wait or fail with 409', async () => {
    class Locker extends service({
      name: 'test.locker',
      input: { wait: int() },
    }) {
      async handle() {
        await using _lock = await this.lock('invoices', {
          waitMs: this.input.wait,
        });
        return { url: String(this.config['crm']?.['url']) };
      }
    }
    const locks = memoryLocks();
    const r = await testService(Locker, {
      input: { wait: 0 },
      config: { crm: { url: 'http://crm' } },
      locks,
    });
    expect(r.output).toEqual({ url: 'http://crm' });
    expect(locks.taken).toEqual(['invoices']);
    expect(locks.held()).toEqual([]);
    const held = await locks.lock('invoices');
    await expect(testService(Locker, { input: { wait: 0 }, locks })).rejects.toBeInstanceOf(WharfError);
    await expect(testService(Locker, { input: { wait: 0 }, locks })).rejects.toMatchObject({
      code: 'WHARF_ERR_CONFLICT',
      message: 'lock `invoices` is held by another invocation',
    });
    const waiting = testService(Locker, { input: { wait: 5000 }, locks });
    await held.release();
    await expect(waiting).resolves.toMatchObject({ status: 200 });
    expect(Conflict).toBeDefined();
  });
});

describe('nested declarations', () => {
  it('an object input with a list, from a JSON body', async () => {
    class Nested extends service({
      name: 'test.nested',
      input: { customer: object({ id: int(), tags: list(text()) }) },
    }) {
      handle() {
        return {
          id: this.input.customer.id,
          tags: this.input.customer.tags.length,
        };
      }
    }
    const r = await testService(Nested, {
      format: 'json',
      body: { customer: { id: '5', tags: ['a', 'b'] } },
    });
    expect(r.output).toEqual({ id: 5, tags: 2 });
  });
});

describe('methods, path parameters, loading modules', () => {
  it('GET with path parameters selects handleGet; a verb the service does not handle is MethodNotAllowed', async () => {
    class Customer extends service({ name: 'test.customer', input: { id: int() } }) {
      handleGet() {
        return { id: this.input.id, via: this.request.method };
      }
    }
    await expect(testService(Customer, { format: 'json', method: 'GET', path: { id: '12' } })).resolves.toMatchObject({
      output: { id: 12, via: 'GET' },
      body: '{"id":12,"via":"GET"}',
    });
    await expect(
      testService(Customer, { format: 'json', method: 'DELETE', path: { id: '12' } }),
    ).rejects.toBeInstanceOf(MethodNotAllowed);
  });

  it('loadServices loads a module as a server deploys it; a bad file is a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wharf-kit-'));
    try {
      writeFileSync(
        join(dir, 'ok.ts'),
        "import { service, text } from 'wharf-esb';\nexport class Echo extends service({ name: 'kit.echo', input: { s: text() } }) { handle() { return { s: this.input.s }; } }\n",
      );
      writeFileSync(join(dir, 'none.ts'), 'export const x = 1;\n');
      const mod = await loadServices(join(dir, 'ok.ts'));
      await expect(testService(mod, { input: { s: 'hi' } })).resolves.toMatchObject({ output: { s: 'hi' } });
      await expect(loadServices(join(dir, 'none.ts'))).rejects.toMatchObject({
        code: 'WHARF_ERR_DEPLOY_FAILED',
        message: expect.stringContaining('exports no service class'),
      });
      await expect(loadServices(join(dir, 'missing.ts'))).rejects.toThrow(/ENOENT.*missing\.ts/);
      await expect(loadServices('')).rejects.toBeInstanceOf(TypeError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
