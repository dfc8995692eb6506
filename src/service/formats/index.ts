import type { DataFormat } from '../service.js';
import type { DataFormatCodec } from './codec.js';
import { formCodec } from './form.js';
import { jsonCodec } from './json.js';
import { plainCodec } from './plain.js';
import { soapCodec } from './soap.js';
import { xmlCodec } from './xml-codec.js';

export const codecs: Readonly<Record<DataFormat, DataFormatCodec>> = {
  json: jsonCodec,
  xml: xmlCodec,
  soap: soapCodec,
  form: formCodec,
  plain: plainCodec,
};

export const DATA_FORMATS = Object.keys(codecs) as DataFormat[];

export {
  accepts,
  charsetOf,
  mediaMatches,
  mediaType,
  type CodecOptions,
  type DataFormatCodec,
  type Parsed,
  type Rendered,
} from './codec.js';
export { soapCodec, soapFault, envelope, soapContentType, SOAP_NS, type SoapVersion } from './soap.js';
