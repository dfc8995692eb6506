/**
 * Scenario W — the web admin (docs/web-admin.md), a separate process of a Wharf environment:
 *   1. start: spawn of `wharf start DIR` → the web admin's GET /login answers 200 (polled every 20 ms
 *      from the moment of the spawn), and in the same start → the server's GET /wharf/ping 200;
 *   2. idle RSS of the web admin process (VmRSS of the pid in DIR/web-admin/pids/web-admin.pid)
 *      10 s after the start and again 10 s after a browser session, against a bare `node -e` HTTP
 *      server serving one static file (its idle RSS, same run, same wait);
 *   3. first page load in headless Chromium (playwright-core, /usr/bin/chromium, a fresh browser
 *      context per round = cold cache): navigation start → the login form's "Username" field
 *      visible; after logging in, a full reload of / → the "Dashboard" h1 visible (warm cache);
 *   4. the UI bundle: JS and CSS of dist/web-admin/public, raw and gzipped (zlib level 9).
 * The environment is made once (`wharf quickstart create DIR --port P --workers 1 --web-admin-port
 * Q`); each round starts it pinned to CPU 1 (the web admin inherits the affinity), this process and
 * the browser run on CPU 0, and `wharf stop DIR` ends the round.
 *
 *   node bench/scenario-w.js   (or bench/run.js W)
 *   BENCH_W_IDLE_MS (default 10000): the idle waits before reading RSS
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { freePort, isAlive, rssBytes, sleep, waitQuiet } from './lib/proc.js';
import { fmtMiB, fmtMs, fmtRatio, median, table } from './lib/report.js';
import { primaryPid, startPinned, stopEnv, wharf } from './lib/wharf.js';
import { onInterrupt } from './lib-extra/measure.js';
import { ROOT, spawnPinned } from './lib-extra/servers.js';

export const id = 'W';
export const title = 'Web admin: start → UI answering, idle RSS, first page load in Chromium, UI bundle size';
export const GOALS = { idleRssMiB: 60, coldLoadMs: 300, jsGzipKB: 150 };
export const selfReported = true;

const SERVER_CORE = 1;
const IDLE_MS = Number(process.env.BENCH_W_IDLE_MS ?? 10_000);
const POLL_MS = 20;
const PUBLIC = join(ROOT, 'dist/web-admin/public');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const KB = 1000;

/** GET url → status (0 when it does not answer), body discarded. */
async function status(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Polls `url` every POLL_MS from now until 200; resolves ms since t0 (undefined when stop() was called first). */
function pollUntil200(url, t0, stopped) {
  return (async () => {
    for (;;) {
      if (stopped()) return undefined;
      const tick = performance.now();
      if ((await status(url)) === 200) return performance.now() - t0;
      const wait = POLL_MS - (performance.now() - tick);
      if (wait > 0) await sleep(wait);
    }
  })();
}

function webAdminPid(dir) {
  const f = join(dir, 'web-admin/pids/web-admin.pid');
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

async function waitGone(pids, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  for (const p of pids.filter(isAlive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** `wharf stop DIR` (web admin first, then the server), then makes sure both are gone. */
async function stopAll(dir) {
  const wa = webAdminPid(dir);
  if (primaryPid(dir) || wa) await stopEnv(dir);
  if (wa) await waitGone([wa]);
}

/** JS and CSS of the UI bundle, raw and gzipped (level 9); every file listed. */
function bundleSizes() {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(m?js|css)$/.test(e.name)) {
        const buf = readFileSync(p);
        files.push({
          file: relative(PUBLIC, p),
          kind: e.name.endsWith('.css') ? 'css' : 'js',
          raw: buf.length,
          gzip: gzipSync(buf, { level: 9 }).length,
        });
      }
    }
  };
  walk(PUBLIC);
  const sum = (kind, k) => files.filter((f) => f.kind === kind).reduce((a, f) => a + f[k], 0);
  return {
    files,
    js: { raw: sum('js', 'raw'), gzip: sum('js', 'gzip') },
    css: { raw: sum('css', 'raw'), gzip: sum('css', 'gzip') },
  };
}

/** The reference: a bare node:http server answering every GET with one static file, pinned like the web admin. */
async function startReference(port, file, type = 'text/javascript') {
  const code = `const http=require('node:http'),fs=require('node:fs');const f=${JSON.stringify(file)};http.createServer((q,s)=>{fs.readFile(f,(e,b)=>{if(e){s.writeHead(500);s.end();return}s.writeHead(200,{'content-type':${JSON.stringify(type)}});s.end(b)})}).listen(${port},'127.0.0.1',()=>console.log('ready'))`;
  const p = spawnPinned(SERVER_CORE, process.execPath, ['-e', code], { name: 'bare node static server' });
  const deadline = Date.now() + 20_000;
  while (!p.output().includes('ready')) {
    if (p.exited() || Date.now() > deadline) throw new Error(`the reference server did not start: ${p.output()}`);
    await sleep(20);
  }
  if ((await status(`http://127.0.0.1:${port}/`)) !== 200) throw new Error('the reference server did not answer 200');
  return p;
}

// In-page wait, polled on every animation frame (a function argument of page.evaluate, so the page's
// CSP, which forbids eval, does not apply): resolves performance.now() (ms since the navigation
// started, the document's time origin) at the first frame where the element is visible.
function inPageVisible(what) {
  /* global document, getComputedStyle, requestAnimationFrame -- runs in the page */
  const visible = (el) => {
    if (!el) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const check = () => {
    if (what === 'username') {
      for (const l of document.querySelectorAll('label'))
        if (/^\s*Username(\s*\*)?\s*$/.test(l.textContent ?? '') && visible(l.control)) return true;
    } else {
      for (const h of document.querySelectorAll('h1'))
        if ((h.textContent ?? '').trim() === 'Dashboard' && visible(h)) return true;
    }
    return false;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not visible within 30 s`)), 30_000);
    const step = () => {
      if (check()) {
        clearTimeout(timer);
        resolve(performance.now());
      } else requestAnimationFrame(step);
    };
    step();
  });
}

/** The floor for a cold load in this browser on this machine: a static HTML login form (no script, no CSS), fresh context. */
async function referenceColdLoad(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    return await page.evaluate(inPageVisible, 'username');
  } finally {
    await context.close().catch(() => undefined);
  }
}

export const REFERENCE_LOGIN_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in</title></head><body><main><h1>Log in</h1><form><label for="u">Username</label><input id="u" name="username"><label for="p">Password</label><input id="p" type="password" name="password"><button>Log in</button></form></main></body></html>';

/** One browser session on a fresh context: cold load of /login, log in, warm reload of /. */
async function browserSession(browser, url, password) {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
  const errors = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    // Uncaught exceptions count as errors; answers ≥ 400 are only listed (a logged-out visit's
    // GET /api/session is a 401 by design, Chromium asks for /favicon.ico, which is a 404).
    const failed = [];
    page.on(
      'response',
      (res) =>
        res.status() >= 400 && failed.push(`${res.request().method()} ${new URL(res.url()).pathname} ${res.status()}`),
    );
    const tCold = performance.now();
    await page.goto('/login', { waitUntil: 'commit' });
    const cold = await page.evaluate(inPageVisible, 'username');
    const coldOutside = performance.now() - tCold;
    const coldNav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return n
        ? {
            responseEnd: n.responseEnd,
            domContentLoaded: n.domContentLoadedEventEnd,
            load: n.loadEventEnd,
            transferSize: n.transferSize,
          }
        : undefined;
    });
    const coldResources = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((r) => ({ name: new URL(r.name).pathname, transferSize: r.transferSize, ms: +r.duration.toFixed(1) })),
    );
    await page.getByLabel(/^\s*Username(\s*\*)?\s*$/).fill('admin');
    await page.getByLabel(/^\s*Password(\s*\*)?\s*$/).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard', exact: true }).waitFor({ timeout: 30_000 });
    if (new URL(page.url()).pathname !== '/') await page.goto('/');
    const tWarm = performance.now();
    await page.reload({ waitUntil: 'commit' });
    const warm = await page.evaluate(inPageVisible, 'dashboard');
    const warmOutside = performance.now() - tWarm;
    const warmResources = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((r) => ({ name: new URL(r.name).pathname, transferSize: r.transferSize })),
    );
    return {
      coldMs: cold,
      coldOutsideMs: coldOutside,
      coldNav,
      coldResources,
      warmMs: warm,
      warmOutsideMs: warmOutside,
      warmResources,
      errors,
      httpErrors: failed,
    };
  } finally {
    await context.close().catch(() => undefined);
  }
}

export async function run(cfg, log = (l) => process.stdout.write(`${l}\n`)) {
  if (!existsSync(PUBLIC)) throw new Error(`${PUBLIC} is missing: run \`npm run build\` first`);
  const result = {
    scenario: 'W',
    title,
    goals: GOALS,
    idleMs: IDLE_MS,
    pollMs: POLL_MS,
    config: { ...cfg },
    selfReported: true,
  };
  result.bundle = bundleSizes();
  log(
    `UI bundle (dist/web-admin/public): ${result.bundle.files.map((f) => `${f.file} ${f.raw} B (gzip -9 ${f.gzip} B)`).join(', ')}`,
  );

  const ports = { server: await freePort(), webAdmin: await freePort(), reference: await freePort() };
  const parent = mkdtempSync(join(tmpdir(), 'wharf-bench-w-'));
  const refHtml = join(parent, 'login.html');
  writeFileSync(refHtml, REFERENCE_LOGIN_HTML);
  const dir = join(parent, 'env');
  let browser;
  const closeBrowser = async () => {
    const b = browser;
    browser = undefined;
    if (b) await b.close().catch(() => undefined);
  };
  const unregisterEnv = onInterrupt(async () => {
    await stopAll(dir).catch(() => undefined);
    if (!cfg.keep) rmSync(parent, { recursive: true, force: true });
  });
  // On Ctrl-C / SIGTERM onInterrupt's handler stops everything and exits; from then on this flow
  // only parks (its next step would fail on the closed browser or the stopped environment).
  let aborted = false;
  const park = () => new Promise(() => undefined);
  const unregisterBrowser = onInterrupt(() => {
    aborted = true;
    return closeBrowser();
  });
  const go = async () => {
    if (aborted) await park();
  };
  let reference;
  try {
    log(`setup: wharf quickstart create (server port ${ports.server}, 1 worker, web admin port ${ports.webAdmin})`);
    const qs = await wharf([
      'quickstart',
      'create',
      dir,
      '--port',
      String(ports.server),
      '--workers',
      '1',
      '--web-admin-port',
      String(ports.webAdmin),
    ]);
    const password = /Admin user:\[admin\], password:\[([^\]]*)\]/.exec(qs.stdout)?.[1];
    if (!password) throw new Error(`no admin password in the quickstart output:\n${qs.stdout}`);
    const { chromium } = await import('playwright-core');
    // Playwright's own SIGINT/SIGTERM handlers would close the browser and exit at once, before
    // onInterrupt's cleanup stops the environment: ours close the browser instead.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    log(
      `Chromium ${browser.version()} (headless, playwright-core); web admin and reference server pinned to CPU ${SERVER_CORE}; idle waits ${IDLE_MS / 1000} s`,
    );
    const wa = `http://127.0.0.1:${ports.webAdmin}`;
    const refFile = result.bundle.files.find((f) => f.kind === 'js')?.file;

    const rounds = [];
    for (let i = 0; i < cfg.rounds; i++) {
      const quiet =
        cfg.quietMaxMs > 0 ? await waitQuiet({ threshold: cfg.quietThreshold, maxMs: cfg.quietMaxMs }) : undefined;
      await go();
      const r = { round: i + 1, quiet };
      // 1. Start: both polls begin with the spawn.
      let stopPolls = false;
      const s = startPinned(dir, SERVER_CORE);
      const loginP = pollUntil200(`${wa}/login`, s.t0, () => stopPolls);
      const pingP = pollUntil200(`http://127.0.0.1:${ports.server}/wharf/ping`, s.t0, () => stopPolls);
      const timeout = setTimeout(() => (stopPolls = true), 120_000);
      try {
        await s.done;
        r.cliExitMs = performance.now() - s.t0;
        [r.loginMs, r.pingMs] = await Promise.all([loginP, pingP]);
      } finally {
        stopPolls = true;
        clearTimeout(timeout);
      }
      try {
        if (r.loginMs === undefined || r.pingMs === undefined)
          throw new Error(`round ${i + 1}: /login or /wharf/ping never answered 200`);
        r.webAdminPid = webAdminPid(dir);
        if (!r.webAdminPid)
          throw new Error(`round ${i + 1}: no live web admin pid in ${dir}/web-admin/pids/web-admin.pid`);
        // 2. Idle RSS after the start, next to the reference server idling as long.
        await go();
        reference = await startReference(ports.reference, join(PUBLIC, refFile));
        await sleep(IDLE_MS);
        await go();
        r.idleRssBytes = rssBytes(r.webAdminPid);
        r.referenceRssBytes = rssBytes(reference.pid);
        await reference.stop();
        reference = undefined;
        // 3. The browser session, after the floor: a static HTML login form from the bare server, cold.
        await go();
        reference = await startReference(ports.reference, refHtml, 'text/html; charset=utf-8');
        r.referenceColdMs = await referenceColdLoad(browser, `http://127.0.0.1:${ports.reference}/`);
        await reference.stop();
        reference = undefined;
        const b = await browserSession(browser, wa, password);
        Object.assign(r, b);
        // 2b. Idle RSS after the session.
        await sleep(IDLE_MS);
        await go();
        r.afterSessionRssBytes = rssBytes(r.webAdminPid);
        if (!isAlive(r.webAdminPid)) throw new Error(`round ${i + 1}: the web admin (pid ${r.webAdminPid}) died`);
      } catch (e) {
        if (aborted) await park();
        throw e;
      } finally {
        if (!aborted) {
          if (reference) await reference.stop();
          reference = undefined;
          await stopAll(dir);
        }
      }
      rounds.push(r);
      log(
        `round ${r.round}: start → /login 200 ${fmtMs(r.loginMs)} ms (/wharf/ping ${fmtMs(r.pingMs)} ms, CLI exit ${fmtMs(r.cliExitMs)} ms); idle RSS ${fmtMiB(r.idleRssBytes)} MiB (bare node ${fmtMiB(r.referenceRssBytes)} MiB), after session ${fmtMiB(r.afterSessionRssBytes)} MiB; ` +
          `cold /login → Username ${fmtMs(r.coldMs)} ms (from outside ${fmtMs(r.coldOutsideMs)} ms), warm / → Dashboard ${fmtMs(r.warmMs)} ms (from outside ${fmtMs(r.warmOutsideMs)} ms); cold load: HTML ${fmtMs(r.coldNav?.responseEnd)} ms, app.js ${fmtMs(r.coldResources.find((x) => x.name.endsWith('.js'))?.ms)} ms, DOMContentLoaded ${fmtMs(r.coldNav?.domContentLoaded)} ms; answers ≥ 400: ${r.httpErrors.join(', ') || 'none'}${r.errors.length ? `; page errors: ${r.errors.slice(0, 3).join(' | ')}` : ''}${quiet ? `; machine ${Math.round(quiet.busy * 100)}% busy before` : ''}`,
      );
    }
    result.rounds = rounds;
    const m = (k) => median(rounds.map((r) => r[k]));
    const mx = (k) => Math.max(...rounds.map((r) => r[k]));
    result.summary = {
      loginMs: m('loginMs'),
      pingMs: m('pingMs'),
      cliExitMs: m('cliExitMs'),
      idleRssBytes: m('idleRssBytes'),
      afterSessionRssBytes: m('afterSessionRssBytes'),
      referenceRssBytes: m('referenceRssBytes'),
      rssRatio: m('idleRssBytes') / m('referenceRssBytes'),
      coldMs: m('coldMs'),
      coldMaxMs: mx('coldMs'),
      referenceColdMs: m('referenceColdMs'),
      warmMs: m('warmMs'),
      warmMaxMs: mx('warmMs'),
    };
    const sm = result.summary;
    result.met = {
      idleRss: sm.idleRssBytes <= GOALS.idleRssMiB * 1048576 && sm.afterSessionRssBytes <= GOALS.idleRssMiB * 1048576,
      coldLoad: sm.coldMs <= GOALS.coldLoadMs,
      jsGzip: result.bundle.js.gzip <= GOALS.jsGzipKB * KB,
    };
    result.meetsGoals = Object.values(result.met).every(Boolean);
    result.errorsTotal = rounds.reduce((a, r) => a + r.errors.length, 0);
    return result;
  } catch (e) {
    if (aborted) await park();
    throw e;
  } finally {
    if (reference) await reference.stop().catch(() => undefined);
    await closeBrowser();
    unregisterBrowser();
    await stopAll(dir).catch(() => undefined);
    unregisterEnv();
    if (cfg.keep) log(`kept the environment in ${dir}`);
    else rmSync(parent, { recursive: true, force: true });
  }
}

export function report(r, log) {
  const s = r.summary;
  const per = (k, f) => r.rounds.map((x) => f(x[k])).join(' / ');
  const ok = (met) => (met ? 'yes' : 'NO');
  const kb = (n) => (n / KB).toFixed(1);
  const rssGoal = `≤ ${GOALS.idleRssMiB} MiB`;
  const rows = [
    ['start → web admin /login 200', `${fmtMs(s.loginMs)} ms`, '', per('loginMs', fmtMs), '-', ''],
    ['  (same start → server /wharf/ping 200)', `${fmtMs(s.pingMs)} ms`, '', per('pingMs', fmtMs), 'reference', ''],
    ['  (same start → `wharf start` exits)', `${fmtMs(s.cliExitMs)} ms`, '', per('cliExitMs', fmtMs), 'reference', ''],
    [
      `web admin idle RSS, ${r.idleMs / 1000} s after start`,
      `${fmtMiB(s.idleRssBytes)} MiB`,
      '',
      per('idleRssBytes', fmtMiB),
      rssGoal,
      ok(s.idleRssBytes <= GOALS.idleRssMiB * 1048576),
    ],
    [
      `web admin idle RSS, ${r.idleMs / 1000} s after a browser session`,
      `${fmtMiB(s.afterSessionRssBytes)} MiB`,
      '',
      per('afterSessionRssBytes', fmtMiB),
      rssGoal,
      ok(s.afterSessionRssBytes <= GOALS.idleRssMiB * 1048576),
    ],
    [
      `  (bare node -e static file server, idle RSS)`,
      `${fmtMiB(s.referenceRssBytes)} MiB`,
      '',
      per('referenceRssBytes', fmtMiB),
      `web admin ÷ this = ${fmtRatio(s.rssRatio)}`,
      '',
    ],
    [
      'cold load /login → "Username" visible',
      `${fmtMs(s.coldMs)} ms`,
      `${fmtMs(s.coldMaxMs)} ms`,
      per('coldMs', fmtMs),
      `≤ ${GOALS.coldLoadMs} ms`,
      ok(s.coldMs <= GOALS.coldLoadMs),
    ],
    [
      '  (static HTML login form, bare node, cold)',
      `${fmtMs(s.referenceColdMs)} ms`,
      '',
      per('referenceColdMs', fmtMs),
      `web admin − this = ${fmtMs(s.coldMs - s.referenceColdMs)} ms`,
      '',
    ],
    [
      'warm reload / → "Dashboard" h1 visible',
      `${fmtMs(s.warmMs)} ms`,
      `${fmtMs(s.warmMaxMs)} ms`,
      per('warmMs', fmtMs),
      '-',
      '',
    ],
    [
      'UI JS (raw / gzip -9)',
      `${kb(r.bundle.js.raw)} KB`,
      '',
      `gzip ${kb(r.bundle.js.gzip)} KB`,
      `gzip ≤ ${GOALS.jsGzipKB} KB`,
      ok(r.bundle.js.gzip <= GOALS.jsGzipKB * KB),
    ],
    ['UI CSS (raw / gzip -9)', `${kb(r.bundle.css.raw)} KB`, '', `gzip ${kb(r.bundle.css.gzip)} KB`, '-', ''],
  ];
  log('');
  log(table(['W: web admin', 'median', 'max', 'per round', 'goal', 'met'], rows, [1, 2]));
  log('');
  log(
    `start = spawn of \`wharf start DIR\` (pinned to CPU ${SERVER_CORE}) → first 200, polled every ${r.pollMs} ms from the spawn; RSS = VmRSS of the web admin process (pidfile) after ${r.idleMs / 1000} s idle, ` +
      `the reference idles as long beside it (ratio = web admin / bare node); page loads in headless Chromium, times from the document's navigation start to the first animation frame showing the element ` +
      `(cold: a fresh browser context per round; warm: reload after logging in); KB = 1000 bytes`,
  );
  if (!r.meetsGoals)
    log(
      `BELOW GOAL: ${Object.entries(r.met)
        .filter(([, v]) => !v)
        .map(([k]) => k)
        .join(', ')}`,
    );
  if (r.errorsTotal > 0)
    log(
      `page errors: ${r.rounds
        .flatMap((x) => x.errors)
        .slice(0, 5)
        .join(' | ')}`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { runStandalone } = await import('./lib-extra/main.js');
  await runStandalone({ id, title, run, report });
}
