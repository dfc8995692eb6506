/**
 * The screenshot tour (what `npm run screenshots` drives: upload, a refused then fixed channel form, an
 * edit, traffic, dashboard, services, invoke console, history diff), then accessibility of the main
 * pages it filled: axe-core (@axe-core/playwright) finds no serious or critical violation on the login
 * page, the dashboard, services and a service, a kind's list, new and object pages, history and a
 * diff, cluster, enmasse, users, and a "Not found" page; none of them scrolls sideways at 1280 px;
 * logging in works with the keyboard alone; at 375 px pages do not scroll sideways and the navigation
 * opens from "Menu".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { kindPath, loginOk, openHistoryDiff, until, waitForPath } from '../helpers/web-admin-flows.js';
import { useWebAdmin } from '../helpers/web-admin-fixture.js';
import { tour } from '../helpers/web-admin-tour.js';

const fx = useWebAdmin('a11y');

interface Found {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

async function axe(page: Page): Promise<Found[]> {
  const r = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
}

/** How far the page scrolls sideways (0 = fits). */
const overflowX = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('web admin: the screenshot tour, then accessibility (axe-core) of the main pages', () => {
  it('the tour: upload, a form refused at a field then fixed, an edit, dashboard, services, invoke, history diff', async () => {
    const { page, shot, pageErrors, dialogs } = await fx.page();
    await tour({ env: fx.env, page, shot, workDir: mkdtempSync(join(tmpdir(), 'wharf-tour-')), trafficSeconds: 1 });
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  });

  it('the login page, and logging in with the keyboard alone', async () => {
    const { page, shot } = await fx.page();
    await page.goto('/login');
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await axe(page)).toEqual([]);
    await shot('a11y-login');
    // keyboard only: Tab to the fields, type, Enter
    for (
      let i = 0;
      i < 10 && (await page.evaluate(() => document.activeElement?.getAttribute('autocomplete'))) !== 'username';
      i++
    )
      await page.keyboard.press('Tab');
    await page.keyboard.type('admin');
    await page.keyboard.press('Tab');
    await page.keyboard.type(fx.env.adminPassword);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
  });

  it('every main page of a logged-in user', async () => {
    const { page, shot, pageErrors } = await fx.page();
    await loginOk(page, 'admin', fx.env.adminPassword);
    const pages: [string, (p: Page) => Promise<unknown>][] = [
      ['/', (p) => p.getByRole('heading').first().waitFor()],
      ['/services', (p) => p.getByRole('link', { name: 'demo.quote', exact: true }).first().waitFor()],
      ['/services/demo.quote', (p) => p.getByRole('button', { name: 'Invoke', exact: true }).waitFor()],
      [kindPath('channels.http'), (p) => p.getByRole('link', { name: 'quotes', exact: true }).first().waitFor()],
      [`${kindPath('channels.http')}/new`, (p) => p.getByRole('button', { name: 'Create', exact: true }).waitFor()],
      [kindPath('channels.http', 'quotes'), (p) => p.getByRole('button', { name: 'Save', exact: true }).waitFor()],
      [
        kindPath('outgoing.http', 'no-such-thing'),
        (p) => p.getByRole('heading', { name: 'Not found', exact: true }).waitFor(),
      ],
      ['/history', (p) => p.getByRole('table').first().waitFor()],
      ['/cluster', (p) => p.getByRole('heading').first().waitFor()],
      ['/enmasse', (p) => p.getByRole('button', { name: 'Export YAML' }).waitFor()],
      ['/users', (p) => p.getByRole('table').first().waitFor()],
    ];
    const found: Record<string, Found[]> = {};
    const wide: Record<string, number> = {};
    const times: Record<string, number> = {};
    const check = async (path: string): Promise<void> => {
      const loading = page.getByRole('status').filter({ hasText: /^Loading/ });
      await until('nothing loading', async () => (await loading.count()) === 0, 5_000).catch(() => undefined);
      const t0 = Date.now();
      const v = await axe(page);
      times[path] = Date.now() - t0;
      if (v.length) found[path] = v;
      const x = await overflowX(page);
      if (x > 0) wide[path] = x;
      await shot(`a11y-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'dashboard'}`);
    };
    for (const [path, ready] of pages) {
      await page.goto(path);
      await waitForPath(page, path);
      await ready(page);
      await check(path);
    }
    await openHistoryDiff(page, 'channels.http', 'quotes');
    await check('/history/diff');
    console.log(`axe ms per page: ${JSON.stringify(times)}`);
    expect(found).toEqual({});
    expect(wide).toEqual({});
    expect(pageErrors).toEqual([]);
  });

  it('readable at 375 px: no sideways scroll, the navigation behind "Menu"', async () => {
    const { page, shot } = await fx.page();
    await page.setViewportSize({ width: 375, height: 740 });
    await loginOk(page, 'admin', fx.env.adminPassword);
    const wide: Record<string, number> = {};
    for (const path of [
      '/',
      kindPath('channels.http'),
      kindPath('channels.http', 'quotes'),
      '/services/demo.quote',
      '/history',
    ]) {
      await page.goto(path);
      await page.getByRole('heading').first().waitFor();
      const x = await overflowX(page);
      if (x > 0) wide[path] = x;
      await shot(`narrow-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'dashboard'}`);
    }
    expect(wide).toEqual({});
    await page.getByRole('button', { name: 'Menu', exact: true }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services', exact: true }).click();
    await waitForPath(page, '/services');
    await shot('narrow-services');
  });
});
