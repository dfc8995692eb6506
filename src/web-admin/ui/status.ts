/** Whether the admin API answers: set by failed calls; while down, /api/status is polled every 10 s. */
import { createStore } from './store';

export interface AdminStatus {
  down: boolean;
  adminUrl?: string;
  detail?: string;
}

export const adminStatus = createStore<AdminStatus>({ down: false });

let timer: ReturnType<typeof setTimeout> | undefined;

/** Asks /api/status once; returns whether the admin API is up. */
export async function checkStatus(): Promise<boolean> {
  try {
    const res = await fetch('/api/status', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    const body = (await res.json()) as { adminApi?: string; adminUrl?: string; detail?: string };
    const down = body.adminApi !== 'up';
    set(down, body.adminUrl, body.detail);
    return !down;
  } catch (e) {
    set(true, undefined, e instanceof Error ? e.message : String(e));
    return false;
  }
}

function set(down: boolean, adminUrl?: string, detail?: string): void {
  const cur = adminStatus.get();
  if (cur.down !== down || cur.adminUrl !== adminUrl || cur.detail !== detail) {
    adminStatus.set({ down, ...(adminUrl ? { adminUrl } : {}), ...(detail ? { detail } : {}) });
  }
  if (down) schedule();
  else if (timer) {
    clearTimeout(timer);
    timer = undefined;
  }
}

function schedule(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = undefined;
    void checkStatus();
  }, 10_000);
}

/** A call failed with 502 WHARF_ERR_ADMIN_DOWN or did not reach the web admin at all. */
export function reportAdminDown(detail?: string): void {
  set(true, adminStatus.get().adminUrl, detail);
}

/** A proxied call got an answer from the admin API. */
export function reportAdminUp(): void {
  if (adminStatus.get().down) set(false);
}
