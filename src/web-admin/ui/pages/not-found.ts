import { html } from 'htm/preact';
import { Page } from '../components/page';
import { Link } from '../router';

/** "Not found": heading per contract, text e.g. "HTTP channel `api` does not exist". */
export default function NotFound({ text }: { text?: string }) {
  return html`<${Page} title="Not found">
    <p>${text ?? 'There is no page at this address.'}</p>
    <p><${Link} href="/">Go to the dashboard</${Link}></p>
  </${Page}>`;
}

/** The text for a missing object: "<Kind title> `<name>` does not exist". */
export function missingText(kindTitle: string, name: string): string {
  return `${kindTitle} \`${name}\` does not exist`;
}
