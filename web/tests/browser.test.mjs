// End-to-end browser test for Hearth: a contact-centre advisor signs in, finds
// a customer, changes their phone number (first with an invalid value), breaks
// the glass to read the customer's history, and signs out; the DPO then
// reviews that break-glass; an ASB officer then opens a case with an
// anonymous reporter, logs a contact and closes it; finally the advisor logs
// a phone call, an attempted call and a no-access appointment on the
// customer's page and sees them in its Contact history. Every page visited
// is checked with axe-core against WCAG 2.2 AA.
//
// Run from the repo root after `cargo build`:   node --test web/tests/
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

const HEARTH_BIN = process.env.HEARTH_BIN
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

const DEMO_PASSWORD = 'hearth-demo';
const NEW_PHONE = '01632 960 123'; // Ofcom drama range: plainly fake
const INVALID_PHONE = 'not a phone';
const BREAK_GLASS_REASON = 'Caller reports a break-in; checking who changed the record';

const STARTUP_TIMEOUT_MS = 120_000;
const ACTION_TIMEOUT_MS = 30_000; // debug builds (password hashing) can be slow
const NAVIGATION_TIMEOUT_MS = 60_000;

// Shared state, filled in by `before` and by the steps in order.
let tmpDir;
let logPath;
let baseUrl;
let server;
let serverExited = null; // {code, signal} once the process has gone
let browser;
let context;
let page;
let person; // {id, given_name, family_name, ...} from the API
let fullName;
let failed = false;

// Problems seen by the page listeners since the last check.
let pageErrors = [];
let badResponses = [];

// ---------------------------------------------------------------------------
// helpers

async function freePort() {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function sleep(ms) {
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

async function api(method, urlPath, { token, body } = {}) {
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

function normaliseSpace(s) {
  return (s ?? '').replace(/\s+/g, ' ').trim();
}

function currentPath() {
  return new URL(page.url()).pathname;
}

async function h1Text() {
  const h1 = page.locator('h1');
  assert.equal(await h1.count(), 1, `expected exactly one <h1> on ${currentPath()}`);
  return normaliseSpace(await h1.textContent());
}

// Run axe-core on the current page and fail with a readable report on any
// violation. The script is injected with addScriptTag; if the page's
// Content-Security-Policy blocks inline scripts (as it should), fall back to
// evaluating it over the DevTools protocol, which CSP does not govern.
async function checkAccessibility(label) {
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
async function checkPage(label) {
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
async function clickAndNavigate(locator) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
    locator.click(),
  ]);
  await page.waitForLoadState('load');
}

// Assert the current path, saying what is on the page if it is wrong.
async function expectPath(expected) {
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
function step(name, fn) {
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

before(async () => {
  tmpDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hearth-browser-'));
  logPath = path.join(tmpDir, 'hearth.log');
  try {
    await fsp.access(HEARTH_BIN, fs.constants.X_OK);
  } catch {
    failed = true;
    throw new Error(`hearth binary not found or not executable: ${HEARTH_BIN} (build it, or set HEARTH_BIN)`);
  }

  const port = await freePort();
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
  server = spawn(HEARTH_BIN, args, { cwd: tmpDir, stdio: ['ignore', logFd, logFd] });
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
// the journey

step('find a demo customer with a phone number through the API', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', {
    body: { username: 'housing.officer', password: DEMO_PASSWORD },
  });
  assert.equal(typeof token, 'string', 'auth/token response has no token');
  assert.ok(token.length > 0, 'auth/token returned an empty token');

  const people = await api('GET', '/api/v1/people?kind=adult&has_phone=true&limit=5', { token });
  assert.ok(Array.isArray(people.items), 'people response has no items array');
  assert.ok(people.items.length > 0, 'demo data has no adult with a phone number');
  person = people.items[0];
  assert.ok(person.id !== undefined && person.given_name && person.family_name, `unexpected person: ${JSON.stringify(person)}`);
  fullName = `${person.given_name} ${person.family_name}`;
  console.log(`customer under test: #${person.id} ${fullName}`);
});

step('advisor signs in', async () => {
  const res = await page.goto(`${baseUrl}/login`);
  assert.equal(res.status(), 200, `GET /login returned HTTP ${res.status()}`);
  await checkPage('the sign-in page');

  await page.getByLabel('Username', { exact: true }).fill('advisor');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectPath('/search');
  assert.ok((await h1Text()).includes('Find a customer'), `search page h1 is "${await h1Text()}"`);
  await checkPage('the search page');
});

step('advisor searches by family name and opens the customer', async () => {
  await page.getByLabel('Name, date of birth, postcode or tenancy reference').fill(person.family_name);
  await clickAndNavigate(page.getByRole('button', { name: 'Search', exact: true }));

  const table = page.getByRole('table');
  await table.first().waitFor({ state: 'visible' });
  await checkPage('the search results page');

  const links = table.getByRole('link', { name: fullName, exact: true });
  const count = await links.count();
  assert.ok(count > 0, `no result link named "${fullName}" for search "${person.family_name}"`);
  let link = null;
  for (let i = 0; i < count; i++) {
    const href = await links.nth(i).getAttribute('href');
    if (new URL(href, baseUrl).pathname === `/people/${person.id}`) {
      link = links.nth(i);
      break;
    }
  }
  assert.ok(link, `result links named "${fullName}" exist, but none goes to /people/${person.id}`);
  assert.equal(normaliseSpace(await link.textContent()), fullName);

  await clickAndNavigate(link);
  await expectPath(`/people/${person.id}`);
  const h1 = await h1Text();
  assert.ok(h1.includes(fullName), `person page h1 "${h1}" does not contain "${fullName}"`);
  for (const section of ['Identity', 'Contact details', 'Household', 'Tenancy']) {
    await page.getByRole('heading', { level: 2, name: section, exact: true }).waitFor({ state: 'visible' });
  }
  await checkPage('the person page');

  const shot = path.join(tmpDir, 'person-page.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot of the person page: ${shot}`);
});

step('advisor is told off for an invalid phone number', async () => {
  const change = page.locator('.govuk-summary-list').getByRole('link', { name: /Change phone/ }).first();
  await clickAndNavigate(change);
  assert.ok((await h1Text()).includes('Change phone number'), `edit page h1 is "${await h1Text()}"`);
  await checkPage('the change phone number page');

  await page.getByLabel('Phone number', { exact: true }).fill(INVALID_PHONE);
  await clickAndNavigate(page.getByRole('button', { name: 'Save changes', exact: true }));
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor({ state: 'visible' });
  const summaryText = normaliseSpace(await summary.textContent());
  assert.ok(summaryText.includes('Enter a phone number'), `error summary says "${summaryText}"`);
  await checkPage('the change phone number page with an error');
});

step('advisor changes the phone number', async () => {
  await page.getByLabel('Phone number', { exact: true }).fill(NEW_PHONE);
  await clickAndNavigate(page.getByRole('button', { name: 'Save changes', exact: true }));
  await expectPath(`/people/${person.id}`);

  const banner = page.locator('.govuk-notification-banner');
  await banner.first().waitFor({ state: 'visible' });
  const bannerText = normaliseSpace(await banner.first().textContent());
  assert.ok(bannerText.includes('Phone number updated'), `notification banner says "${bannerText}"`);

  const bodyText = await page.locator('body').innerText();
  const squash = (s) => s.replace(/\s+/g, '');
  assert.ok(
    squash(bodyText).includes(squash(NEW_PHONE)),
    `person page does not show the new number ${NEW_PHONE}:\n${bodyText.slice(0, 2000)}`,
  );
  await checkPage('the person page after the change');

  const shot = path.join(tmpDir, 'person-page-updated.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`screenshot of the person page after the change: ${shot}`);
});

step('advisor is refused the history and breaks the glass', async () => {
  const res = await page.goto(`${baseUrl}/people/${person.id}/history`);
  assert.equal(res.status(), 403, `GET history as the advisor returned HTTP ${res.status()}`);
  await checkPage('the refused history page');

  await page.getByText('Need access in an emergency?', { exact: true }).click();
  await page.getByLabel(/Why do you need access now\?/).fill('abc');
  await clickAndNavigate(page.getByRole('button', { name: 'Break the glass', exact: true }));
  await page.locator('.govuk-error-summary').waitFor({ state: 'visible' });
  await checkPage('the break-glass form with an error');

  await page.getByLabel(/Why do you need access now\?/).fill(BREAK_GLASS_REASON);
  await clickAndNavigate(page.getByRole('button', { name: 'Break the glass', exact: true }));
  await expectPath(`/people/${person.id}/history`);
  const bannerText = normaliseSpace(await page.locator('.govuk-notification-banner').first().textContent());
  assert.match(bannerText, /Access opened until \d\d:\d\d \(Europe\/London\)/, `notification banner says "${bannerText}"`);
  await checkPage('the history page opened by break-glass');
});

step('advisor signs out', async () => {
  await clickAndNavigate(page.getByRole('button', { name: 'Sign out', exact: true }));
  await expectPath('/login');
  await checkPage('the sign-in page after signing out');
});

step('the DPO reviews the break-glass grant', async () => {
  await page.getByLabel('Username', { exact: true }).fill('dpo');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectPath('/search');
  await clickAndNavigate(page.getByRole('link', { name: 'Break-glass reviews', exact: true }));
  await expectPath('/break-glass');
  await checkPage('the break-glass review page');

  const row = page.getByRole('row').filter({ hasText: BREAK_GLASS_REASON });
  assert.equal(await row.count(), 1, 'the grant is not listed once for review');
  await row.getByLabel(/Review note/).fill('Confirmed with the advisor\'s team leader');
  await clickAndNavigate(row.getByRole('button', { name: /^Record review/ }));
  await expectPath('/break-glass');
  const bannerText = normaliseSpace(await page.locator('.govuk-notification-banner').first().textContent());
  assert.ok(bannerText.includes('Review recorded'), `notification banner says "${bannerText}"`);
  assert.equal(await page.getByRole('row').filter({ hasText: BREAK_GLASS_REASON }).count(), 0, 'the reviewed grant is still listed');
  await checkPage('the break-glass review page after a review');

  await clickAndNavigate(page.getByRole('button', { name: 'Sign out', exact: true }));
  await expectPath('/login');
});

// ---------------------------------------------------------------------------
// cases: an ASB officer opens a case with an anonymous reporter, logs a
// contact and closes it. The reporter must never be named on the case page.

const CASE_SUMMARY = 'Loud music and shouting from the flat most nights';
const CASE_CONTACT = 'Visited the block; spoke to neighbours';
let reporter; // the anonymous reporter {id, given_name, family_name}
let perpetrator; // the alleged perpetrator

step('find two demo people with different family names through the API', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', {
    body: { username: 'housing.officer', password: DEMO_PASSWORD },
  });
  const people = await api('GET', '/api/v1/people?kind=adult&limit=20', { token });
  reporter = people.items[0];
  // Different family names, so "the reporter's name is absent" cannot be
  // confused by a relative who is named.
  perpetrator = people.items.find((p) => p.family_name !== reporter.family_name);
  assert.ok(reporter && perpetrator, `demo data lacks two adults with different family names: ${JSON.stringify(people.items)}`);
  console.log(`reporter #${reporter.id}, alleged perpetrator #${perpetrator.id}`);
});

step('ASB officer signs in and opens the case list', async () => {
  await page.getByLabel('Username', { exact: true }).fill('asb.officer');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectPath('/search');
  await clickAndNavigate(page.getByRole('link', { name: 'Cases', exact: true }));
  await expectPath('/cases');
  assert.equal(await h1Text(), 'Your cases');
  await checkPage('the case list');
});

step('ASB officer is told what is missing on the open-a-case form', async () => {
  await clickAndNavigate(page.getByRole('button', { name: 'Open a case', exact: true }));
  await expectPath('/cases/new');
  await checkPage('the open-a-case form');

  await page.getByLabel('Anti-social behaviour', { exact: true }).check();
  await clickAndNavigate(page.getByRole('button', { name: 'Open the case', exact: true }));
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor({ state: 'visible' });
  const text = normaliseSpace(await summary.textContent());
  assert.ok(/summary/i.test(text), `error summary does not mention the summary: "${text}"`);
  await checkPage('the open-a-case form with an error');
});

step('ASB officer opens an ASB case with an anonymous reporter', async () => {
  await page.getByLabel('Anti-social behaviour', { exact: true }).check();
  await page.getByLabel('Summary', { exact: true }).fill(CASE_SUMMARY);
  await page.getByLabel('Assign to (staff username, optional)', { exact: true }).fill('asb.officer');
  await page.locator('#party0_person_id').fill(String(reporter.id));
  await page.locator('#party0_role').selectOption('reporter');
  await page.locator('#party0_anonymous').check();
  await page.locator('#party1_person_id').fill(String(perpetrator.id));
  await page.locator('#party1_role').selectOption('alleged_perpetrator');
  await clickAndNavigate(page.getByRole('button', { name: 'Open the case', exact: true }));
  assert.match(currentPath(), /^\/cases\/\d+$/, `not on a case page: ${page.url()}`);
  assert.match(await h1Text(), /^ASB-/, 'the case reference is the heading');

  const body = await page.locator('body').innerText();
  assert.ok(body.includes('Case opened'), 'no "Case opened" banner');
  assert.ok(body.includes('Anonymous reporter'), 'the reporter is not shown as anonymous');
  assert.ok(!body.includes(reporter.family_name), `the page names the anonymous reporter (${reporter.family_name})`);
  const html = await page.content();
  assert.ok(!html.includes(`/people/${reporter.id}"`), 'the page links to the anonymous reporter');
  assert.ok(body.includes(`${perpetrator.given_name} ${perpetrator.family_name}`), 'the alleged perpetrator is not named');
  await checkPage('the new case page');
});

step('ASB officer logs a contact and closes the case', async () => {
  const casePath = currentPath();
  await page.getByLabel('What happened', { exact: true }).fill(CASE_CONTACT);
  await clickAndNavigate(page.getByRole('button', { name: 'Log the contact', exact: true }));
  await expectPath(casePath);
  assert.ok((await page.locator('body').innerText()).includes('Contact logged'), 'no "Contact logged" banner');
  await checkPage('the case page after logging a contact');

  await page.getByLabel('Resolved', { exact: true }).check();
  await clickAndNavigate(page.getByRole('button', { name: 'Close the case', exact: true }));
  await expectPath(casePath);
  const statusRow = page.locator('.govuk-summary-list__row').filter({ hasText: 'Status' }).first();
  assert.equal(normaliseSpace(await statusRow.locator('dd').textContent()), 'Closed');
  const timeline = normaliseSpace(await page.locator('#timeline').textContent());
  for (const entry of [CASE_SUMMARY, CASE_CONTACT, 'Closed: Resolved']) {
    assert.ok(timeline.includes(entry), `timeline lacks "${entry}": ${timeline}`);
  }
  assert.equal(await page.getByRole('button', { name: 'Close the case' }).count(), 0, 'a closed case still offers changes');
  assert.ok(!(await page.locator('body').innerText()).includes(reporter.family_name), 'the closed case names the reporter');
  await checkPage('the closed case page');

  await clickAndNavigate(page.getByRole('button', { name: 'Sign out', exact: true }));
  await expectPath('/login');
});

// ---------------------------------------------------------------------------
// contact log: the advisor logs a phone call, an attempted call with a
// voicemail left (first forgetting to say so) and a no-access appointment on
// a customer's page, and sees all three in its Contact history.

const CONTACT_CALL = 'Asked when the kitchen tap will be repaired';
const CONTACT_ATTEMPT = 'Rang back about the repair; no answer';
const CONTACT_APPOINTMENT = 'Called for the gas safety check; nobody home';

async function openLogContactForm() {
  await clickAndNavigate(page.getByRole('link', { name: 'Log a contact', exact: true }));
  await expectPath(`/people/${person.id}/contacts/new`);
  assert.equal(await h1Text(), 'Log a contact');
}

async function submitContact() {
  await clickAndNavigate(page.getByRole('button', { name: 'Log the contact', exact: true }));
  await expectPath(`/people/${person.id}`);
  const bannerText = normaliseSpace(await page.locator('.govuk-notification-banner').first().textContent());
  assert.ok(bannerText.includes('Contact logged'), `notification banner says "${bannerText}"`);
}

step('advisor sees the contact history on the person page', async () => {
  await page.getByLabel('Username', { exact: true }).fill('advisor');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectPath('/search');
  const res = await page.goto(`${baseUrl}/people/${person.id}`);
  assert.equal(res.status(), 200, `GET the person page returned HTTP ${res.status()}`);
  await page.getByRole('heading', { level: 2, name: 'Contact history', exact: true }).waitFor({ state: 'visible' });
  await checkPage('the person page with its contact history');
});

step('advisor logs a phone call', async () => {
  await openLogContactForm();
  await checkPage('the log-a-contact form');
  assert.equal(await page.getByLabel('Channel', { exact: true }).inputValue(), 'call_in', 'inbound call is not the default');
  await page.getByLabel('Summary', { exact: true }).fill(CONTACT_CALL);
  await submitContact();
  await checkPage('the person page after logging a call');
});

step('advisor is asked about the voicemail, then logs an attempted call', async () => {
  await openLogContactForm();
  await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'Attempted call' });
  await page.getByLabel('Summary', { exact: true }).fill(CONTACT_ATTEMPT);
  await clickAndNavigate(page.getByRole('button', { name: 'Log the contact', exact: true }));
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor({ state: 'visible' });
  const text = normaliseSpace(await summary.textContent());
  assert.ok(/voicemail/i.test(text), `error summary does not mention the voicemail: "${text}"`);
  await checkPage('the log-a-contact form with an error');

  assert.equal(await page.getByLabel('Summary', { exact: true }).inputValue(), CONTACT_ATTEMPT, 'the summary was not kept');
  await page.locator('#voicemail_left').check(); // "Yes"
  await submitContact();
  await checkPage('the person page after logging an attempted call');
});

step('advisor logs a no-access appointment and sees all three contacts', async () => {
  await openLogContactForm();
  await page.getByLabel('Channel', { exact: true }).selectOption({ label: 'Appointment' });
  await page.getByLabel('Summary', { exact: true }).fill(CONTACT_APPOINTMENT);
  await page.getByLabel('No access', { exact: true }).check();
  await submitContact();

  // innerText, not textContent: it separates the table's cells.
  const history = normaliseSpace(await page.locator('#contact-history').innerText());
  for (const entry of [
    `Inbound call ${CONTACT_CALL}`,
    `Attempted call (voicemail left) ${CONTACT_ATTEMPT}`,
    `Appointment (no access) ${CONTACT_APPOINTMENT}`,
  ]) {
    assert.ok(history.includes(entry), `contact history lacks "${entry}": ${history}`);
  }
  assert.ok(
    history.indexOf(CONTACT_APPOINTMENT) < history.indexOf(CONTACT_CALL),
    `the contact history is not newest first: ${history}`,
  );
  await checkPage('the person page with three contacts logged');

  await clickAndNavigate(page.getByRole('button', { name: 'Sign out', exact: true }));
  await expectPath('/login');
});
