/**
 * `wharf/testing` (published as `<package>/testing`): run a service in-process with no server.
 *
 *   import { testService, fakeSwift } from '<package>/testing';
 *   const swift = fakeSwift();
 *   const r = await testService(InvoiceDispatcher, { format: 'json', body: '{"id":"123"}', query: { target: ['CRM'] }, cloud: { swift: { 'Invoice Dispatcher': swift } } });
 *
 * No test framework is imported: it works with vitest, node:test or anything else. See docs/testing.md.
 */
export {
  testService,
  type CommonTestOptions,
  type FakeService,
  type FormatTestOptions,
  type InputTestOptions,
  type RenderedTestResult,
  type ServiceModule,
  type TestCloud,
  type TestOutgoing,
  type TestResult,
} from './test-service.js';
export { TEST_FORMATS, type TestChannelSettings, type TestFormat } from './channel.js';
export { loadServices } from './load.js';
export {
  fakeHttp,
  type FakeHttp,
  type FakeHttpOptions,
  type HttpAnswer,
  type HttpRequestRecord,
} from './fakes/http.js';
export { fakeSoap, type FakeSoap, type SoapAnswer, type SoapCallRecord } from './fakes/soap.js';
export { fakeSwift, type FakeSwift, type FakeSwiftOptions, type SwiftPut } from './fakes/swift.js';
export {
  fakeAmqp,
  fakeAmqp1,
  fakeMqtt,
  fakeZeromq,
  type FakeAmqp,
  type FakeAmqp1,
  type FakeMqtt,
  type FakeZeromq,
  type FakeSender,
  type FakeSenderOptions,
  type SentMessage,
} from './fakes/senders.js';
export { memoryLocks, type MemoryLocks } from './fakes/locks.js';
export type { Answers } from './fakes/answers.js';
export type { InvokeRecord, LogLine } from './kit-runtime.js';
