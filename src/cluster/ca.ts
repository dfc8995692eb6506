/**
 * A small certificate authority for an environment (`wharf ca create ...`, quickstart step 1):
 * a self-signed CA and certificates it issues for servers, the load balancer and the web admin,
 * made with @peculiar/x509 on Node's WebCrypto (ECDSA P-256, SHA-256).
 *
 * A CA directory holds `ca.crt`, `ca.key` (PKCS#8 PEM, mode 0600) and `serial` (the next serial
 * number). An issued certificate is written as `NAME.crt`, `NAME.key` and `NAME.pem` (certificate +
 * key in one file, the form HAProxy's `crt` takes), next to a copy of `ca.crt`.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type KeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export type CertPurpose = 'server' | 'load-balancer' | 'web-admin' | 'client';

export interface IssuedFiles {
  cert: string;
  key: string;
  pem: string;
  ca: string;
}

function pemKey(der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

function derOf(pem: string): ArrayBuffer {
  const b64 = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

const dnEscape = (v: string): string => v.replace(/([,+"\\<>;=])/g, '\\$1');

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Creates a CA in `dir` (which must not hold one already). */
export async function createCa(
  dir: string,
  opts: { name?: string; years?: number } = {},
): Promise<{ cert: string; key: string }> {
  mkdirSync(dir, { recursive: true });
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  if (existsSync(certPath) || existsSync(keyPath)) throw new Error(`${dir} already holds a CA`);
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${dnEscape(opts.name ?? 'Wharf CA')}, O=Wharf`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + (opts.years ?? 10) * 365 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writeFileSync(certPath, cert.toString('pem') + '\n');
  writeSecret(keyPath, pemKey(await crypto.subtle.exportKey('pkcs8', keys.privateKey)));
  writeFileSync(join(dir, 'serial'), '1000\n');
  return { cert: certPath, key: keyPath };
}

export interface IssueOptions {
  /** Common name, also the file name (server1, load-balancer, web-admin...). */
  name: string;
  purpose: CertPurpose;
  /** Subject alternative names: host names and IP addresses (default: localhost, 127.0.0.1, ::1). */
  hosts?: string[];
  /** Where to write NAME.crt/.key/.pem and ca.crt (default: CA_DIR/issued). */
  outDir?: string;
  days?: number;
}

/** Issues a certificate signed by the CA in `caDir`. */
export async function issueCertificate(caDir: string, opts: IssueOptions): Promise<IssuedFiles> {
  const caCertPath = join(caDir, 'ca.crt');
  const caKeyPath = join(caDir, 'ca.key');
  if (!existsSync(caCertPath) || !existsSync(caKeyPath))
    throw new Error(`${caDir} holds no CA (ca.crt and ca.key); create one with \`wharf ca create ca ${caDir}\``);
  if (!/^[A-Za-z0-9._-]+$/.test(opts.name))
    throw new Error(`certificate name \`${opts.name}\`: use letters, digits, dot, dash and underscore only`);
  const caCert = new x509.X509Certificate(readFileSync(caCertPath, 'utf8'));
  const caKey = await crypto.subtle.importKey('pkcs8', derOf(readFileSync(caKeyPath, 'utf8')), ALG, false, ['sign']);
  const serialPath = join(caDir, 'serial');
  const serial = existsSync(serialPath)
    ? Number.parseInt(readFileSync(serialPath, 'utf8').trim(), 16) || 0x1000
    : 0x1000;
  writeFileSync(serialPath, `${(serial + 1).toString(16)}\n`);

  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
  const hosts = opts.hosts?.length ? opts.hosts : ['localhost', '127.0.0.1', '::1'];
  const sans = hosts.map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }));
  const usages =
    opts.purpose === 'client'
      ? [x509.ExtendedKeyUsage.clientAuth]
      : [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString(16).padStart(4, '0'),
    subject: `CN=${dnEscape(opts.name)}, OU=${opts.purpose}, O=Wharf`,
    issuer: caCert.subject,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + (opts.days ?? 825) * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      new x509.SubjectAlternativeNameExtension(sans, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  const out = opts.outDir ?? join(caDir, 'issued');
  mkdirSync(out, { recursive: true });
  const certPem = cert.toString('pem') + '\n';
  const keyPem = pemKey(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const files: IssuedFiles = {
    cert: join(out, `${opts.name}.crt`),
    key: join(out, `${opts.name}.key`),
    pem: join(out, `${opts.name}.pem`),
    ca: join(out, 'ca.crt'),
  };
  writeFileSync(files.cert, certPem);
  writeSecret(files.key, keyPem);
  writeSecret(files.pem, certPem + keyPem);
  if (files.ca !== caCertPath) copyFileSync(caCertPath, files.ca);
  return files;
}
