/**
 * The web admin's door in a real Chromium: log in (the session cookie's flags), a wrong password (an
 * error, no session), log out (the old cookie is dead), a state-changing call without the CSRF token
 * (refused, nothing written), an expired session (to the login page and back to where the user was),
 * a user made on the Users page acting as themself (history records who) until deleted, the admin API
 * down (a banner on the page; the session survives it).
 */
import { describe, expect, it } from 'vitest';
import {
  adminCall,
  createObject,
  labelled,
  loginOk,
  login,
  logout,
  pathOf,
  sessionStatus,
  until,
  waitForPath,
  waitText,
} from '../helpers/web-admin-flows.js';
import { useWebAdmin } from '../helpers/web-admin-fixture.js';

const fx = useWebAdmin('auth');

describe('web admin: log in, log out, CSRF, expiry', () => {
  it('a logged-out visit goes to the login page; logging in shows the dashboard, the user and "Log out"', async () => {
    const { page, context, shot, pageErrors } = await fx.page();
    await page.goto('/kinds/outgoing.http');
    await waitForPath(page, '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/kinds/outgoing.http');
    await shot('login');
    await loginOk(page, 'admin', fx.env.adminPassword, { goto: false });
    await waitForPath(page, '/kinds/outgoing.http'); // back where the visit wanted to go
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await waitForPath(page, '/');
    await expect.poll(() => page.getByRole('banner').textContent()).toContain('admin');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const link of [
      'Dashboard',
      'Services',
      'Cluster',
      'History',
      'Enmasse',
      'Users',
      'HTTP channel',
      'HTTP outgoing connection',
      'Scheduler job',
    ]) {
      await expect(nav.getByRole('link', { name: link, exact: true }).count(), link).resolves.toBe(1);
    }
    await shot('dashboard');
    const cookie = (await context.cookies()).find((c) => c.name === 'wharf_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await sessionStatus(page)).toBe(200);
    expect(pageErrors).toEqual([]);
  });

  it('a wrong password shows the error and makes no session', async () => {
    const { page, context, shot } = await fx.page();
    await page.goto('/login');
    await login(page, 'admin', 'not-the-password', { goto: false });
    await waitText(page.getByRole('alert'), /Invalid admin credentials/);
    await shot('login-wrong-password');
    expect(pathOf(page)).toBe('/login');
    expect((await context.cookies()).filter((c) => c.name === 'wharf_session')).toEqual([]);
    expect(await sessionStatus(page)).toBe(401);
    await expect(labelled(page, 'Username').inputValue()).resolves.toBe('admin');
  });

  it('logging out ends the session: the page goes to login and the old cookie no longer works', async () => {
    const { page, context } = await fx.page();
    await loginOk(page, 'admin', fx.env.adminPassword);
    const cookie = (await context.cookies()).find((c) => c.name === 'wharf_session');
    expect(cookie).toBeDefined();
    await logout(page);
    expect(await sessionStatus(page)).toBe(401);
    const replay = await fetch(`${fx.url}/api/admin/services`, {
      headers: { cookie: `wharf_session=${cookie!.value}` },
    });
    expect(replay.status).toBe(401);
    await page.goto('/services');
    await waitForPath(page, '/login');
  });

  it('a POST without the CSRF token (or with a wrong one) is refused with 403 and writes nothing', async () => {
    const { page } = await fx.page();
    await loginOk(page, 'admin', fx.env.adminPassword);
    const tries = await page.evaluate(async () => {
      const body = JSON.stringify({ name: 'csrf-victim', address: 'http://127.0.0.1:9' });
      const post = async (headers: Record<string, string>) => {
        const r = await fetch('/api/admin/config/outgoing.http', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
        return { status: r.status, body: (await r.json()) as { error?: { code: string } } };
      };
      const logoutNoToken = (await fetch('/api/session', { method: 'DELETE' })).status;
      return {
        none: await post({}),
        wrong: await post({ 'x-csrf-token': 'x'.repeat(43) }),
        logoutNoToken,
        session: (await fetch('/api/session')).status,
      };
    });
    expect(tries.none.status).toBe(403);
    expect(tries.none.body.error?.code).toBe('WHARF_ERR_CSRF');
    expect(tries.wrong.status).toBe(403);
    expect(tries.wrong.body.error?.code).toBe('WHARF_ERR_CSRF');
    expect(tries.logoutNoToken).toBe(403);
    expect(tries.session).toBe(200); // the refused logout did not end the session
    expect((await fx.env.admin('GET', '/wharf/admin/config/outgoing.http/csrf-victim')).status).toBe(404);
    // the same call with the session's token goes through: it was the token that was missing
    const ok = await page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const r = await fetch('/api/admin/config/outgoing.http', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ name: 'csrf-victim', address: 'http://127.0.0.1:9' }),
      });
      return r.status;
    });
    expect(ok).toBe(201);
    expect((await fx.env.admin('DELETE', '/wharf/admin/config/outgoing.http/csrf-victim')).status).toBe(200);
  });

  it('an expired session goes to the login page and, logged in again, back to the page', async () => {
    const { page, context, shot } = await fx.page();
    await loginOk(page, 'admin', fx.env.adminPassword);
    await page.goto('/kinds/channels.http');
    await page.getByRole('heading', { name: 'HTTP channel', exact: true }).waitFor();
    // the server no longer knows the session (as after an idle expiry or a web admin restart)
    const old = (await context.cookies()).find((c) => c.name === 'wharf_session')!;
    await context.addCookies([{ ...old, value: 'A'.repeat(43) }]);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services', exact: true }).click();
    await waitForPath(page, '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/services');
    await waitText(page.getByRole('status'), /session expired/i);
    await shot('session-expired');
    await loginOk(page, 'admin', fx.env.adminPassword, { goto: false });
    await waitForPath(page, '/services');
    await page.getByRole('heading', { name: 'Services', exact: true }).waitFor();
    // no cookie at all: a reload of a deep page also comes back to it
    await context.clearCookies();
    await page.goto('/kinds/scheduler.jobs');
    await waitForPath(page, '/login');
    await loginOk(page, 'admin', fx.env.adminPassword, { goto: false });
    await waitForPath(page, '/kinds/scheduler.jobs');
  });

  it('a user made on the Users page logs in and acts as themself (history says who); deleted, their session ends', async () => {
    const admin = await fx.page();
    await loginOk(admin.page, 'admin', fx.env.adminPassword);
    await admin.page.goto('/users');
    const form = admin.page.getByRole('form', { name: 'Create a user' });
    await labelled(admin.page, 'Username').fill('alice');
    await labelled(admin.page, 'Password').fill('alice-has-a-long-password');
    const made = await adminCall(admin.page, 'POST', /^\/api\/admin\/users$/, () =>
      form.getByRole('button', { name: 'Create', exact: true }).click(),
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const users = admin.page.getByRole('table', { name: 'Admin users' });
    await waitText(users, /alice/);

    const alice = await fx.page();
    await loginOk(alice.page, 'alice', 'alice-has-a-long-password');
    await expect.poll(() => alice.page.getByRole('banner').textContent()).toContain('alice');
    await createObject(alice.page, 'outgoing.http', { name: 'made-by-alice', address: 'http://127.0.0.1:9' });
    const h = await fx.env.admin<{ items: { who: string; action: string }[] }>(
      'GET',
      '/wharf/admin/history?kind=outgoing.http&name=made-by-alice',
    );
    expect(h.body.items[0]).toMatchObject({ who: 'alice', action: 'create' });

    await users
      .getByRole('row')
      .filter({ hasText: 'alice' })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    const gone = await adminCall(admin.page, 'DELETE', /^\/api\/admin\/users\/alice$/, () =>
      admin.page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click(),
    );
    expect(gone.status, JSON.stringify(gone.body)).toBe(200);
    await admin.shot('users-after-delete');
    // the admin API believes a user's record for up to 2 s (USER_CACHE_MS): her next calls after that are refused
    const nav = alice.page.getByRole('navigation', { name: 'Main' });
    let i = 0;
    await until(
      'alice sent to the login page',
      async () => {
        if (!pathOf(alice.page).startsWith('/login'))
          await nav.getByRole('link', { name: ++i % 2 ? 'Services' : 'Dashboard', exact: true }).click();
        await alice.page.waitForTimeout(300);
        return pathOf(alice.page).startsWith('/login');
      },
      10_000,
    );
  });

  it('the admin API down: the page says so (a banner, not a blank page); back up, the banner goes', async () => {
    const { page, shot } = await fx.page();
    await loginOk(page, 'admin', fx.env.adminPassword);
    await page.goto('/kinds/outgoing.http');
    await page.getByRole('heading', { name: 'HTTP outgoing connection', exact: true }).waitFor();
    await fx.env.ok(['stop', 'ENV', '--component', 'server1']);
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services', exact: true }).click();
      await waitText(
        page.getByRole('alert').filter({ hasText: /admin API/ }),
        /The admin API is not answering/,
        15_000,
      );
      await page.getByRole('navigation', { name: 'Main' }).waitFor(); // the shell stays, the session too
      await shot('admin-api-down');
    } finally {
      await fx.env.ok(['start', 'ENV', '--component', 'server1']);
    }
    await page.reload();
    await page.getByRole('heading', { name: 'Services', exact: true }).waitFor();
    await expect
      .poll(
        () =>
          page
            .getByRole('alert')
            .filter({ hasText: /admin API is not answering/ })
            .count(),
        { timeout: 15_000 },
      )
      .toBe(0);
  });
});
