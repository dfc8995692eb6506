/**
 * Pure helpers for deploying and invoking services from the browser: which files may be uploaded, the
 * deploy error's location with a caret under the source line, and the invoke console's JSON input.
 */

/** Only .ts and .js files are service files (as the admin API says; .d.ts is not one). */
export function isServiceFileName(name: string): boolean {
  return /\.(ts|js)$/i.test(name) && !/\.d\.ts$/i.test(name);
}

/** Files bigger than this are refused in the browser before any upload (the admin API refuses them too). */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export interface DeployErrorView {
  /** `file:line:column` (or just the file when the API gave no position). */
  location?: string;
  message: string;
  /** The offending source line and a caret line under its column. */
  lineText?: string;
  caret?: string;
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/**
 * The view of a refused deploy from the error's `details` ({ file, line, column (1-based), message, lineText })
 * and its message. The message is shown without a repeated `file:line:column: ` prefix.
 */
export function deployErrorView(
  message: string,
  details: Record<string, unknown> | undefined,
  fallbackFile?: string,
): DeployErrorView {
  const d = details ?? {};
  const file = typeof d['file'] === 'string' && d['file'] ? d['file'] : fallbackFile;
  const line = int(d['line']);
  const column = int(d['column']);
  let msg = typeof d['message'] === 'string' && d['message'] ? d['message'] : message;
  const out: DeployErrorView = { message: msg };
  if (file) {
    out.location = line ? `${file}:${line}${column ? `:${column}` : ''}` : file;
    for (const prefix of [`${out.location}: `, `${file}: `]) if (msg.startsWith(prefix)) msg = msg.slice(prefix.length);
    out.message = msg;
  }
  if (typeof d['lineText'] === 'string') {
    // Tabs keep their width in the caret line so the caret sits under the right character.
    const text = d['lineText'].replace(/\r?\n$/, '');
    out.lineText = text;
    if (column) out.caret = text.slice(0, column - 1).replace(/[^\t]/g, ' ') + '^';
  }
  return out;
}

export type ParsedInput = { ok: true; value: unknown } | { ok: false; message: string };

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** The invoke console's input: empty → `{}`; invalid JSON → a message naming the line and column. */
export function parseInput(text: string): ParsedInput {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const raw = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(raw);
    let where = '';
    if (m) {
      const { line, column } = lineColumn(text, Number(m[1]));
      where = ` at line ${line}, column ${column}`;
    } else if (/end of (JSON|data) input|Unterminated/i.test(raw)) {
      where = ' (it ends too early)';
    }
    const reason = raw
      .replace(/^JSON\.parse: /, '')
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)$/, '');
    return { ok: false, message: `Not valid JSON${where}: ${reason}` };
  }
}
