import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { prettyStdout, stdoutFormat } from './logger.js';

describe('foreground log format', () => {
  it('is readable on a terminal, JSON when piped, WHARF_LOG_FORMAT overrides', () => {
    expect(stdoutFormat({}, true)).toBe('pretty');
    expect(stdoutFormat({}, false)).toBe('json');
    expect(stdoutFormat({ WHARF_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(stdoutFormat({ WHARF_LOG_FORMAT: 'PRETTY' }, false)).toBe('pretty');
  });

  it('prints one readable line per record: time, level, message, fields', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const log = pino(
      { base: { server: 'server1', role: 'primary' }, timestamp: pino.stdTimeFunctions.isoTime },
      prettyStdout(out, false),
    );
    log.info({ port: 11223 }, 'listening');
    log.warn('slow');
    await new Promise((r) => setTimeout(r, 50));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: server1 primary: listening {"port":11223}$/);

    expect(lines[1]).toMatch(/WARN: server1 primary: slow$/);
    expect(text).not.toMatch(/"level":/);
  });
});
