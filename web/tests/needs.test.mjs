// Browser test for needs and reasonable adjustments: the housing officer for
// a demo customer's patch records a hearing need with the customer's consent
// and a "call ahead" adjustment, sees the adjustments banner first on the
// person page, then opens a repair job for the customer and sees the same
// banner first on the job. Every page visited is checked with axe-core
// against WCAG 2.2 AA.
//
// Run from the repo root after `cargo build -p hearth`:
//   node --test web/tests/needs.test.mjs

import assert from 'node:assert/strict';
import {
  useServer, step, api, page, baseUrl, DEMO_PASSWORD, normaliseSpace, h1Text, checkPage, clickAndNavigate, expectPath, pickByTyping,
} from './harness.mjs';

const DETAIL = 'Hard of hearing; lip-reads and prefers a text before a visit'; // plainly made up
let person; // from the API
let fullName;
let propertyId;
let propertyPostcode;

useServer();

step('find a demo customer on the housing officer\'s patch through the API', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', {
    body: { username: 'housing.officer', password: DEMO_PASSWORD },
  });
  assert.equal(typeof token, 'string', 'auth/token response has no token');
  const people = await api('GET', '/api/v1/people?kind=adult&has_phone=true&limit=5', { token });
  assert.ok(people.items.length > 0, 'demo data has no adult with a phone number');
  person = people.items[0];
  fullName = `${person.given_name} ${person.family_name}`;
  const record = await api('GET', `/api/v1/people/${person.id}/record`, { token });
  propertyId = record.households?.[0]?.property?.id;
  propertyPostcode = record.households?.[0]?.property?.postcode;
  assert.ok(propertyId, `customer #${person.id} has no home: ${JSON.stringify(record.households)}`);
  const adjustments = await api('GET', `/api/v1/people/${person.id}/adjustments`, { token });
  assert.deepEqual(adjustments, [], 'the customer under test starts with no adjustments');
  console.log(`customer under test: #${person.id} ${fullName}, property #${propertyId}`);
});

step('housing officer signs in and opens the customer', async () => {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill('housing.officer');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectPath('/');

  const res = await page.goto(`${baseUrl}/people/${person.id}`);
  assert.equal(res.status(), 200);
  // Needs are a view of their own, reached from the record's sub-navigation.
  const nav = page.getByRole('navigation', { name: 'Sections of this record' });
  await clickAndNavigate(nav.getByRole('link', { name: 'Needs and adjustments', exact: true }));
  await page.getByRole('heading', { level: 2, name: 'Needs and adjustments', exact: true }).waitFor({ state: 'visible' });
  assert.equal(await page.locator('#adjustments-banner').count(), 0, 'no banner before any adjustment');
  await checkPage('the person page before any need');
});

step('records a hearing need with consent', async () => {
  await clickAndNavigate(page.getByRole('link', { name: 'Record a need', exact: true }));
  await expectPath(`/people/${person.id}/needs/new`);
  assert.equal(await h1Text(), 'Record a need');
  await checkPage('the record-a-need form');

  // First without the consent answer: the form says what is missing.
  await page.getByLabel('Kind of need', { exact: true }).selectOption({ label: 'Hearing' });
  await clickAndNavigate(page.getByRole('button', { name: 'Record the need', exact: true }));
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor({ state: 'visible' });
  const summaryText = normaliseSpace(await summary.textContent());
  assert.ok(summaryText.includes('consent to use this need to tailor services'), `error summary says "${summaryText}"`);
  await checkPage('the record-a-need form with errors');

  await page.getByLabel('Detail (optional)', { exact: true }).fill(DETAIL);
  await page.getByLabel('Where we learned of it', { exact: true }).selectOption({ label: 'Staff contact' });
  await page.getByLabel('How the person told us', { exact: true }).selectOption({ label: 'Phone' });
  await page.getByLabel('Long-term', { exact: true }).check();
  await page.getByLabel('Yes, they give consent', { exact: true }).check();
  await clickAndNavigate(page.getByRole('button', { name: 'Record the need', exact: true }));
  await expectPath(`/people/${person.id}`);
  const done = normaliseSpace(await page.locator('.govuk-notification-banner--success').textContent());
  assert.ok(done.includes('Need recorded'), `success banner says "${done}"`);
  assert.ok((await page.locator('body').innerText()).includes(DETAIL), 'the need is shown to its officer');
  await checkPage('the person page with a need');
});

step('adds a "call ahead" adjustment and sees the banner first on the person page', async () => {
  await clickAndNavigate(page.getByRole('link', { name: 'Add an adjustment for hearing', exact: true }));
  assert.equal(await h1Text(), 'Add a reasonable adjustment');
  await checkPage('the add-an-adjustment form');
  await page.getByLabel('Call ahead before visiting', { exact: true }).check();
  await clickAndNavigate(page.getByRole('button', { name: 'Add the adjustment', exact: true }));
  await expectPath(`/people/${person.id}`);

  const banner = page.locator('#adjustments-banner');
  await banner.waitFor({ state: 'visible' });
  const text = normaliseSpace(await banner.textContent());
  assert.ok(text.includes('Reasonable adjustments') && text.includes('Call ahead before visiting'), `banner says "${text}"`);
  assert.ok(!text.includes(DETAIL), 'the banner never shows the need itself');
  // First on the page: before the customer's name.
  const first = await page.evaluate(() => {
    const b = document.querySelector('#adjustments-banner');
    const h1 = document.querySelector('h1');
    return Boolean(b.compareDocumentPosition(h1) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(first, 'the adjustments banner comes before the heading');
  await checkPage('the person page with the adjustments banner');
});

step('opens a repair job for the customer and sees the banner on the job', async () => {
  const nav = page.getByRole('navigation', { name: 'Sections of this record' });
  await clickAndNavigate(nav.getByRole('link', { name: 'Summary', exact: true }));
  await clickAndNavigate(page.getByRole('link', { name: 'Open a case for this person', exact: true }));
  assert.equal(await h1Text(), 'What kind of case is it?');
  await page.getByLabel('Repair job', { exact: true }).check();
  await clickAndNavigate(page.getByRole('button', { name: 'Continue', exact: true }));
  assert.equal(await h1Text(), 'Open a repair job');
  assert.ok((await page.locator('main').innerText()).includes(fullName), 'the customer is chosen, by name');
  await checkPage('the open-a-repair form');
  await page.getByLabel('Summary', { exact: true }).fill('Kitchen tap will not turn off');
  await page.getByLabel('Trade', { exact: true }).selectOption({ label: 'Plumbing' });
  await pickByTyping('property_id', propertyPostcode, propertyId);
  await page.getByLabel('Their part in the case', { exact: true }).first().selectOption({ label: 'Subject' });
  await clickAndNavigate(page.getByRole('button', { name: 'Open the case', exact: true }));
  assert.match(new URL(page.url()).pathname, /^\/cases\/\d+$/);

  const banner = page.locator(`#adjustments-${person.id}`);
  await banner.waitFor({ state: 'visible' });
  const text = normaliseSpace(await banner.textContent());
  assert.ok(text.includes(`Reasonable adjustments: ${fullName}`) && text.includes('Call ahead before visiting'), `job banner says "${text}"`);
  await checkPage('the repair job page with the adjustments banner');

  await clickAndNavigate(page.getByRole('link', { name: 'Job sheet for the contractor', exact: true }));
  const sheet = await page.locator('main').innerText();
  assert.ok(sheet.includes('Call ahead before visiting') && !sheet.includes(DETAIL), 'the job sheet has the adjustment, not the need');
  await checkPage('the printable job sheet');
});

step('the housing officer\'s review work list shows the overdue demo need highlighted', async () => {
  await clickAndNavigate(page.getByRole('link', { name: 'Reviews due', exact: true }));
  await expectPath('/reviews');
  assert.equal(await h1Text(), 'Due for review');
  const overdueRow = page.locator('#reviews tr', { hasText: 'Need: Mobility' });
  await overdueRow.first().waitFor({ state: 'visible' });
  const rowText = normaliseSpace(await overdueRow.first().textContent());
  assert.ok(rowText.includes('Overdue'), `the overdue demo need is not highlighted: "${rowText}"`);
  await checkPage('the review work list');
});
