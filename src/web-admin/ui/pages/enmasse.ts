/** `/enmasse` — export every object as YAML (download), import a YAML file: dry run → plan → Apply. */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorBanner, Notice } from '../components/error-banner';
import { describedBy, Field } from '../components/field';
import { Page } from '../components/page';
import { kinds as kindsStore, loadInfo } from '../meta';
import { Link, seg } from '../router';
import { useStore } from '../store';

interface PlanItem {
  kind: string;
  name: string;
  action: 'create' | 'edit' | 'unchanged' | 'delete' | string;
  diff?: { field: string; from?: unknown; to?: unknown }[];
}
interface ImportResult {
  dryRun?: boolean;
  plan?: PlanItem[];
  version?: number;
}

const MAX_FILE = 5 * 1024 * 1024;

/** Starts a download of `text` as a file (a blob: link; the CSP allows it). */
export function download(filename: string, text: string, type = 'application/yaml'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function stamp(): string {
  return new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
}

function val(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export default function Enmasse() {
  const all = useStore(kindsStore) ?? [];
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>();
  const [exported, setExported] = useState<string>();
  const [file, setFile] = useState<{ name: string; text: string }>();
  const [fileError, setFileError] = useState<string>();
  const [replace, setReplace] = useState(false);
  const [plan, setPlan] = useState<PlanItem[]>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [applied, setApplied] = useState<string>();

  const title = (id: string) => all.find((k) => k.id === id)?.title ?? id;

  const doExport = async () => {
    setExporting(true);
    setExportError(undefined);
    setExported(undefined);
    try {
      const r = await api<{ yaml?: unknown }>('GET', 'enmasse/export?format=yaml');
      if (typeof r.yaml !== 'string')
        throw new Error('The admin API answered without YAML (this server does not support format=yaml)');
      const name = `wharf-enmasse-${stamp()}.yaml`;
      download(name, r.yaml);
      setExported(`Exported ${name}.`);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };

  const choose = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const f = input.files?.[0];
    setPlan(undefined);
    setApplied(undefined);
    setError(undefined);
    setFileError(undefined);
    if (!f) {
      setFile(undefined);
      return;
    }
    if (f.size > MAX_FILE) {
      setFile(undefined);
      setFileError(`${f.name} is ${(f.size / 1024 / 1024).toFixed(1)} MB; the limit is 5 MB.`);
      return;
    }
    setFile({ name: f.name, text: await f.text() });
  };

  const run = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    setApplied(undefined);
    try {
      const r = await api<ImportResult>('POST', 'enmasse/import', {
        yaml: file.text,
        dryRun,
        ...(replace ? { replace: true } : {}),
      });
      if (dryRun) setPlan(r.plan ?? []);
      else {
        const changed = (r.plan ?? []).filter((p) => p.action !== 'unchanged').length;
        setApplied(
          `Applied ${file.name}: ${changed} object${changed === 1 ? '' : 's'} changed${r.version !== undefined ? `, config version ${r.version}` : ''}.`,
        );
        setPlan(undefined);
        void loadInfo().catch(() => undefined);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const changes = plan?.filter((p) => p.action !== 'unchanged') ?? [];
  return html`<${Page} title="Enmasse">
    <section class="panel" aria-labelledby="export-h">
      <h2 id="export-h">Export</h2>
      <p class="muted">Every object as one YAML file; secrets become <code>$\{WHARF_…}</code> placeholders.</p>
      <button type="button" class="btn btn-primary" onClick=${doExport} disabled=${exporting}>Export YAML</button>
      <${ErrorBanner} error=${exportError} title="Export failed" />
      <${Notice}>${exported}</${Notice}>
    </section>
    <section class="panel form-plain" aria-labelledby="import-h">
      <h2 id="import-h">Import</h2>
      <${Field} id="import-file" label="Import YAML file" help="A file made by Export YAML or by wharf enmasse export." error=${fileError}>
        <input id="import-file" type="file" accept=".yaml,.yml,application/yaml,text/yaml" onChange=${choose}
          aria-describedby=${describedBy('import-file', 'x', fileError)} aria-invalid=${fileError ? 'true' : undefined} />
      </${Field}>
      <${Field} id="import-replace" label="Overwrite objects that already exist" inline=${true}
        help="Without it, an object in the file that already exists with other values stops the import (nothing is changed).">
        <input id="import-replace" type="checkbox" checked=${replace} aria-describedby="import-replace-help" onChange=${(
          e: Event,
        ) => {
          setReplace((e.currentTarget as HTMLInputElement).checked);
          setPlan(undefined);
        }} />
      </${Field}>
      <div class="form-actions">
        <button type="button" class="btn" onClick=${() => run(true)} disabled=${!file || busy}>Dry run</button>
        ${busy ? html`<span class="muted" role="status">Working…</span>` : null}
      </div>
      <${ErrorBanner} error=${error} title="Import failed" />
      <${Notice}>${applied}</${Notice}>
      ${
        plan
          ? html`<h3>Plan for ${file?.name}</h3>
              <p role="status">
                ${changes.length === 0 ? 'Nothing would change.' : `${changes.length} object${changes.length === 1 ? '' : 's'} would change; ${plan.length - changes.length} unchanged.`}
              </p>
              <div class="table-wrap">
                <table class="table" aria-label="Import plan">
                  <thead>
                    <tr>
                      <th scope="col">Action</th>
                      <th scope="col">Kind</th>
                      <th scope="col">Name</th>
                      <th scope="col">Changes</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${plan.map(
                      (p) =>
                        html`<tr key=${`${p.kind}/${p.name}`} class=${p.action === 'unchanged' ? 'same' : undefined}>
                          <td><span class=${`badge badge-${p.action}`}>${p.action}</span></td>
                          <td>${title(p.kind)}</td>
                          <td>
                            ${all.some((k) => k.id === p.kind) && p.action !== 'create' ? html`<${Link} href=${`/kinds/${seg(p.kind)}/${seg(p.name)}`}>${p.name}</${Link}>` : p.name}
                          </td>
                          <td>
                            ${
                              p.diff?.length
                                ? html`<ul class="plain-list">
                                    ${p.diff.map((d) => html`<li><code>${d.field}</code>: <del>${val(d.from)}</del> → <ins>${val(d.to)}</ins></li>`)}
                                  </ul>`
                                : null
                            }
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>
              <div class="form-actions">
                <button type="button" class="btn btn-primary" onClick=${() => run(false)} disabled=${busy || !file}>
                  Apply
                </button>
              </div>`
          : null
      }
    </section>
  </${Page}>`;
}
