import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCa, issueCertificate } from './ca.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CA', () => {
  it('creates a CA and issues server certificates that verify against it, with SANs, keys 0600', async () => {
    const ca = join(dir, 'ca');
    await createCa(ca, { name: 'Test CA' });
    await expect(createCa(ca)).rejects.toThrow(/already holds a CA/);
    const caCert = new X509Certificate(readFileSync(join(ca, 'ca.crt')));
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toMatch(/CN=Test CA/);
    expect(statSync(join(ca, 'ca.key')).mode & 0o777).toBe(0o600);

    const a = await issueCertificate(ca, { name: 'server1', purpose: 'server' });
    const b = await issueCertificate(ca, {
      name: 'lb',
      purpose: 'load-balancer',
      hosts: ['lb.example.com', '10.0.0.5'],
      outDir: join(dir, 'lb'),
    });
    const ca1 = new X509Certificate(readFileSync(a.cert));
    const ca2 = new X509Certificate(readFileSync(b.cert));
    expect(ca1.verify(caCert.publicKey)).toBe(true);
    expect(ca1.checkIssued(caCert)).toBe(true);
    expect(ca1.checkHost('localhost')).toBe('localhost');
    expect(ca1.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(ca2.checkHost('lb.example.com')).toBe('lb.example.com');
    expect(ca2.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(ca1.serialNumber).not.toBe(ca2.serialNumber);
    expect(ca1.ca).toBe(false);
    expect(statSync(a.key).mode & 0o777).toBe(0o600);
    expect(readFileSync(a.pem, 'utf8')).toMatch(/BEGIN CERTIFICATE[\s\S]+BEGIN PRIVATE KEY/);
    expect(readFileSync(b.ca, 'utf8')).toBe(readFileSync(join(ca, 'ca.crt'), 'utf8'));
    // openssl agrees
    const out = execFileSync('openssl', ['verify', '-CAfile', join(ca, 'ca.crt'), a.cert], { encoding: 'utf8' });
    expect(out).toMatch(/OK/);
  });

  it('a TLS server with an issued certificate is trusted by a client that trusts only the CA', async () => {
    const ca = join(dir, 'ca');
    const s = await issueCertificate(ca, { name: 'tls1', purpose: 'server' });
    const server = createServer({ cert: readFileSync(s.cert), key: readFileSync(s.key) }, (_req, res) =>
      res.end('secure'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const { request } = await import('node:https');
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/', ca: readFileSync(join(ca, 'ca.crt')), servername: 'localhost' },
          (res) => {
            let t = '';
            res.on('data', (d: Buffer) => (t += d.toString()));
            res.on('end', () => resolve(t));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('secure');
    } finally {
      server.close();
    }
  });

  it('refuses to issue without a CA and with a bad name', async () => {
    await expect(issueCertificate(join(dir, 'none'), { name: 'x', purpose: 'server' })).rejects.toThrow(/holds no CA/);
    await expect(issueCertificate(join(dir, 'ca'), { name: '../evil', purpose: 'server' })).rejects.toThrow(
      /certificate name/,
    );
  });
});
