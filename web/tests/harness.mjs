// Shared harness for Hearth's browser tests: starts the real binary with demo
// data on a fresh SQLite file, drives Chromium through playwright-core, and
// checks every page with axe-core (WCAG 2.2 AA). Each `*.test.mjs` file calls
// `useServer()` and then declares its steps in order with `step()`.
//
// Environment:
//   HEARTH_BIN      path to the server binary (default: <repo>/target/debug/hearth)
//   CHROMIUM_PATH   path to Chromium (default: /usr/bin/chromium)
//
// Needs `npm ci` in web/ (playwright-core, axe-core) and Debian's `chromium`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);

export const HEARTH_BIN = process.env.HEARTH_BIN
  ? path.resolve(process.env.HEARTH_BIN)
  : path.join(repoRoot, 'target', 'debug', 'hearth');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export const DEMO_PASSWORD = 'hearth-demo';
// The first demo adults' memorable word (crates/hearth/src/demo.rs).
export const DEMO_MEMORABLE_WORD = 'marmalade';

export const STARTUP_TIMEOUT_MS = 120_000;
export const ACTION_TIMEOUT_MS = 30_000; // debug builds (password hashing) can be slow
export const NAVIGATION_TIMEOUT_MS = 60_000;

// Shared state, filled in by `before` and by the steps in order.
export let tmpDir;
let logPath;
export let baseUrl;
let server;
let serverExited = null; // {code, signal} once the process has gone
export let browser;
export let context;
export let page;
let failed = false;

// Problems seen by the page listeners since the last check.
let pageErrors = [];
let badResponses = [];

// ---------------------------------------------------------------------------
// helpers

export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForHealth() {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last = 'no attempt yet';
  while (Date.now() < deadline) {
    if (serverExited) {
      throw new Error(
        `hearth exited before becoming healthy (code ${serverExited.code}, signal ${serverExited.signal})`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/api/v1/health`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    await sleep(250);
  }
  throw new Error(`GET /api/v1/health did not return 200 within ${STARTUP_TIMEOUT_MS / 1000} s (last: ${last})`);
}

function printServerLog() {
  try {
    const log = fs.readFileSync(logPath, 'utf8');
    process.stderr.write(`\n----- hearth log (${logPath}) -----\n${log}\n----- end of hearth log -----\n`);
  } catch (err) {
    process.stderr.write(`(could not read hearth log ${logPath}: ${err.message})\n`);
  }
}

export async function api(method, urlPath, { token, body } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(ACTION_TIMEOUT_MS),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${urlPath} returned HTTP ${res.status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text);
  } catch {
    assert.fail(`${method} ${urlPath} did not return JSON: ${text.slice(0, 500)}`);
  }
}

export function normaliseSpace(s) {
  return (s ?? '').replace(/\s+/g, ' ').trim();
}

export function currentPath() {
  return new URL(page.url()).pathname;
}

export async function h1Text() {
  const h1 = page.locator('h1');
  assert.equal(await h1.count(), 1, `expected exactly one <h1> on ${currentPath()}`);
  return normaliseSpace(await h1.textContent());
}

// Run axe-core on the current page and fail with a readable report on any
// violation. The script is injected with addScriptTag; if the page's
// Content-Security-Policy blocks inline scripts (as it should), fall back to
// evaluating it over the DevTools protocol, which CSP does not govern.
export async function checkAccessibility(label) {
  await page.waitForLoadState('load');
  const hasAxe = () => page.evaluate(() => typeof window.axe === 'object');
  if (!(await hasAxe())) {
    try {
      await page.addScriptTag({ content: AXE_SOURCE });
    } catch {
      // blocked by CSP; handled below
    }
    if (!(await hasAxe())) await page.evaluate(AXE_SOURCE);
  }
  assert.ok(await hasAxe(), `could not inject axe-core into ${label}`);
  const results = await page.evaluate(
    (values) => window.axe.run(document, { runOnly: { type: 'tag', values }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const violations = results.violations;
  if (violations.length > 0) {
    const report = violations
      .map((v) => {
        const nodes = v.nodes
          .map((n) => `      - ${JSON.stringify(n.target)}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`)
          .join('\n');
        return `  * ${v.id} [${v.impact}] ${v.help}\n    ${v.helpUrl}\n${nodes}`;
      })
      .join('\n');
    assert.fail(`axe found ${violations.length} accessibility violation(s) on ${label} (${page.url()}):\n${report}`);
  }
}

// Checks that apply to every page: no uncaught script errors, no failed
// same-origin subresources (CSS, JS, images), GOV.UK Frontend's "supported"
// class set by the inline body script, the GOV.UK Frontend CSS applied with
// Hearth's font (not GDS Transport, which is for GOV.UK only), then axe.
export async function checkPage(label) {
  await checkAccessibility(label);
  const bodyClass = await page.evaluate(() => document.body.className);
  assert.match(
    bodyClass,
    /\bgovuk-frontend-supported\b/,
    `<body> on ${label} lacks class govuk-frontend-supported (inline GOV.UK Frontend script not run?): "${bodyClass}"`,
  );
  const styled = await page.evaluate(() => {
    const el = document.querySelector('[class*="govuk-heading-"], .govuk-body, .govuk-button, .govuk-label');
    return el ? { element: el.outerHTML.slice(0, 80), font: getComputedStyle(el).fontFamily } : null;
  });
  assert.ok(styled, `no element with a GOV.UK Frontend typography class on ${label}`);
  assert.match(
    styled.font,
    /^arial\b/i,
    `${styled.element} on ${label} is not styled by Hearth's GOV.UK Frontend CSS: font-family "${styled.font}"`,
  );
  const errors = pageErrors;
  const responses = badResponses;
  pageErrors = [];
  badResponses = [];
  assert.deepEqual(errors, [], `uncaught script errors on ${label}`);
  assert.deepEqual(responses, [], `failed subresource requests on ${label}`);
}

// Click something that navigates (a link, or a button that submits a form),
// and wait until the resulting document has loaded. This does not assume the
// URL changes: a form re-rendered with errors may come back at the same URL.
export async function clickAndNavigate(locator) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
    locator.click(),
  ]);
  await page.waitForLoadState('load');
}

// Assert the current path, saying what is on the page if it is wrong.
export async function expectPath(expected) {
  const actual = currentPath();
  if (actual === expected) return;
  const h1 = normaliseSpace(await page.locator('h1').first().textContent({ timeout: 1_000 }).catch(() => ''));
  const errors = normaliseSpace(
    await page.locator('.govuk-error-summary').first().textContent({ timeout: 1_000 }).catch(() => ''),
  );
  assert.fail(`expected to be on ${expected} but on ${page.url()} (h1: "${h1}"${errors ? `; error summary: "${errors}"` : ''})`);
}

// Each step is a top-level test; node:test runs them in order. Once one
// fails, the rest are skipped rather than failing in confusing ways.
export function step(name, fn) {
  test(name, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn(t);
    } catch (err) {
      failed = true;
      if (page && tmpDir) {
        const shot = path.join(tmpDir, 'failure.png');
        try {
          await page.screenshot({ path: shot, fullPage: true });
          process.stderr.write(`screenshot at failure (${page.url()}): ${shot}\n`);
        } catch {
          // the page may be gone
        }
      }
      throw err;
    }
  });
}

// ---------------------------------------------------------------------------
// setup and teardown

/// Registers the hooks that start `hearth serve --demo` on a free port with a
/// fresh SQLite file, launch Chromium, and tear both down at the end. Call it
/// once at the top of each browser test file. `env` adds environment
/// variables for the server (e.g. HEARTH_EDI_KEY to switch on equality monitoring);
/// it and `port` may be functions, called when the server starts, for a test
/// whose own `before` hook decides them (the single sign-on test's provider
/// must know Hearth's address before Hearth starts).
export function useServer({ env = {}, port: fixedPort } = {}) {
  before(async () => {
    tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hearth-browser-'));
    logPath = path.join(tmpDir, 'hearth.log');
    try {
      await fsp.access(HEARTH_BIN, fs.constants.X_OK);
    } catch {
      failed = true;
      throw new Error(`hearth binary not found or not executable: ${HEARTH_BIN} (build it, or set HEARTH_BIN)`);
    }

    const port = typeof fixedPort === 'function' ? fixedPort() : await freePort();
    if (typeof env === 'function') env = env();
    baseUrl = `http://127.0.0.1:${port}`;
    const args = [
      'serve',
      '--demo',
      '--seed',
      '7',
      '--listen',
      `127.0.0.1:${port}`,
      '--database-url',
      `sqlite://${path.join(tmpDir, 'hearth.db')}`,
    ];
    const logFd = fs.openSync(logPath, 'a');
    server = spawn(HEARTH_BIN, args, { cwd: tmpDir, stdio: ['ignore', logFd, logFd], env: { ...process.env, ...env } });
    fs.closeSync(logFd);
    server.on('exit', (code, signal) => {
      serverExited = { code, signal };
    });
    server.on('error', (err) => {
      serverExited = { code: null, signal: null, error: err.message };
    });
    console.log(`hearth: ${HEARTH_BIN} ${args.join(' ')}`);
    console.log(`hearth log: ${logPath}`);

    try {
      await waitForHealth();
    } catch (err) {
      failed = true;
      throw err;
    }

    try {
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    } catch (err) {
      failed = true;
      throw err;
    }
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.origin !== baseUrl || res.status() < 400) return;
      if (res.request().resourceType() === 'document') return; // checked by the steps themselves
      if (url.pathname === '/favicon.ico') return; // the browser asks for it unprompted
      badResponses.push(`${res.status()} ${url.pathname}`);
    });
    page.on('requestfailed', (req) => {
      const reason = req.failure()?.errorText ?? '';
      if (reason.includes('ERR_ABORTED')) return; // cancelled by a navigation away
      if (new URL(req.url()).origin === baseUrl) badResponses.push(`failed ${req.url()}: ${req.failure()?.errorText}`);
    });
  }, { timeout: STARTUP_TIMEOUT_MS + 60_000 });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    if (server && !serverExited) {
      server.kill('SIGTERM');
      const exited = await Promise.race([once(server, 'exit').then(() => true), sleep(10_000).then(() => false)]);
      if (!exited) {
        server.kill('SIGKILL');
        await once(server, 'exit').catch(() => {});
      }
    }
    if (failed && logPath) printServerLog();
    if (tmpDir) console.log(`test files kept in ${tmpDir}`);
  });

  // ---------------------------------------------------------------------------
}

// On a person page, a contact-centre advisor records a caller check (two
// security questions answered) before the account is shown; the page is
// checked with axe before and after.
export async function checkCaller(personId) {
  // The check is the advisor's own and lasts for the call: one still in force is kept.
  const before = normaliseSpace(await page.locator('main').textContent());
  if (before.includes('Caller checked')) return;
  await page.getByRole('heading', { level: 2, name: 'Check the caller', exact: true }).waitFor({ state: 'visible' });
  await checkPage('the person page asking for a caller check');
  // The caller gives their memorable word (the demo's) and their name; Hearth compares them.
  const fullName = normaliseSpace(await page.locator('h1').first().textContent());
  await page.getByLabel('Memorable word', { exact: true }).fill(DEMO_MEMORABLE_WORD);
  await page.getByLabel('Their full name', { exact: true }).fill(fullName);
  await clickAndNavigate(page.getByRole('button', { name: 'Check the answers', exact: true }));
  await expectPath(`/people/${personId}`);
  const text = normaliseSpace(await page.locator('main').textContent());
  if (!text.includes('Caller checked')) throw new Error(`no "Caller checked" on the person page: ${text.slice(0, 400)}`);
}

// Pickers (crates/hearth-http/src/shell/picker.rs). `pickByFind` uses the
// no-JavaScript path: type, press Find (the form comes back with matches as
// radios), choose the record whose number is `id`. `pickByTyping` uses the
// autocomplete: type, wait for the listbox, arrow down to the record and
// press Enter. Both return once the record is chosen.
export async function pickByFind(field, query, id) {
  await page.locator(`#${field}`).fill(query);
  await clickAndNavigate(page.locator(`button[name="_pick"][value="${field}"]`));
  const radio = page.locator(`input[type="radio"][name="${field}"][value="${id}"]`);
  assert.equal(await radio.count(), 1, `searching ${field} for "${query}" did not offer record ${id}`);
  await radio.check();
}

export async function pickByTyping(field, query, id) {
  const box = page.locator(`#${field}`);
  await box.fill('');
  await box.pressSequentially(query, { delay: 20 });
  const option = page.locator(`#${field}-listbox [role="option"][data-id="${id}"]`);
  await option.waitFor({ state: 'attached' });
  const count = await page.locator(`#${field}-listbox [role="option"]`).count();
  for (let i = 0; i < count; i++) {
    await box.press('ArrowDown');
    if ((await option.getAttribute('aria-selected')) === 'true') break;
  }
  assert.equal(await option.getAttribute('aria-selected'), 'true', `arrowing through ${field}'s matches never reached record ${id}`);
  await box.press('Enter');
  const chosen = await page.locator(`input[type="hidden"][name="${field}"]`).getAttribute('value');
  assert.equal(chosen, String(id), `${field} holds the chosen record`);
}
