import { describe, expect, it } from 'vitest';
import { asOptionProblem, plainProblem, plainWords, withoutRequireStack } from './messages.js';

describe("errors in Wharf's words", () => {
  it("rewords the validator's phrasing", () => {
    expect(plainWords('Invalid input: expected string, received undefined')).toBe('required');
    expect(plainWords('Invalid input: expected number, received string')).toBe('expected a number, not a string');
    expect(plainWords('Invalid input: expected int, received number')).toBe('expected a whole number');
    expect(plainWords('Invalid option: expected one of "json"|"xml"')).toBe('expected one of json, xml');
    expect(plainWords('Too small: expected number to be >0')).toBe('must be greater than 0');
    expect(plainWords('Too big: expected number to be <=10')).toBe('must be at most 10');
    expect(plainWords('Too small: expected string to have >=1 characters')).toBe('must not be empty');
    expect(plainWords('no outgoing connection named `x`')).toBe('no outgoing connection named `x`');
    expect(plainProblem('urlPath: Invalid input: expected string, received undefined')).toBe('urlPath: required');
  });

  it('names the CLI option of a field', () => {
    const fields = ['name', 'urlPath', 'headers'];
    expect(asOptionProblem('name: Invalid input: expected string, received undefined', fields)).toBe(
      '--name is required',
    );
    expect(asOptionProblem('urlPath: Invalid input: expected string, received number', fields)).toBe(
      '--url-path: expected a string, not a number',
    );
    expect(asOptionProblem('headers.x: Invalid input: expected string, received number', fields)).toBe(
      '--headers (headers.x): expected a string, not a number',
    );
    expect(asOptionProblem('service: no service named `s`', fields)).toBe('service: no service named `s`');
  });

  it("drops Node's Require stack list", () => {
    const text = "Cannot find module 'left-pad'\nRequire stack:\n- /srv/env/server1/x.js\n- /srv/y.js";
    expect(withoutRequireStack(text)).toBe("Cannot find module 'left-pad'");
    expect(withoutRequireStack(`deploy refused: ${text}\nmore`)).toBe(
      "deploy refused: Cannot find module 'left-pad'\nmore",
    );
  });
});
