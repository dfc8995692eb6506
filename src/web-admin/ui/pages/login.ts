import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiError, errorText } from '../errors';
import { navigate, useLocation } from '../router';
import { login, sessionExpired } from '../session';
import { useStore } from '../store';
import { TextField } from '../components/field';
import { safeNext } from '../paths';

export { safeNext } from '../paths';

export default function Login() {
  const loc = useLocation();
  const expired = useStore(sessionExpired);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await login(username, password);
      navigate(safeNext(loc.query.get('next')), { replace: true });
    } catch (err) {
      setPassword('');
      if (err instanceof ApiError && err.status === 429) {
        setError(
          `${err.message}${err.details?.['retryAfter'] ? ` (try again in ${String(err.details['retryAfter'])} s)` : ''}`,
        );
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return html`<div class="login-wrap">
    <main id="main" class="login-card">
      <div class="brand brand-login" aria-hidden="true">⚓ Wharf</div>
      <h1>Log in to the Wharf web admin</h1>
      ${expired ? html`<p class="banner banner-warn" role="status">Your session expired. Log in again to continue.</p>` : null}
      ${error ? html`<div class="banner banner-error" role="alert">${error}</div>` : null}
      <form onSubmit=${submit} method="post" action="/login" novalidate>
        <${TextField}
          id="login-username"
          label="Username"
          value=${username}
          onInput=${setUsername}
          autocomplete="username"
          required=${true}
        />
        <${TextField}
          id="login-password"
          label="Password"
          type="password"
          value=${password}
          onInput=${setPassword}
          autocomplete="current-password"
          required=${true}
        />
        <button type="submit" class="btn btn-primary btn-block" disabled=${busy}>Log in</button>
      </form>
    </main>
  </div>`;
}
