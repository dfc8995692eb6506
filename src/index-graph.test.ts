/**
 * The package entry (src/index.ts), which every worker imports to give service modules Wharf's API,
 * loads no connector code: no file under src/outgoing/<kind>/ but the small error-class files, nothing
 * under src/channels/, nothing of src/connectors/ but error-class files, and no driver package. A fresh
 * Node process imports it and records every module it resolves; a control import of the outgoing HTTP
 * kind shows that the probe does see undici when it is loaded.
 */
import { describe, expect, it } from 'vitest';
import { packagesIn, probeModules, srcUrl, wharfFiles } from '../test/support/module-probe.js';

const DRIVERS = ['undici', 'amqplib', 'rhea', 'mqtt', 'zeromq', 'redis', 'pg', 'mysql2', 'better-sqlite3'];
/** What the entry may load from the connector trees: the error classes it exports, each in a file of its own. */
const ALLOWED = new Set(['outgoing/http/errors.ts', 'outgoing/soap/errors.ts', 'connectors/swift/errors.ts']);

describe('the package entry (src/index.ts)', () => {
  it('loads no connector code and no driver', async () => {
    const { modules, stdout } = await probeModules(
      `const api = await import(${srcUrl('index.ts')});
console.log(JSON.stringify({ n: Object.keys(api).length, http: typeof api.HttpStatusError, soap: typeof api.SoapFaultError }));
`,
    );
    const info = JSON.parse(stdout.trim()) as { n: number; http: string; soap: string };
    expect(info.soap).toBe('function');
    expect(info.http).toBe('function');
    expect(info.n).toBeGreaterThan(20);

    const files = wharfFiles(modules);
    expect(files).toContain('index.ts');
    expect(files).toContain('outgoing/http/errors.ts');
    expect(files).toContain('outgoing/soap/errors.ts');
    const connectorFiles = files.filter((f) => /^(outgoing|channels|connectors)\//.test(f) && !ALLOWED.has(f));
    expect(connectorFiles).toEqual([]);
    expect(packagesIn(modules).filter((p) => DRIVERS.includes(p))).toEqual([]);
  });

  it('exports the very classes the connectors throw (instanceof holds), and the probe sees a driver when one loads', async () => {
    const { modules, stdout } = await probeModules(
      `const api = await import(${srcUrl('index.ts')});
const http = await import(${srcUrl('outgoing/http/index.ts')});
const soap = await import(${srcUrl('outgoing/soap/index.ts')});
console.log(JSON.stringify({
  http: api.HttpStatusError === http.HttpStatusError,
  soap: api.SoapFaultError === soap.SoapFaultError,
  soapIsUpstream: new soap.SoapFaultError({ connection: 'c', label: 'SOAP connection c', soapVersion: '1.1', faultCode: 'Server', faultString: 'x', httpStatus: 500, envelope: '' }) instanceof http.UpstreamError,
}));
`,
    );
    expect(JSON.parse(stdout.trim())).toEqual({ http: true, soap: true, soapIsUpstream: true });
    expect(packagesIn(modules)).toContain('undici');
    expect(wharfFiles(modules)).toContain('outgoing/http/client.ts');
  });
});
