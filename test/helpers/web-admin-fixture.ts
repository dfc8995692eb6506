/**
 * One shared environment and one browser per e2e test file: `useWebAdmin('auth')` registers vitest
 * hooks that start a quickstart environment (servers + web admin) and Chromium before the file's tests
 * and stop both after; `page()` opens a fresh logged-out page (a context of its own) on the web admin.
 * Screenshot folder: printed once per file (WHARF_E2E_SHOTS to choose it).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { launchBrowser, openPage, shotsDir, type WebPage } from './browser.js';
import { createEnv, type TestEnv } from './env.js';
import { loginOk } from './web-admin-flows.js';

export interface WebAdminFixture {
  env: TestEnv;
  browser: Browser;
  /** The web admin's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** A new page in a fresh context (no cookies), closed after the file. */
  page(): Promise<WebPage>;
  /** One page per file, logged in as admin on first use and shared by the file's tests. */
  adminPage(): Promise<WebPage>;
}

export function useWebAdmin(
  prefix: string,
  opts: { workers?: number; before?: (env: TestEnv) => Promise<void> } = {},
): WebAdminFixture {
  const open: WebPage[] = [];
  const fx = {} as WebAdminFixture;
  beforeAll(async () => {
    const [envR, browserR] = await Promise.allSettled([createEnv({ workers: opts.workers ?? 1 }), launchBrowser()]);
    if (envR.status === 'fulfilled') fx.env = envR.value;
    if (browserR.status === 'fulfilled') fx.browser = browserR.value;
    if (envR.status === 'rejected') throw envR.reason;
    if (browserR.status === 'rejected') throw browserR.reason;
    const env = envR.value;
    const browser = browserR.value;
    fx.url = env.webAdmin;
    fx.page = async () => {
      const p = await openPage(browser, fx.url, prefix);
      open.push(p);
      return p;
    };
    let admin: Promise<WebPage> | undefined;
    fx.adminPage = () =>
      (admin ??= (async () => {
        const p = await fx.page();
        await loginOk(p.page, 'admin', env.adminPassword);
        return p;
      })());
    console.log(`[${prefix}] web admin ${fx.url}, screenshots in ${shotsDir()}`);
    if (opts.before) await opts.before(env);
  }, 180_000);
  // a failed test leaves a screenshot of every open page, its URL and its last errors
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      for (const p of open) {
        if (p.page.isClosed()) continue;
        await p.shot('FAILED').catch(() => undefined);
        console.log(
          `[${prefix}] failed at ${p.page.url()}; page errors: ${JSON.stringify(p.pageErrors)}; console errors: ${JSON.stringify(p.consoleErrors.slice(-5))}`,
        );
      }
    });
  });
  afterAll(async () => {
    for (const p of open) await p.close().catch(() => undefined);
    await fx.browser?.close().catch(() => undefined);
    await fx.env?.destroy();
  });
  return fx;
}
