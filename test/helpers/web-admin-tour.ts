/**
 * The screenshot tour of the web admin, made of the same flows the e2e tests use: log in, upload two
 * service files, a channel form refused at a field then fixed, an edit (history), some traffic, then
 * the dashboard, services, invoke console and a history diff. Shot names: `dashboard`, `services`,
 * `channel-form-error`, `invoke-console`, `history-diff` (what docs/screenshots/ holds).
 *
 * `runScreenshots()` is what `npm run screenshots` (scripts/screenshots.mjs, which bundles this file
 * with esbuild) calls: its own environment and browser, PNGs at 1280×800 into docs/screenshots/.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser, VIEWPORT, type Shot } from './browser.js';
import { createEnv, ROOT, type TestEnv } from './env.js';
import {
  editObject,
  field,
  invokeService,
  loginOk,
  openHistoryDiff,
  openNewForm,
  submitNew,
  until,
  uploadServices,
} from './web-admin-flows.js';

export const TOUR_SHOTS = ['dashboard', 'services', 'channel-form-error', 'invoke-console', 'history-diff'] as const;

export const QUOTES_SOURCE = `import { BadRequest, decimal, int, service, text } from 'wharf-esb';

const PRICES: Record<string, number> = { ACME: 12.3, GLOBEX: 48.05, INITECH: 3.5 };

export class Quote extends service({
  name: 'demo.quote',
  input: { symbol: text(), quantity: int().default(1) },
  output: { symbol: text(), quantity: int(), total: decimal() },
}) {
  async handle() {
    const price = PRICES[this.input.symbol.toUpperCase()];
    if (price === undefined) throw new BadRequest(\`unknown symbol \${this.input.symbol}\`);
    return { symbol: this.input.symbol.toUpperCase(), quantity: this.input.quantity, total: (price * this.input.quantity).toFixed(2) };
  }
}
`;

/** Requests to /quote for `seconds` (at least one round): mostly answered, some refused (unknown symbol). */
export async function quoteTraffic(env: TestEnv, seconds: number): Promise<void> {
  const start = Date.now();
  const end = start + seconds * 1000;
  const symbols = ['ACME', 'GLOBEX', 'INITECH', 'ACME', 'ACME', 'GLOBEX', 'INITECH', 'NOPE'];
  let i = 0;
  do {
    // a rate that rises and falls over a minute, so the charts have a shape
    const batch = 5 + Math.round(4 * Math.sin(((Date.now() - start) / 60_000) * 2 * Math.PI));
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const s = symbols[i++ % symbols.length];
        const r = await env.fetch(`/quote?symbol=${s}&quantity=${(i % 7) + 1}`);
        await r.arrayBuffer();
      }),
    );
    await new Promise((r) => setTimeout(r, 150));
  } while (Date.now() < end);
}

/** Scrolls the element to the middle of the viewport. */
async function centre(loc: Locator): Promise<void> {
  await loc.evaluate((e) => e.scrollIntoView({ block: 'center' }));
}

export interface TourOptions {
  env: TestEnv;
  page: Page;
  shot: Shot;
  /** A folder for the service file written here. */
  workDir: string;
  /** How long traffic runs before the dashboard is shot (the charts need a few 5 s slots). */
  trafficSeconds?: number;
}

export async function tour({ env, page, shot, workDir, trafficSeconds = 1 }: TourOptions): Promise<void> {
  await loginOk(page, 'admin', env.adminPassword);

  const quotes = join(workDir, 'quotes.ts');
  writeFileSync(quotes, QUOTES_SOURCE);
  await uploadServices(
    page,
    [quotes, join(ROOT, 'examples/invoice-dispatcher.ts')],
    ['demo.quote', 'invoice.dispatcher'],
  );

  await openNewForm(page, 'channels.http');
  const refused = await submitNew(page, 'channels.http', {
    name: 'quotes',
    urlPath: 'quote',
    service: 'demo.quote',
    timeoutMs: -1,
  });
  if (refused.status !== 400) throw new Error(`the invalid channel form was answered ${refused.status}`);
  await until(
    'urlPath marked invalid',
    async () => (await field(page, 'urlPath').getAttribute('aria-invalid')) === 'true',
  );
  await centre(field(page, 'urlPath'));
  await shot('channel-form-error');
  await field(page, 'urlPath').fill('/quote');
  await field(page, 'timeoutMs').fill('10000');
  const created = await submitNew(page, 'channels.http', {});
  if (created.status !== 201)
    throw new Error(`the fixed channel form was answered ${created.status}: ${JSON.stringify(created.body)}`);

  const edited = await editObject(page, 'channels.http', 'quotes', { timeoutMs: 5000, dataFormat: 'json' });
  if (edited.status !== 200) throw new Error(`editing the channel: ${edited.status} ${JSON.stringify(edited.body)}`);

  await quoteTraffic(env, trafficSeconds);

  await page.goto('/');
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(500); // charts draw on the next frame
  await shot('dashboard');

  await page.goto('/services');
  await page.getByRole('link', { name: 'demo.quote', exact: true }).first().waitFor();
  // every server has picked the modules up (right after a deploy a server may still show "missing")
  await until(
    'services deployed on every server',
    async () => !/missing/.test((await page.getByRole('table').first().textContent()) ?? ''),
    15_000,
  ).catch(() => undefined);
  await shot('services');

  await invokeService(page, 'demo.quote', { symbol: 'GLOBEX', quantity: 3 });
  await page
    .getByRole('heading', { name: 'Invoke', exact: true })
    .evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.evaluate(() => window.scrollBy(0, -70)); // below the sticky header
  await shot('invoke-console');

  await openHistoryDiff(page, 'channels.http', 'quotes');
  await shot('history-diff');
}

/** `npm run screenshots`: a fresh environment and browser, the tour, the five PNGs into `outDir`. */
export async function runScreenshots(outDir = join(ROOT, 'docs/screenshots'), trafficSeconds = 120): Promise<string[]> {
  const work = mkdtempSync(join(tmpdir(), 'wharf-screenshots-'));
  const env = await createEnv({ workers: 1 });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ baseURL: env.webAdmin, viewport: VIEWPORT });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const taken: string[] = [];
    const shot: Shot = async (name) => {
      const file = join(work, `${name}.png`);
      await page.screenshot({ path: file });
      taken.push(name);
    };
    await tour({ env, page, shot, workDir: work, trafficSeconds });
    mkdirSync(outDir, { recursive: true });
    const written: string[] = [];
    for (const name of TOUR_SHOTS) {
      if (!taken.includes(name)) throw new Error(`the tour took no ${name} screenshot`);
      copyFileSync(join(work, `${name}.png`), join(outDir, `${name}.png`));
      written.push(join(outDir, `${name}.png`));
    }
    return written;
  } finally {
    await browser.close().catch(() => undefined);
    await env.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}
