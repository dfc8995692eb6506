/**
 * The browser for the web admin's end-to-end tests: Debian's Chromium (/usr/bin/chromium, installed by
 * scripts/services.sh) driven headless by playwright-core — never a downloaded browser. One browser per
 * test file; each page gets its own context (fresh cookies), a 1280×800 viewport, a record of dialogs
 * and uncaught page errors, and `shot(name)` writing numbered PNGs to a screenshots folder (a temporary
 * one unless WHARF_E2E_SHOTS names one).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const VIEWPORT = { width: 1280, height: 800 };

/** Starts Chromium headless. playwright's launch() gives every browser a fresh, temporary user-data dir. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

let sharedShots: string | undefined;

/** The folder screenshots go to: WHARF_E2E_SHOTS, else one temporary folder per test process. */
export function shotsDir(): string {
  if (sharedShots) return sharedShots;
  const named = process.env['WHARF_E2E_SHOTS'];
  if (named) {
    mkdirSync(named, { recursive: true });
    sharedShots = named;
  } else {
    sharedShots = mkdtempSync(join(tmpdir(), 'wharf-e2e-shots-'));
  }
  return sharedShots;
}

/** Takes a screenshot of the page under a step name. */
export type Shot = (name: string) => Promise<void>;

export interface WebPage {
  context: BrowserContext;
  page: Page;
  /** Messages of every dialog (alert, confirm, prompt) the page opened; each is dismissed. */
  dialogs: string[];
  /** Uncaught exceptions thrown in the page. */
  pageErrors: string[];
  /** console.error lines (failed loads of 4xx answers included). */
  consoleErrors: string[];
  shot: Shot;
  close(): Promise<void>;
}

let seq = 0;

/**
 * A page in a context of its own, all relative URLs against `baseURL` (the web admin). `prefix` names
 * the screenshots (`<prefix>-<nn>-<step>.png`).
 */
export async function openPage(browser: Browser, baseURL: string, prefix: string): Promise<WebPage> {
  const context = await browser.newContext({ baseURL, viewport: VIEWPORT, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  page.on('pageerror', (e) => pageErrors.push(e.stack ?? e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const dir = shotsDir();
  return {
    context,
    page,
    dialogs,
    pageErrors,
    consoleErrors,
    async shot(name) {
      const n = String(++seq).padStart(2, '0');
      await page.screenshot({ path: join(dir, `${prefix}-${n}-${name}.png`), fullPage: false });
    },
    close: () => context.close(),
  };
}
