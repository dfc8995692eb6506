/** The drift warning: servers or workers whose config version or module hashes differ from the ODB's. */
import { html } from 'htm/preact';
import { Link } from '../router';
import type { DriftReport } from './drift';

export function DriftBanner({
  servers,
  workers,
  link = true,
}: {
  servers?: DriftReport | undefined;
  workers?: DriftReport | undefined;
  link?: boolean;
}) {
  const rows = (r: DriftReport | undefined) =>
    Object.entries(r?.reasons ?? {}).filter(([, why]) => why.length && !(why.length === 1 && why[0] === 'down'));
  const all = [...rows(servers), ...rows(workers)];
  return html`<div class="banner banner-warn" role="status">
    <div class="banner-body">
      <strong>Drift: not every server runs the same configuration.</strong>
      <ul class="reasons">
        ${all.map(([who, why]) => html`<li key=${who}><strong>${who}</strong>: ${why.filter((w) => w !== 'down').join('; ')}</li>`)}
      </ul>
      ${link ? html`<${Link} href="/cluster">Open the cluster page</${Link}>` : null}
    </div>
  </div>`;
}
