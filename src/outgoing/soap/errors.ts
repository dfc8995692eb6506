/**
 * {@link SoapFaultError}: a SOAP Fault answered by an upstream endpoint, as a typed error. Its own small
 * file so that Wharf's package entry (src/index.ts) exports it without loading the SOAP client or undici.
 */
import type { SoapVersion } from '../../service/formats/soap.js';
import { UpstreamError } from '../http/errors.js';

export interface SoapFaultInit {
  connection: string;
  label: string;
  soapVersion: SoapVersion;
  faultCode: string;
  faultString: string;
  subcodes?: string[];
  actor?: string | undefined;
  detail?: unknown;
  httpStatus: number;
  envelope: string;
}

/** A SOAP Fault answered by the upstream endpoint; HTTP 502 to whoever called the service. */
export class SoapFaultError extends UpstreamError {
  readonly soapVersion: SoapVersion;
  /** 1.1 `faultcode`, 1.2 `Code/Value`, as written (e.g. `soapenv:Server`, `env:Sender`). */
  readonly faultCode: string;
  /** 1.2 `Subcode/Value` chain, outermost first (empty for 1.1). */
  readonly subcodes: readonly string[];
  /** 1.1 `faultstring`, 1.2 the first `Reason/Text`. */
  readonly faultString: string;
  /** 1.1 `faultactor`, 1.2 `Role`. */
  readonly actor: string | undefined;
  /** The `detail`/`Detail` content, parsed (element local names), or undefined. */
  readonly detail: unknown;
  readonly httpStatus: number;
  /** The whole answer envelope. */
  readonly envelope: string;

  constructor(init: SoapFaultInit) {
    super('WHARF_ERR_SOAP_FAULT', `${init.label}: SOAP fault ${init.faultCode}: ${init.faultString}`, {
      connection: init.connection,
      reason: 'fault',
      details: { faultCode: init.faultCode, faultString: init.faultString },
    });
    this.name = 'SoapFaultError';
    this.soapVersion = init.soapVersion;
    this.faultCode = init.faultCode;
    this.subcodes = init.subcodes ?? [];
    this.faultString = init.faultString;
    this.actor = init.actor;
    this.detail = init.detail;
    this.httpStatus = init.httpStatus;
    this.envelope = init.envelope;
  }
}
