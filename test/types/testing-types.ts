/**
 * Type tests for wharf-esb/testing: `npx tsc -p test/types/tsconfig.json --noEmit` must pass. testService's
 * input and output follow from the service's declaration; every `// @ts-expect-error` line MUST fail to
 * compile. Nothing here runs.
 */
import { datetime, int, service, text } from '../../src/index.js';
import { fakeAmqp, fakeHttp, testService, type RenderedTestResult, type TestResult } from '../../src/testing/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
declare function check<T extends true>(): void;

class Greeter extends service({
  name: 'types.greeter',
  input: { name: text(), times: int().default(1) },
  output: { greeting: text(), at: datetime(), n: int().optional() },
}) {
  handle() {
    return { greeting: this.input.name, at: new Date() };
  }
}

export async function typed(): Promise<void> {
  const r = await testService(Greeter, { input: { name: 'Ann' } });
  check<
    Expect<
      Equal<
        typeof r,
        TestResult<{ greeting: string; at: Date; n?: number | undefined }, { name: string; times: number }>
      >
    >
  >();
  const times: number = r.input.times;
  void times;
  // @ts-expect-error -- not an input element
  void r.input.nam;
  const s: string = r.output.greeting;
  const d: Date = r.output.at;
  void [s, d];
  // @ts-expect-error -- not a field of the output
  void r.output.greting;
  // @ts-expect-error -- greeting is a string
  const wrong: number = r.output.greeting;
  void wrong;
  // @ts-expect-error -- input mode renders no document
  void r.body;

  // @ts-expect-error -- `nam` is not an input element
  await testService(Greeter, { input: { nam: 'Ann' } });
  // @ts-expect-error -- name is text
  await testService(Greeter, { input: { name: 1 } });
  // a defaulted element may be left out, and given
  await testService(Greeter, { input: { name: 'a', times: 2 } });

  const doc = await testService(Greeter, {
    format: 'soap11',
    body: '<x/>',
    channel: { soapAction: 'urn:x' },
  });
  check<
    Expect<
      Equal<
        typeof doc,
        RenderedTestResult<
          {
            greeting: string;
            at: Date;
            n?: number | undefined;
          },
          { name: string; times: number }
        >
      >
    >
  >();
  const text1: string = doc.body;
  void text1;
  // @ts-expect-error -- not a data format
  await testService(Greeter, { format: 'yaml', body: '' });
  // @ts-expect-error -- not a channel setting a test can give
  await testService(Greeter, {
    format: 'json',
    body: '{}',
    channel: { proxyTo: 'x' },
  });

  // fakes go under their own kind
  await testService(Greeter, {
    input: { name: 'a' },
    outgoing: { http: { CRM: fakeHttp() }, amqp: { q: fakeAmqp() } },
  });
  // @ts-expect-error -- an AMQP fake is not an HTTP connection
  await testService(Greeter, {
    input: { name: 'a' },
    outgoing: { http: { CRM: fakeAmqp() } },
  });
}
