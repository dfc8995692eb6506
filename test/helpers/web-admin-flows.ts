/**
 * The web admin's user flows, driven through the browser by the labels of the shared contract (what a
 * user and a screen reader see): log in, fill a generated form, upload services, invoke one from the
 * console, run a kind action, open a history diff and restore it. Used by the e2e tests
 * (test/integration/web-admin-*.e2e.test.ts) and by `npm run screenshots` (scripts/screenshots.mjs),
 * so they wait with playwright's own locators and throw plain errors — no test-runner API here.
 */
import type { Locator, Page, Response } from 'playwright-core';

/** A form value: text typed (or an option picked, for a select), or a checkbox state. */
export type FieldValue = string | number | boolean;
export type FieldValues = Record<string, FieldValue>;

/** Polls `fn` until it returns truthy; throws `what` with the last value or error when the time is up. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${ms} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the locator's text matches. */
export async function waitText(loc: Locator, re: RegExp, ms = 10_000): Promise<string> {
  return until(
    `text ${String(re)}`,
    async () => {
      const t = (await loc.first().textContent()) ?? '';
      return re.test(t) ? t : undefined;
    },
    ms,
  );
}

/** The path of the page's URL, decoded (`/kinds/cloud.openstackSwift/Invoice Dispatcher`). */
export function pathOf(page: Page): string {
  return decodeURIComponent(new URL(page.url()).pathname);
}

export async function waitForPath(
  page: Page,
  path: string | RegExp | ((p: string) => boolean),
  ms = 10_000,
): Promise<void> {
  const ok =
    typeof path === 'string' ? (p: string) => p === path : path instanceof RegExp ? (p: string) => path.test(p) : path;
  await until(`page ${String(path)}`, () => ok(pathOf(page)), ms).catch((e: Error) => {
    throw new Error(`${e.message}; at ${pathOf(page)}`);
  });
}

const isAdminCall = (method: string, path: RegExp) => (r: Response) =>
  r.request().method() === method && path.test(decodeURIComponent(new URL(r.url()).pathname));

/** Runs `act` and returns the answer of the admin API call it makes (through the web admin's /api/admin proxy). */
export async function adminCall(
  page: Page,
  method: string,
  path: RegExp,
  act: () => Promise<void>,
): Promise<{ status: number; body: unknown }> {
  const [res] = await Promise.all([page.waitForResponse(isAdminCall(method, path), { timeout: 15_000 }), act()]);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status(), body };
}

// ------------------------------------------------------------------------------------------------
// Session

/** Logs in on the login page (goes there first unless the page is already on it). */
export async function login(
  page: Page,
  username: string,
  password: string,
  opts: { goto?: boolean } = {},
): Promise<void> {
  if (opts.goto !== false && !pathOf(page).startsWith('/login')) await page.goto('/login');
  await labelled(page, 'Username').fill(username);
  await labelled(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Logs in and waits until the shell shows the user and "Log out". */
export async function loginOk(
  page: Page,
  username: string,
  password: string,
  opts: { goto?: boolean } = {},
): Promise<void> {
  await login(page, username, password, opts);
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await waitForPath(page, (p) => !p.startsWith('/login'));
}

export async function logout(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await waitForPath(page, /^\/login/);
  await page.getByRole('button', { name: 'Log in' }).waitFor();
}

/** GET /api/session from inside the page (its cookie, its origin). */
export function sessionStatus(page: Page): Promise<number> {
  return page.evaluate(async () => (await fetch('/api/session')).status);
}

// ------------------------------------------------------------------------------------------------
// Generated forms

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The form control labelled exactly `text`. The label's text may end in a required marker (` *`,
 * aria-hidden, so not part of the accessible name), which playwright's getByLabel still reads.
 */
export function labelled(page: Page, text: string): Locator {
  return page.getByLabel(new RegExp(`^\\s*${escapeRe(text)}(\\s*\\*)?\\s*$`));
}

/** The form control of a field (forms label each field by its field name). */
export function field(page: Page, name: string): Locator {
  return labelled(page, name);
}

/** Fills the fields by label: selects pick an option (by value or label), checkboxes are set, the rest typed. */
export async function fillFields(page: Page, values: FieldValues): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const el = field(page, name);
    const [tag, type] = await el.evaluate((e) => [e.tagName.toLowerCase(), (e as HTMLInputElement).type ?? '']);
    if (tag === 'select') {
      const want = String(value);
      let options: { value: string; label: string }[] = [];
      // ref pickers load their options (existing objects) after the form shows
      const hit = await until(`field ${name}: option ${want}`, async () => {
        options = await el
          .locator('option')
          .evaluateAll((os) =>
            os.map((o) => ({ value: (o as HTMLOptionElement).value, label: (o.textContent ?? '').trim() })),
          );
        return (
          options.find((o) => o.value === want) ??
          options.find((o) => o.label === want) ??
          options.find((o) => o.label.startsWith(want))
        );
      }).catch(() => {
        throw new Error(`field ${name}: no option ${want} in ${JSON.stringify(options)}`);
      });
      await el.selectOption(hit.value);
    } else if (type === 'checkbox') {
      await el.setChecked(Boolean(value));
    } else {
      await el.fill(String(value));
    }
  }
}

export function kindPath(kind: string, name?: string): string {
  return name === undefined ? `/kinds/${kind}` : `/kinds/${kind}/${encodeURIComponent(name)}`;
}

/** Opens the "new object" page of a kind from its list page (link "Create"). */
export async function openNewForm(page: Page, kind: string): Promise<void> {
  await page.goto(kindPath(kind));
  await page.getByRole('link', { name: 'Create', exact: true }).click();
  await waitForPath(page, `/kinds/${kind}/new`);
  await field(page, 'name').waitFor();
}

/** Fills and submits the new-object form; returns the admin API's answer (201 on success). */
export async function submitNew(
  page: Page,
  kind: string,
  values: FieldValues,
): Promise<{ status: number; body: unknown }> {
  await fillFields(page, values);
  return adminCall(page, 'POST', new RegExp(`^/api/admin/config/${kind.replace('.', '\\.')}$`), () =>
    page.getByRole('button', { name: 'Create', exact: true }).click(),
  );
}

/** Creates an object through the "Create" link and form; waits for its object page. */
export async function createObject(page: Page, kind: string, values: FieldValues & { name: string }): Promise<void> {
  await openNewForm(page, kind);
  const r = await submitNew(page, kind, values);
  if (r.status !== 201) throw new Error(`creating ${kind} ${values.name}: ${r.status} ${JSON.stringify(r.body)}`);
  await waitForPath(page, `/kinds/${kind}/${values.name}`);
}

/** Opens an object's page and waits for its form. */
export async function openObject(page: Page, kind: string, name: string): Promise<void> {
  await page.goto(kindPath(kind, name));
  await page.getByRole('button', { name: 'Save', exact: true }).waitFor();
}

/** Edits fields on the object's page and saves; returns the admin API's answer (200 on success). */
export async function editObject(
  page: Page,
  kind: string,
  name: string,
  values: FieldValues,
): Promise<{ status: number; body: unknown }> {
  await openObject(page, kind, name);
  await fillFields(page, values);
  return adminCall(page, 'PATCH', new RegExp(`^/api/admin/config/${kind.replace('.', '\\.')}/`), () =>
    page.getByRole('button', { name: 'Save', exact: true }).click(),
  );
}

/** Clicks a kind action's button (e.g. "Run now") on the object's page; returns the admin API's answer. */
export async function runAction(
  page: Page,
  kind: string,
  name: string,
  button: string,
): Promise<{ status: number; body: unknown }> {
  await openObject(page, kind, name);
  return adminCall(page, 'POST', /\/actions\/[^/]+$/, () =>
    page.getByRole('button', { name: button, exact: true }).click(),
  );
}

// ------------------------------------------------------------------------------------------------
// Services

/** Uploads service files with the "Upload service files" picker on the services page; waits for each deploy's answer. */
export async function uploadServices(page: Page, files: string[], expectServices: string[]): Promise<void> {
  await page.goto('/services');
  await page.getByRole('heading', { name: 'Services', exact: true }).waitFor();
  const answers: number[] = [];
  const listener = (r: Response): void => {
    if (isAdminCall('POST', /^\/api\/admin\/services$/)(r)) answers.push(r.status());
  };
  page.on('response', listener);
  try {
    await labelled(page, 'Upload service files').setInputFiles(files);
    await until(`deploy answers for ${files.length} file(s)`, () => answers.length >= files.length, 30_000); // one deploy per file
    const bad = answers.filter((s) => s >= 300);
    if (bad.length) throw new Error(`deploy refused: ${bad.join(', ')}`);
    for (const s of expectServices)
      await page.getByRole('link', { name: s, exact: true }).first().waitFor({ timeout: 20_000 });
  } finally {
    page.off('response', listener);
  }
}

export interface InvokeResult {
  status: string;
  duration: string;
  cid: string;
  output: string;
}

/** Opens the service's page, types the input as JSON into "Input (JSON)", clicks "Invoke" and reads the result. */
export async function invokeService(page: Page, service: string, input?: unknown): Promise<InvokeResult> {
  await page.goto(`/services/${encodeURIComponent(service)}`);
  await page.getByRole('heading', { name: service, exact: true }).waitFor();
  const box = page.getByLabel('Input (JSON)');
  await until('the input pre-filled', async () => (await box.inputValue()).trim().length > 0);
  if (input !== undefined) await box.fill(JSON.stringify(input, null, 2));
  await adminCall(page, 'POST', /^\/api\/admin\/services\/[^/]+\/invoke$/, () =>
    page.getByRole('button', { name: 'Invoke', exact: true }).click(),
  );
  const status = page.getByTestId('invoke-status');
  await until('the invoke result', async () => ((await status.textContent()) ?? '').trim().length > 0);
  const text = async (id: string): Promise<string> => ((await page.getByTestId(id).textContent()) ?? '').trim();
  return {
    status: await text('invoke-status'),
    duration: await text('invoke-duration'),
    cid: await text('invoke-cid'),
    output: await text('invoke-output'),
  };
}

// ------------------------------------------------------------------------------------------------
// History

/** Links to diff pages of `kind`/`name` on the page: version → link. */
async function diffLinks(page: Page, kind: string, name: string): Promise<Map<number, Locator>> {
  const links = page.locator('a[href^="/history/"]');
  const out = new Map<number, Locator>();
  const n = await links.count();
  for (let i = 0; i < n; i++) {
    const h = decodeURIComponent((await links.nth(i).getAttribute('href')) ?? '');
    const m = /^\/history\/(\d+)\/([^/]+)\/(.+)$/.exec(h);
    if (m && m[2] === kind && m[3] === name) out.set(Number(m[1]), links.nth(i));
  }
  return out;
}

/**
 * Opens the diff page of a version of `kind`/`name` by following its link — in the object page's
 * history, else on the history page — (the oldest listed version unless `version` is given) and waits
 * for "Restore this version". Returns the version.
 */
export async function openHistoryDiff(page: Page, kind: string, name: string, version?: number): Promise<number> {
  let links = new Map<number, Locator>();
  for (const where of [kindPath(kind, name), '/history']) {
    await page.goto(where);
    links = await until(
      `links to versions of ${kind}/${name} on ${where}`,
      async () => {
        const l = await diffLinks(page, kind, name);
        return l.size > 0 ? l : undefined;
      },
      5_000,
    ).catch(() => new Map<number, Locator>());
    if (links.size > 0) break;
  }
  if (links.size === 0) throw new Error(`no link to a diff page of ${kind}/${name} on its page or on /history`);
  const v = version ?? Math.min(...links.keys());
  const link = links.get(v);
  if (!link) throw new Error(`no link to version ${v} of ${kind}/${name} (versions: ${[...links.keys()].join(', ')})`);
  await link.click();
  await waitForPath(page, `/history/${v}/${kind}/${name}`);
  await page.getByRole('button', { name: 'Restore this version' }).waitFor();
  return v;
}

/** Clicks "Restore this version" (confirming a dialog if one opens); returns the admin API's answer. */
export async function restoreShownVersion(page: Page): Promise<{ status: number; body: unknown }> {
  return adminCall(page, 'POST', /\/restore$/, async () => {
    await page.getByRole('button', { name: 'Restore this version' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = await dialog.waitFor({ timeout: 1000 }).then(
      () => true,
      () => false,
    );
    if (confirm) await dialog.getByRole('button', { name: /Restore/ }).click();
  });
}

// ------------------------------------------------------------------------------------------------
// Field messages

/** The text of what the field's aria-describedby / aria-errormessage point at (help and error). */
export function describedBy(page: Page, name: string): Promise<string> {
  return field(page, name).evaluate((e) => {
    const ids = `${e.getAttribute('aria-describedby') ?? ''} ${e.getAttribute('aria-errormessage') ?? ''}`
      .split(/\s+/)
      .filter(Boolean);
    return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' | ');
  });
}

/** Opens the object page, clicks "Delete" and confirms in the dialog; returns the admin API's answer. */
export async function deleteFromPage(
  page: Page,
  kind: string,
  name: string,
): Promise<{ status: number; body: unknown }> {
  await openObject(page, kind, name);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  return adminCall(page, 'DELETE', new RegExp(`^/api/admin/config/${kind.replace('.', '\\.')}/`), () =>
    dialog.getByRole('button', { name: 'Delete', exact: true }).click(),
  );
}
