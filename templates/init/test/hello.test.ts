import { describe, expect, it } from 'vitest';
import { BadRequest } from 'wharf-esb';
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
    await expect(testService(Hello, { format: 'json', body: {} })).rejects.toBeInstanceOf(BadRequest);
  });
});
