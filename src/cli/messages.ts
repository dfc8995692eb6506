/**
 * Errors in Wharf's words: the validator's and parser's phrasing (zod's `Invalid input: expected
 * string, received undefined`, Node's `Require stack:` lists) becomes what a user of the CLI reads
 * (`--name is required`).
 */

const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

const article = (t: string): string => (/^[aeiou]/i.test(t) ? `an ${t}` : `a ${t}`);

/** One validator message (after its `field: `) in plain words; unknown phrasings are kept. */
export function plainWords(message: string): string {
  if (/^Invalid input: expected [^,]+, received undefined$/.test(message)) return 'required';
  if (message === 'Invalid input: expected int, received number') return 'expected a whole number';
  let m = /^Invalid input: expected "([^"]*)"$/.exec(message);
  if (m) return `must be ${m[1]!}`;
  m = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (m) return `expected ${article(m[1]!)}, not ${article(m[2]!)}`;
  m = /^Invalid option: expected one of (.+)$/.exec(message);
  if (m) return `expected one of ${m[1]!.replaceAll('"', '').split('|').join(', ')}`;
  m = /^Too small: expected (?:number|int) to be (>=?)(-?[\d.]+)$/.exec(message);
  if (m) return `must be ${m[1] === '>' ? 'greater than' : 'at least'} ${m[2]!}`;
  m = /^Too big: expected (?:number|int) to be (<=?)(-?[\d.]+)$/.exec(message);
  if (m) return `must be ${m[1] === '<' ? 'less than' : 'at most'} ${m[2]!}`;
  m = /^Too small: expected string to have >=(\d+) characters?$/.exec(message);
  if (m) return m[1] === '1' ? 'must not be empty' : `must have at least ${m[1]!} characters`;
  m = /^Unrecognized keys?: (.+)$/.exec(message);
  if (m) return `unknown field ${m[1]!.replaceAll('"', '')}`;
  if (message === 'Invalid URL') return 'not a valid URL';
  return message;
}

/** `field: message` problems (the admin API's `details.problems`) in plain words. */
export function plainProblem(problem: string): string {
  const i = problem.indexOf(': ');
  if (i < 0) return problem;
  return `${problem.slice(0, i)}: ${plainWords(problem.slice(i + 2))}`;
}

/**
 * A problem with an object given by CLI options, naming the option: `name: Invalid input: expected
 * string, received undefined` → `--name is required`; `port: ...` → `--port: expected a number, ...`.
 * Nested paths (`headers.x`) name their option (`--headers`).
 */
export function asOptionProblem(problem: string, fields: readonly string[]): string {
  const i = problem.indexOf(': ');
  if (i < 0) return problem;
  const path = problem.slice(0, i);
  const top = path.split(/[.[]/)[0]!;
  if (!fields.includes(top)) return plainProblem(problem);
  const words = plainWords(problem.slice(i + 2));
  const option = `--${kebab(top)}${path !== top ? ` (${path})` : ''}`;
  return words === 'required' ? `${option} is required` : `${option}: ${words}`;
}

/** An unexpected error's message for the terminal: no `Require stack:` list, no stack trace. */
export function wharfMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return withoutRequireStack(text);
}

/** Drops Node's `Require stack:` list (the message's first line says what is missing). */
export function withoutRequireStack(text: string): string {
  return text.replace(/\n?Require stack:(\n- [^\n]*)*/g, '').trimEnd();
}
