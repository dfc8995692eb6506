// Regenerates docs/errors.md from the error registry (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { errorRegistry } from '../dist/errors.js';

let s = `# Error registry

Every error Wharf raises has a code, an HTTP status and a message template (\`src/errors.ts\`). Channels
render it in their own format: JSON \`{"error": {"code", "message", "cid", "details"}}\`, XML
\`<error>…</error>\`, a SOAP Fault (1.1: faultcode Client/Server; 1.2: Sender/Receiver, with
\`<wharf:code>\` and \`<wharf:cid>\` in the detail), or a text line. A client never sees a stack trace;
the server log has it under the same correlation id (\`cid\`, also in the \`x-wharf-cid\` response header).

| code | HTTP | message | retryable |
|---|---|---|---|
`;
for (const [code, spec] of Object.entries(errorRegistry)) {
  s += `| \`${code}\` | ${spec.status} | ${spec.message.replace(/\|/g, '\\|')} | ${spec.retryable ? 'yes' : ''} |\n`;
}
s += `
Services raise the client errors with \`BadRequest\`, \`Unauthorized\`, \`Forbidden\`, \`NotFound\`,
\`MethodNotAllowed\`, \`Conflict\`, \`TooManyRequests\` (all exported by \`wharf\`), or
\`new WharfError(code, args, { status, details })\`.
`;
writeFileSync(new URL('../docs/errors.md', import.meta.url), s);
