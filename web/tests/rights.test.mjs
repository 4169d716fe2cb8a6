// Browser test for the DPO's registers: the DPO signs in, opens Rights
// requests, logs a subject access request for a demo customer (first with a
// mistake), records that identity was confirmed, sees the deadline on the
// work list, generates the access bundle and downloads it as a zip, then
// records a breach and sees its 72-hour clock. Every page
// visited is checked with axe-core against WCAG 2.2 AA.
//
// Run from the repo root after `cargo build -p hearth`:
//   HEARTH_BIN=$PWD/target/debug/hearth node --test web/tests/rights.test.mjs

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  useServer, step, api, page, baseUrl, DEMO_PASSWORD, normaliseSpace, h1Text, checkPage, checkAccessibility, clickAndNavigate, expectPath, pickByFind,
  currentPath,
} from './harness.mjs';

let person; // a demo adult {id, given_name, family_name}
let requestPath; // the logged request's page

useServer();

step('find a demo customer through the API', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', { body: { username: 'housing.officer', password: DEMO_PASSWORD } });
  const people = await api('GET', '/api/v1/people?kind=adult&limit=5', { token });
  person = people.items[0];
  assert.ok(person && person.id !== undefined, `no demo adult: ${JSON.stringify(people)}`);
});

step('the DPO signs in and opens the rights requests', async () => {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill('dpo');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectPath('/');
  await clickAndNavigate(page.getByRole('link', { name: 'Rights requests', exact: true }));
  await expectPath('/rights');
  assert.equal(await h1Text(), 'Rights requests');
  await checkPage('the rights request work list');
});

step('the DPO logs a subject access request, first forgetting the right', async () => {
  await clickAndNavigate(page.getByRole('button', { name: 'Log a request', exact: true }));
  await expectPath('/rights/new');
  await checkPage('the log-a-request form');
  await pickByFind('person_id', `${person.given_name} ${person.family_name}`, person.id);
  await page.getByLabel('What the request asks for').fill('A copy of everything you hold about me');
  await clickAndNavigate(page.getByRole('button', { name: 'Log the request', exact: true }));
  const summary = normaliseSpace(await page.locator('.govuk-error-summary').textContent());
  assert.ok(summary.includes('Choose the right being exercised'), `error summary says "${summary}"`);
  await checkPage('the log-a-request form with errors');

  await page.getByLabel('Access (a copy of their information)').check();
  await page.getByLabel('Day').fill('2');
  await page.getByLabel('Month').fill('11');
  await page.getByLabel('Year').fill('2026');
  await clickAndNavigate(page.getByRole('button', { name: 'Log the request', exact: true }));
  requestPath = new URL(page.url()).pathname;
  assert.match(requestPath, /^\/rights\/\d+$/);
  const banner = normaliseSpace(await page.locator('.govuk-notification-banner').textContent());
  assert.ok(banner.includes('Request logged'), `banner says "${banner}"`);
  await checkPage('the request page');
});

step('the DPO records that identity was confirmed', async () => {
  // One action at a time: the request lists them, each form on its own view.
  assert.equal(await page.getByRole('button', { name: 'Refuse the request' }).count(), 0, 'the request page stacks its forms');
  await clickAndNavigate(page.locator('#request-actions').getByRole('link', { name: 'Identity check', exact: true }));
  assert.equal(await h1Text(), 'Identity check');
  await checkPage('the identity check action');
  await page.getByLabel('How was identity confirmed?').fill('Photo ID and a recent utility bill seen at the office');
  await clickAndNavigate(page.getByRole('button', { name: 'Record identity as confirmed', exact: true }));
  const banner = normaliseSpace(await page.locator('.govuk-notification-banner').textContent());
  assert.ok(banner.includes('Identity check recorded'), `banner says "${banner}"`);
  const identity = normaliseSpace(await page.locator('.govuk-summary-list').textContent());
  assert.ok(identity.includes('Checked and confirmed'), `summary says "${identity}"`);
  await checkPage('the request page after the identity check');
  await clickAndNavigate(page.getByRole('link', { name: 'Back to rights requests', exact: true }));
  const list = normaliseSpace(await page.locator('main').textContent());
  assert.ok(list.includes(`${person.given_name} ${person.family_name}`), `work list lacks the request: "${list}"`);
  assert.ok(list.includes('2 December 2026'), `work list lacks the deadline: "${list}"`);
});

step('the DPO generates a draft bundle, reviews it, releases it and downloads it', async () => {
  await page.goto(`${baseUrl}${requestPath}`);
  await clickAndNavigate(page.getByRole('button', { name: 'Generate a draft for review', exact: true }));
  assert.match(currentPath(), /^\/rights\/drafts\/\d+$/, `the draft's review page, not ${page.url()}`);
  await checkPage('the access bundle review');
  await clickAndNavigate(page.getByRole('button', { name: 'Release the bundle', exact: true }));
  assert.ok(page.url().includes('done=released'), `released: ${page.url()}`);
  await checkPage('the released bundle');

  await page.goto(`${baseUrl}${requestPath}`);
  await clickAndNavigate(page.getByRole('link', { name: 'Printable copy', exact: true }));
  await expectPath(`${requestPath}/bundle`);
  assert.equal(await h1Text(), 'Your personal information');
  const text = normaliseSpace(await page.locator('main, body').first().textContent());
  assert.ok(text.includes(`${person.given_name}`), `the bundle lacks the person: "${text.slice(0, 400)}"`);
  assert.ok(text.includes('Information we have not included') && text.includes('Your rights'), 'the bundle has its withheld list and rights');
  // The printable copy is a standalone document without scripts, so only axe applies.
  await checkAccessibility('the printable access bundle');

  await page.goto(`${baseUrl}${requestPath}`);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download (zip of PDF, printable copy and JSON)', exact: true }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^access-bundle-.+\.zip$/);
  const zip = await readFile(await download.path());
  assert.equal(zip.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip archive');
  const names = zip.toString('latin1');
  assert.ok(names.includes('.pdf') && names.includes('.html') && names.includes('.json'), 'the zip holds the PDF, the printable copy and the JSON');
});

step('the DPO records a breach and sees the 72-hour clock', async () => {
  await clickAndNavigate(page.getByRole('link', { name: 'Breaches', exact: true }));
  await expectPath('/breaches');
  await checkPage('the breach register');
  await clickAndNavigate(page.getByRole('button', { name: 'Record a breach', exact: true }));
  await checkPage('the record-a-breach form');
  const now = new Date();
  await page.getByLabel('Incident', { exact: true }).fill('Rent statement sent to the wrong address');
  await page.getByLabel('What happened').fill('A rent statement for one tenant was posted to a neighbour, who returned it');
  await page.getByLabel('Day').fill(String(now.getUTCDate()));
  await page.getByLabel('Month').fill(String(now.getUTCMonth() + 1));
  await page.getByLabel('Year').fill(String(now.getUTCFullYear()));
  await page.getByLabel('Time discovered (UK time)').fill('00:00');
  await page.getByLabel('Income and money').check();
  await clickAndNavigate(page.getByRole('button', { name: 'Record the breach', exact: true }));
  assert.match(new URL(page.url()).pathname, /^\/breaches\/\d+$/);
  const clock = normaliseSpace(await page.locator('#reporting-clock').textContent());
  assert.ok(clock.startsWith('Decide within'), `clock says "${clock}"`);
  await checkPage('the breach page');
});
