/** Links and names the ops pages share. */
import type { KindInfo } from '../meta';

/** An object's page. */
export const objectHref = (kind: string, name: string): string =>
  `/kinds/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;

/** A service's page. */
export const serviceHref = (name: string): string => `/services/${encodeURIComponent(name)}`;

/** A kind's title (its id until the kinds are loaded or when unknown). */
export const kindTitle = (list: KindInfo[] | undefined, id: string): string =>
  list?.find((k) => k.id === id)?.title ?? id;

/** A short text for any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Where a problem (GET problems) links to: its object's page; service modules → the services page. */
export function problemHref(kind: string, name: string): string {
  if (kind === 'service-module' || kind === 'service.module') return '/services';
  if (kind === 'service') return serviceHref(name);
  return objectHref(kind, name);
}

/** The title of a problem's kind (also the pseudo kinds `service-module`, `service`). */
export function problemKindTitle(list: KindInfo[] | undefined, kind: string): string {
  if (kind === 'service-module' || kind === 'service.module') return 'Service module';
  if (kind === 'service') return 'Service';
  return kindTitle(list, kind);
}

/**
 * Puts the focus back into an open dialog (on its first button, "Cancel") after its buttons were
 * disabled while busy — a disabled button drops the focus to the page, where Escape and Tab no longer
 * reach the dialog.
 */
export function refocusDialog(): void {
  requestAnimationFrame(() => {
    const d = document.querySelector<HTMLElement>('[role=dialog]');
    if (d && !d.contains(document.activeElement))
      d.querySelector<HTMLElement>('.dialog-actions button:not([disabled])')?.focus();
  });
}
