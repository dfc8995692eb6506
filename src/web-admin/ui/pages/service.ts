/**
 * One service (`/services/:name`): module, hash, status per server, the channels and jobs that use it,
 * its SimpleIO fields, the invoke console (input as JSON pre-filled from the declaration → status,
 * duration, cid, output), its traffic, and its module's source with syntax highlighting.
 */
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { Page } from '../components/page';
import { useAsync } from '../components/use-async';
import { kinds as kindsStore } from '../meta';
import { Link, navigate } from '../router';
import { useStore } from '../store';
import { TrafficCharts } from '../charts/traffic';
import { StateBadge, StatusCell } from '../ops/badge';
import { parseInput } from '../ops/deploy';
import { shortHash } from '../ops/drift';
import { clip, fmtOutput, fmtTime } from '../ops/format';
import { highlightSource } from '../ops/highlight';
import { kindTitle, objectHref, refocusDialog } from '../ops/links';
import type { FieldDesc, InvokeAnswer, ServiceDetails } from '../ops/types';

function FieldsTable({ fields, label }: { fields: FieldDesc[]; label: string }) {
  const rows: Array<{ f: FieldDesc; depth: number }> = [];
  const walk = (fs: FieldDesc[], depth: number) => {
    for (const f of fs) {
      rows.push({ f, depth });
      if (f.fields && depth < 5) walk(f.fields, depth + 1);
    }
  };
  walk(fields, 0);
  return html`<div class="table-wrap fields-table">
    <table class="table table-compact">
      <caption class="visually-hidden">
        ${label}
      </caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
          <th scope="col">Default</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          ({ f, depth }, i) =>
            html`<tr key=${i}>
              <td class="mono">
                ${depth ? '\u00a0\u00a0'.repeat(depth) + '.' : ''}${f.name}${f.description ? html`<div class="small muted">${f.description}</div>` : null}
              </td>
              <td class="mono">${f.type}</td>
              <td>${f.required ? 'yes' : 'no'}</td>
              <td class="mono">${f.default === undefined ? '' : JSON.stringify(f.default)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

const fmtDurationMs = (ms: number) => `${+ms.toFixed(ms < 10 ? 2 : 1)} ms`;

function InvokeConsole({ service, example }: { service: string; example: unknown }) {
  const [text, setText] = useState(() => JSON.stringify(example ?? {}, null, 2));
  const [fieldError, setFieldError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<InvokeAnswer>();
  const [callError, setCallError] = useState<unknown>();
  const [rtt, setRtt] = useState(0);

  const invoke = async (e?: Event) => {
    e?.preventDefault();
    const parsed = parseInput(text);
    if (!parsed.ok) {
      setFieldError(parsed.message);
      document.getElementById('invoke-input')?.focus();
      return;
    }
    setFieldError(undefined);
    setCallError(undefined);
    setBusy(true);
    try {
      const t0 = performance.now();
      const a = await api<InvokeAnswer>('POST', `services/${encodeURIComponent(service)}/invoke`, {
        input: parsed.value,
      });
      setRtt(performance.now() - t0);
      setAnswer(a);
    } catch (err) {
      setAnswer(undefined);
      setCallError(err);
    } finally {
      setBusy(false);
    }
  };

  const failed = answer && (answer.error || (typeof answer.status === 'number' && answer.status >= 400));
  return html`<section class="panel invoke" aria-labelledby="h-invoke">
    <h2 id="h-invoke">Invoke</h2>
    <form onSubmit=${invoke} novalidate>
      <div class=${'field' + (fieldError ? ' field-has-error' : '')}>
        <label for="invoke-input" class="field-label">Input (JSON)</label>
        <textarea
          id="invoke-input"
          spellcheck=${false}
          value=${text}
          rows=${Math.min(20, Math.max(6, text.split('\n').length + 1))}
          aria-describedby=${fieldError ? 'invoke-input-help invoke-input-error' : 'invoke-input-help'}
          aria-invalid=${fieldError ? 'true' : undefined}
          onInput=${(e: Event) => {
            setText((e.currentTarget as HTMLTextAreaElement).value);
            if (fieldError) setFieldError(undefined);
          }}
          onKeyDown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void invoke(e);
          }}
        ></textarea>
        <div class="field-help" id="invoke-input-help">
          Pre-filled from the service's input declaration. Ctrl+Enter invokes.
        </div>
        ${fieldError ? html`<div class="field-error" id="invoke-input-error">${fieldError}</div>` : null}
      </div>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled=${busy}>Invoke</button>
        <button
          type="button"
          class="btn"
          disabled=${busy}
          onClick=${() => {
            setText(JSON.stringify(example ?? {}, null, 2));
            setFieldError(undefined);
          }}
        >
          Reset input
        </button>
        ${busy ? html`<span class="muted" role="status">Running…</span>` : null}
      </div>
    </form>
    ${callError ? html`<${ErrorBanner} error=${callError} title="The call failed" />` : null}
    ${
      answer
        ? html`<div class="invoke-result" aria-live="polite">
            <div class="invoke-facts">
              <div>
                <span class="k">Status</span>
                <strong data-testid="invoke-status" class=${failed ? 'text-bad' : 'text-ok'}
                  >${answer.status ?? (answer.error ? 'error' : 200)}</strong
                >
              </div>
              <div>
                <span class="k">Duration</span>
                <span data-testid="invoke-duration"
                  >${typeof answer.durationMs === 'number' ? fmtDurationMs(answer.durationMs) : `${fmtDurationMs(rtt)} (round trip)`}</span
                >
              </div>
              <div><span class="k">cid</span> <code data-testid="invoke-cid">${answer.cid ?? ''}</code></div>
            </div>
            <h3 class="visually-hidden">Output</h3>
            <pre class="block" data-testid="invoke-output" tabindex="0" role="region" aria-label="Output">
${
                answer.error
                  ? `${answer.error.code ?? 'error'}: ${answer.error.message ?? ''}`
                  : clip(fmtOutput(answer.output))
              }</pre>
          </div>`
        : null
    }
  </section>`;
}

function Source({ module }: { module: string }) {
  const src = useAsync(
    () =>
      api<{ module: string; hash?: string; source: string }>('GET', `services/modules/${encodeURIComponent(module)}`),
    [module],
  );
  const [markup, setMarkup] = useState<string | undefined>();
  useEffect(() => {
    setMarkup(
      src.data && typeof src.data.source === 'string'
        ? highlightSource(src.data.source, src.data.module ?? module)
        : undefined,
    );
  }, [src.data]);
  return html`<section class="panel" aria-labelledby="h-source">
    <h2 id="h-source">Source <span class="muted small mono">${module}</span></h2>
    ${src.error ? html`<${ErrorBanner} error=${src.error} title="Could not load the source" />` : null}
    ${src.loading && !src.data ? html`<${Loading} />` : null}
    ${
      src.data
        ? markup !== undefined
          ? html`<pre
              class="source-view"
              tabindex="0"
              role="region"
              aria-label=${`Source of ${module}`}
            ><code class="hljs" dangerouslySetInnerHTML=${{ __html: markup }}></code></pre>`
          : html`<pre
              class="source-view"
              tabindex="0"
              role="region"
              aria-label=${`Source of ${module}`}
            ><code>${src.data.source}</code></pre>`
        : null
    }
  </section>`;
}

export default function Service({ name }: { name: string }) {
  const list = useStore(kindsStore);
  const d = useAsync(() => api<ServiceDetails>('GET', `services/${encodeURIComponent(name)}`), [name]);
  const [confirm, setConfirm] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();

  const notFound = d.error instanceof ApiError && d.error.status === 404;
  if (notFound) {
    return html`<${Page} title="Not found"><p>Service <code>${name}</code> does not exist</p><p><${Link} href="/services">All services</${Link}></p></${Page}>`;
  }

  const doDelete = async (whole: boolean) => {
    setDeleting(true);
    setDeleteError(undefined);
    try {
      await api('DELETE', `services/${encodeURIComponent(name)}${whole ? '?module=1' : ''}`);
      navigate('/services');
    } catch (e) {
      setDeleteError(e);
      refocusDialog();
    } finally {
      setDeleting(false);
    }
  };
  const conflict = deleteError instanceof ApiError && deleteError.code === 'WHARF_ERR_CONFLICT';
  const s = d.data;

  return html`<${Page} title=${name} kicker=${html`<${Link} href="/services">Services</${Link}>`}
    actions=${html`<button
      type="button"
      class="btn btn-danger"
      onClick=${() => {
        setDeleteError(undefined);
        setConfirm(true);
      }}
      disabled=${!s}
    >
      Delete
    </button>`}>
    ${d.error ? html`<${ErrorBanner} error=${d.error} title="Could not load the service" />` : null}
    ${d.loading && !s ? html`<${Loading} />` : null}
    ${
      s
        ? html`<div class="cols">
              <section class="panel" aria-labelledby="h-about">
                <h2 id="h-about">Service</h2>
                <dl class="facts">
                  <dt>Module</dt>
                  <dd class="mono">${s.module}</dd>
                  <dt>Hash</dt>
                  <dd><span class="hash" title=${s.hash}>${shortHash(s.hash)}</span></dd>
                  <dt>Status</dt>
                  <dd><${StatusCell} status=${s.status} /></dd>
                  <dt>Deployed at</dt>
                  <dd>${fmtTime(s.deployedAt)}</dd>
                  <dt>From</dt>
                  <dd>${s.deployedFrom ?? ''}</dd>
                </dl>
                ${
                  s.perServer?.length
                    ? html`<h3>Per server</h3>
                        <div class="table-wrap">
                          <table class="table table-compact">
                            <caption class="visually-hidden">
                              Status per server
                            </caption>
                            <thead>
                              <tr>
                                <th scope="col">Server</th>
                                <th scope="col">Hash</th>
                                <th scope="col">Status</th>
                              </tr>
                            </thead>
                            <tbody>
                              ${s.perServer.map(
                                (p) =>
                                  html`<tr
                                    key=${p.server}
                                    class=${p.status !== 'deployed' && p.status !== 'down' ? 'drift' : undefined}
                                  >
                                    <td>${p.server}</td>
                                    <td>
                                      <span
                                        class=${'hash' + (p.hash && p.hash !== s.hash ? ' cell-drift' : '')}
                                        title=${p.hash ?? ''}
                                        >${p.hash ? shortHash(p.hash) : '—'}</span
                                      >
                                    </td>
                                    <td><${StateBadge} state=${p.status} /></td>
                                  </tr>`,
                              )}
                            </tbody>
                          </table>
                        </div>`
                    : null
                }
              </section>
              <section class="panel" aria-labelledby="h-used">
                <h2 id="h-used">Used by</h2>
                ${
                  s.usedBy?.length
                    ? html`<ul class="plain-list">
                        ${s.usedBy.map((u) => html`<li key=${`${u.kind}/${u.name}`}><${Link} href=${objectHref(u.kind, u.name)}>${u.name}</${Link}> <span class="muted small">${kindTitle(list, u.kind)}</span></li>`)}
                      </ul>`
                    : html`<p class="muted">No channel or job uses this service.</p>`
                }
              </section>
            </div>
            <${InvokeConsole} service=${name} example=${s.example} key=${name} />
            ${
              s.input?.length || s.output?.length
                ? html`<section class="panel" aria-labelledby="h-io">
                    <h2 id="h-io">Input and output</h2>
                    <div class="chart-grid">
                      <div>
                        <h3>Input</h3>
                        ${s.input?.length ? html`<${FieldsTable} fields=${s.input} label="Input fields" />` : html`<p class="muted">No declared input.</p>`}
                      </div>
                      <div>
                        <h3>Output</h3>
                        ${s.output?.length ? html`<${FieldsTable} fields=${s.output} label="Output fields" />` : html`<p class="muted">No declared output.</p>`}
                      </div>
                    </div>
                  </section>`
                : null
            }
            <section class="panel" aria-labelledby="h-traffic">
              <h2 id="h-traffic">Traffic</h2>
              <${TrafficCharts} service=${name} />
            </section>
            <${Source} module=${s.module} />`
        : null
    }
    ${
      confirm
        ? html`<${ConfirmDialog} title=${conflict ? `Delete the module ${s?.module ?? ''}?` : `Delete ${name}?`} confirmLabel="Delete" danger=${true} busy=${deleting}
          onCancel=${() => setConfirm(false)} onConfirm=${() => void doDelete(conflict)}>
          ${
            conflict
              ? html`<p>${(deleteError as ApiError).message}</p>
                  <p>Confirm to delete the whole module <code>${s?.module}</code> and every service in it.</p>`
              : html`<p>
                  The service <code>${name}</code> is removed from every server. Channels and jobs that use it will fail
                  until it is deployed again.
                </p>`
          }
          ${deleteError && !conflict ? html`<${ErrorBanner} error=${deleteError} title="Could not delete" />` : null}
        </${ConfirmDialog}>`
        : null
    }
  </${Page}>`;
}
