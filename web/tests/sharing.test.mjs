// Browser test for sharing and disclosure: the DPO opens the data-sharing
// agreements, records one (first with nothing filled in), then opens the
// disclosure register and the record-a-request form. Every page visited is
// checked with axe-core against WCAG 2.2 AA.
//
// Run from the repo root after `cargo build -p hearth`:
//   HEARTH_BIN=$PWD/target/debug/hearth node --test web/tests/sharing.test.mjs

import assert from 'node:assert/strict';
import {
  useServer, step, page, baseUrl, DEMO_PASSWORD, normaliseSpace, h1Text, checkPage, clickAndNavigate, expectPath,
} from './harness.mjs';

useServer();

step('the DPO signs in and opens the sharing agreements', async () => {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill('dpo');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await clickAndNavigate(page.getByRole('link', { name: 'Sharing agreements', exact: true }));
  await expectPath('/sharing-agreements');
  assert.equal(await h1Text(), 'Data-sharing agreements');
  await checkPage('the agreements list');
});

step('the DPO records an agreement, first leaving it blank', async () => {
  await clickAndNavigate(page.getByRole('button', { name: 'Record an agreement', exact: true }));
  await expectPath('/sharing-agreements/new');
  await checkPage('the record-an-agreement form');
  await clickAndNavigate(page.getByRole('button', { name: 'Record the agreement', exact: true }));
  const summary = normaliseSpace(await page.locator('.govuk-error-summary').textContent());
  assert.ok(summary.length > 0, 'an error summary names what is missing');
  await checkPage('the record-an-agreement form with errors');

  await page.getByLabel('Partner', { exact: true }).fill('Pretend Plumbing Co-operative');
  await page.getByLabel('Repairs and maintenance contractor').check();
  await page.getByLabel('Purpose of the sharing').fill('Booking and carrying out responsive repairs');
  await page.getByLabel('Lawful basis').selectOption('contract');
  await page.getByLabel('Categories of data shared (one a line)').fill('name\naddress\nphone');
  await page.getByLabel('How data is sent').fill('Encrypted portal');
  await page.getByLabel('Security requirements').fill('Cyber Essentials Plus; data deleted when the job closes');
  // A whole date typed into the day box is read as day, month and year.
  await page.locator('#starts_on-day').fill('1/4/2026');
  await page.locator('#expires_on-day').fill('31');
  await page.locator('#expires_on-month').fill('3');
  await page.locator('#expires_on-year').fill('2029');
  await page.getByLabel('Owner (who answers for it here)').fill('dpo');
  await clickAndNavigate(page.getByRole('button', { name: 'Record the agreement', exact: true }));
  await expectPath('/sharing-agreements');
  const text = normaliseSpace(await page.locator('main').textContent());
  assert.ok(text.includes('Pretend Plumbing Co-operative'), `the list lacks the agreement: "${text.slice(0, 400)}"`);
  await checkPage('the agreements list with one agreement');
});

step('the DPO opens the disclosure register and its request form', async () => {
  await clickAndNavigate(page.getByRole('link', { name: 'Disclosures', exact: true }));
  await expectPath('/disclosures');
  await checkPage('the disclosure register');
  await clickAndNavigate(page.getByRole('button', { name: 'Record a disclosure request', exact: true }));
  await expectPath('/disclosures/new');
  assert.equal(await h1Text(), 'Record a disclosure request');
  await checkPage('the record-a-disclosure-request form');
});
