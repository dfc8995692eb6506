import { html } from 'htm/preact';
import { ApiError, errorText } from '../errors';

export interface ErrorBannerProps {
  error: unknown;
  /** Text before the message, e.g. "Could not save". */
  title?: string;
  onDismiss?: () => void;
}

/** An error as a role=alert box: its message, code and (for validation errors) the problems. */
export function ErrorBanner({ error, title, onDismiss }: ErrorBannerProps) {
  if (error === undefined || error === null || error === false) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  // Problems the message already says (a single problem often is the message) are not repeated.
  const problems = error instanceof ApiError ? error.problemTexts.filter((p) => !errorText(error).includes(p)) : [];
  return html`<div class="banner banner-error" role="alert">
    <div class="banner-body">
      ${title ? html`<strong>${title}: </strong>` : null}${errorText(error)}
      ${code ? html` <code class="code">${code}</code>` : null}
      ${
        problems.length
          ? html`<ul>
              ${problems.map((p) => html`<li>${p}</li>`)}
            </ul>`
          : null
      }
    </div>
    ${onDismiss ? html`<button type="button" class="btn-link" onClick=${onDismiss}>Dismiss</button>` : null}
  </div>`;
}

/** A role=status success note. */
export function Notice({ children }: { children?: unknown }) {
  if (!children) return null;
  return html`<div class="banner banner-ok" role="status">${children}</div>`;
}
