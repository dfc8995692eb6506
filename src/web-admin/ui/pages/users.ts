/** `/users` — the admin users: list, create, change password, delete. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner, Notice } from '../components/error-banner';
import { TextField } from '../components/field';
import { Loading } from '../components/loading';
import { Page } from '../components/page';
import { useAction, useAsync } from '../components/use-async';
import { errorText } from '../errors';
import { seg } from '../router';
import { session } from '../session';
import { useStore } from '../store';
import { fmtTime } from './kind-list';

interface User {
  username: string;
  createdAt?: string;
}

export default function Users() {
  const me = useStore(session);
  const res = useAsync(() => api<{ items: User[] }>('GET', 'users'), []);
  const [notice, setNotice] = useState<string>();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [createError, setCreateError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [pwFor, setPwFor] = useState<string>();
  const [delFor, setDelFor] = useState<string>();

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setCreateError(undefined);
    setNotice(undefined);
    try {
      await api('POST', 'users', { username: username.trim(), password });
      setNotice(`Created user ${username.trim()}.`);
      setUsername('');
      setPassword('');
      res.reload();
    } catch (err) {
      setCreateError(err);
    } finally {
      setBusy(false);
    }
  };

  return html`<${Page} title="Users">
    <${Notice}>${notice}</${Notice}>
    <${ErrorBanner} error=${res.error} title="Could not load the users" />
    ${!res.data && res.loading ? html`<${Loading} />` : null}
    ${
      res.data
        ? html`<div class="table-wrap">
            <table class="table" aria-label="Admin users">
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Created</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                ${res.data.items.map(
                  (u) =>
                    html`<tr key=${u.username}>
                      <td>
                        ${u.username}${me?.user === u.username ? html` <span class="badge badge-active">you</span>` : null}
                      </td>
                      <td class="small">${fmtTime(u.createdAt)}</td>
                      <td class="row-actions">
                        <button type="button" class="btn btn-small" onClick=${() => setPwFor(u.username)}>
                          Change password
                        </button>
                        <button type="button" class="btn btn-small btn-danger" onClick=${() => setDelFor(u.username)}>
                          Delete
                        </button>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : null
    }
    <section class="panel form-plain" aria-labelledby="create-user-h">
      <h2 id="create-user-h">Create a user</h2>
      <${ErrorBanner} error=${createError} title="Not created" />
      <form onSubmit=${create} class="form-grid" aria-label="Create a user">
        <${TextField} id="new-username" label="Username" value=${username} onInput=${setUsername} required=${true} autocomplete="off" />
        <${TextField} id="new-password" label="Password" type="password" value=${password} onInput=${setPassword} required=${true} autocomplete="new-password" />
        <div class="form-actions wide"><button type="submit" class="btn btn-primary" disabled=${busy}>Create</button></div>
      </form>
    </section>
    ${
      pwFor
        ? html`<${PasswordDialog}
            user=${pwFor}
            onClose=${(msg?: string) => {
              setPwFor(undefined);
              if (msg) setNotice(msg);
            }}
          />`
        : null
    }
    ${
      delFor
        ? html`<${DeleteDialog}
            user=${delFor}
            onClose=${(msg?: string) => {
              setDelFor(undefined);
              if (msg) {
                setNotice(msg);
                res.reload();
              }
            }}
          />`
        : null
    }
  </${Page}>`;
}

function PasswordDialog({ user, onClose }: { user: string; onClose: (msg?: string) => void }) {
  const [pw, setPw] = useState('');
  const {
    busy,
    error,
    run: save,
  } = useAction(async () => {
    await api('PATCH', `users/${seg(user)}`, { password: pw });
    onClose(`Changed the password of ${user}.`);
  });
  return html`<${ConfirmDialog} title=${`New password for ${user}`} confirmLabel="Change password" busy=${busy} onConfirm=${save} onCancel=${() => onClose()}>
    <form class="form-plain" onSubmit=${(e: Event) => {
      e.preventDefault();
      void save();
    }}>
      <${TextField} id="change-password" label="New password" type="password" value=${pw} onInput=${setPw} required=${true} autocomplete="new-password" />
    </form>
    ${error ? html`<div class="banner banner-error" role="alert">${errorText(error)}</div>` : null}
  </${ConfirmDialog}>`;
}

function DeleteDialog({ user, onClose }: { user: string; onClose: (msg?: string) => void }) {
  const {
    busy,
    error,
    run: del,
  } = useAction(async () => {
    await api('DELETE', `users/${seg(user)}`);
    onClose(`Deleted user ${user}.`);
  });
  return html`<${ConfirmDialog} title=${`Delete user ${user}?`} confirmLabel="Delete" danger=${true} busy=${busy} onConfirm=${del} onCancel=${() => onClose()}>
    <p>${user} will no longer be able to log in; their sessions end.</p>
    ${error ? html`<div class="banner banner-error" role="alert">${errorText(error)}</div>` : null}
  </${ConfirmDialog}>`;
}
