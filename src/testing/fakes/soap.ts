/**
 * A fake outgoing SOAP connection for `testService`: what `this.outgoing.soap(name)` gives a service. It
 * records every call and answers with the Body the test gives (an answer function may throw, e.g. a
 * `SoapFaultError`, to play a Fault).
 */
import type { SoapBody, SoapCallOptions, SoapOutgoing, SoapResult } from '../../outgoing/soap/client.js';
import { envelope, type SoapVersion } from '../../service/formats/soap.js';
import { writeElement } from '../../service/formats/xml.js';
import { answerFor, type Answers } from './answers.js';

export interface SoapCallRecord {
  readonly connection: string;
  /** The Body content the service passed (object or XML text). */
  readonly body: SoapBody | null | undefined;
  readonly options: SoapCallOptions;
}

export interface SoapAnswer {
  /** The answer Body's children, e.g. `{ getQuoteResponse: { price: '12.5' } }`. */
  body?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Default 200. */
  status?: number;
}

export interface FakeSoap {
  readonly kind: 'soap';
  readonly calls: readonly SoapCallRecord[];
  /** @internal what the service sees */
  connection(name: string): SoapOutgoing;
}

export function fakeSoap(
  answers?: Answers<SoapCallRecord, SoapAnswer>,
  options: { soapVersion?: SoapVersion } = {},
): FakeSoap {
  const calls: SoapCallRecord[] = [];
  const version = options.soapVersion ?? '1.1';
  const connection = (name: string): SoapOutgoing => {
    const fake = {
      name,
      soapVersion: version,
      async call(body?: SoapBody | null, opts: SoapCallOptions = {}): Promise<SoapResult> {
        const rec: SoapCallRecord = { connection: name, body, options: opts };
        const index = calls.length;
        calls.push(rec);
        const a = await answerFor(answers, {}, rec, index, `fake SOAP connection \`${name}\``);
        const answerBody = a.body ?? {};
        let inner = '';
        for (const [k, v] of Object.entries(answerBody)) inner += writeElement(k, v);
        let header = '';
        for (const [k, v] of Object.entries(a.header ?? {})) header += writeElement(k, v);
        return {
          status: a.status ?? 200,
          body: answerBody,
          element: Object.keys(answerBody)[0] ?? '',
          header: a.header,
          envelope: envelope(version, inner, header),
          headers: {},
        };
      },
    };
    return fake as unknown as SoapOutgoing;
  };
  return { kind: 'soap', calls, connection };
}
