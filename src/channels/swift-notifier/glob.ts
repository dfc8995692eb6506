/**
 * Object-name globs: `*` any run of characters (also `/`), `?` one character, `[abc]`, `[a-z]`, `[!abc]`
 * a character class, `{a,b}` alternatives; `\` escapes the next character. Matched against the whole name.
 */

const SPECIAL = /[.+^$()|\\/]/;

/** Compiles a glob; throws an Error saying what is wrong with it. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    switch (ch) {
      case '*':
        while (glob[i + 1] === '*') i++;
        out += '.*';
        break;
      case '?':
        out += '.';
        break;
      case '[': {
        const end = glob.indexOf(']', i + 2);
        if (end < 0) throw new Error(`unclosed \`[\` at position ${i + 1}`);
        let body = glob.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        if (body === '') throw new Error(`empty character class at position ${i + 1}`);
        out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
        i = end;
        break;
      }
      case '{':
        braces++;
        out += '(?:';
        break;
      case '}':
        if (braces === 0) throw new Error(`\`}\` without \`{\` at position ${i + 1}`);
        braces--;
        out += ')';
        break;
      case ',':
        out += braces > 0 ? '|' : ',';
        break;
      case '\\': {
        const next = glob[i + 1];
        if (next === undefined) throw new Error('trailing `\\`');
        out += /[a-zA-Z0-9]/.test(next) ? next : `\\${next}`;
        i++;
        break;
      }
      default:
        out += SPECIAL.test(ch) || ch === ']' ? `\\${ch}` : ch;
    }
  }
  if (braces > 0) throw new Error('unclosed `{`');
  return new RegExp(`^${out}$`, 's');
}

/** The problem with a glob, or undefined when it compiles. */
export function globProblem(glob: string): string | undefined {
  try {
    globToRegExp(glob);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
