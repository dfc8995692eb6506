import { describe, expect, it } from 'vitest';
import { WharfError } from 'wharf-esb';
import { testService } from 'wharf-esb/testing';
import { Hello } from '../src/hello.js';

// testService runs the service in this process, with no server (see Wharf's docs/testing.md).
describe('hello', () => {
  it('greets by name', async () => {
    const { output } = await testService(Hello, { input: { name: 'Ada' } });
    expect(output.greeting).toBe('Hello, Ada!');
  });

  it('reads and answers JSON as an HTTP channel would', async () => {
    const r = await testService(Hello, { format: 'json', body: { name: 'Ada' } });
    expect(JSON.parse(r.body)).toEqual({ greeting: 'Hello, Ada!' });
  });

  it('refuses a request without a name, as the channel would', async () => {
    const refused = testService(Hello, { format: 'json', body: {} });
    await expect(refused).rejects.toBeInstanceOf(WharfError);
    await expect(refused).rejects.toMatchObject({ code: 'WHARF_ERR_MISSING_ELEMENT', status: 400 });
  });
});
