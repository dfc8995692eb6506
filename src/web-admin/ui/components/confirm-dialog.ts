import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface ConfirmDialogProps {
  title: string;
  /** The question / explanation. */
  children?: ComponentChildren;
  /** The confirm button's label, e.g. "Delete". */
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  danger?: boolean;
}

/** A modal role=dialog: focus moves into it, Tab stays inside, Escape cancels, focus returns after. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  busy,
  danger,
}: ConfirmDialogProps) {
  const box = useRef<HTMLDivElement>(null);
  const cancelBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    cancelBtn.current?.focus();
    return () => {
      if (before && document.contains(before)) before.focus();
    };
  }, []);
  // Disabled buttons drop focus while busy; bring it back into the dialog when they come back.
  useEffect(() => {
    if (!busy && box.current && !box.current.contains(document.activeElement)) cancelBtn.current?.focus();
  }, [busy]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
    } else if (e.key === 'Tab' && box.current) {
      const f = [...box.current.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea')].filter(
        (x) => !x.hasAttribute('disabled'),
      );
      if (!f.length) return;
      const first = f[0]!;
      const last = f[f.length - 1]!;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };
  return html`<div class="overlay" onClick=${(e: MouseEvent) => e.target === e.currentTarget && !busy && onCancel()}>
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" ref=${box} onKeyDown=${onKey}>
      <h2 id="dialog-title">${title}</h2>
      <div class="dialog-body">${children}</div>
      <div class="dialog-actions">
        <button type="button" ref=${cancelBtn} class="btn" onClick=${onCancel} disabled=${busy}>Cancel</button>
        <button
          type="button"
          class=${danger ? 'btn btn-danger' : 'btn btn-primary'}
          onClick=${onConfirm}
          disabled=${busy}
        >
          ${confirmLabel}
        </button>
      </div>
    </div>
  </div>`;
}
