#!/usr/bin/env node
/**
 * How long one `testService` call takes after the first (issue 15's goal: ≤ 1 ms), against the built
 * package (`npm run build` first): `node bench/testing-kit.js [calls]` (default 2000 per case).
 * Cases: typed input (the Pipeline only), the seed's invoice.dispatcher with a JSON body and a fake
 * Swift (the channel's parse/render + Swift puts), and a SOAP 1.1 body rendered back. Prints µs per
 * call (median of 5 rounds, after a warm-up of the same size). Absolute figures depend on the machine
 * and its load; the figure that matters is far below 1000 µs.
 */
import { fileURLToPath } from 'node:url';
import { int, service, text } from 'wharf-esb';
import { fakeSwift, loadServices, testService } from 'wharf-esb/testing';

const CALLS = Number(process.argv[2] ?? 2000);
const ROUNDS = 5;

class Greeter extends service({
  name: 'bench.greeter',
  input: { name: text(), times: int().default(1) },
  output: { greeting: text() },
}) {
  handle() {
    return { greeting: `hello ${this.input.name}` };
  }
}
const dispatcherFile = fileURLToPath(new URL('../examples/invoice-dispatcher.ts', import.meta.url));
const { 'invoice.dispatcher': Dispatcher } = await loadServices(dispatcherFile);
const soapBody =
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><greet><name>Ann</name></greet></soapenv:Body></soapenv:Envelope>';

const cases = {
  'typed input (Greeter)': () => testService(Greeter, { input: { name: 'Ann' } }),
  'JSON body + fake Swift (invoice.dispatcher, 2 puts)': () =>
    testService(Dispatcher, {
      format: 'json',
      body: '{"id":"123"}',
      query: { target: ['CRM', 'Billing'] },
      cloud: { swift: { 'Invoice Dispatcher': fakeSwift() } },
    }),
  'SOAP 1.1 body, rendered answer (Greeter)': () => testService(Greeter, { format: 'soap11', body: soapBody }),
};

async function round(fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / 1000 / CALLS;
}

console.log(
  `wharf-esb/testing: µs per testService call (${CALLS} calls × ${ROUNDS} rounds after a warm-up; median; Node ${process.version})`,
);
for (const [name, fn] of Object.entries(cases)) {
  const t = process.hrtime.bigint();
  await fn();
  const first = Number(process.hrtime.bigint() - t) / 1000;
  await round(fn);
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await round(fn));
  rounds.sort((a, b) => a - b);
  const median = rounds[Math.floor(ROUNDS / 2)];
  console.log(
    `  ${name.padEnd(52)} first ${first.toFixed(0).padStart(6)} µs   then ${median.toFixed(1).padStart(7)} µs/call  (rounds ${rounds.map((x) => x.toFixed(1)).join(', ')})`,
  );
}
