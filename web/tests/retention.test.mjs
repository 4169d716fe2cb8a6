// Browser test for the DPO's retention page: the DPO signs in, opens
// Retention from the navigation, tries to place a legal hold without a
// reason (GOV.UK errors), places one on a demo customer, sees it listed and
// releases it. Every page visited is checked with axe-core (WCAG 2.2 AA).
//
// Run from the repo root after `cargo build`:   node --test web/tests/retention.test.mjs

import assert from 'node:assert/strict';
import {
  useServer, step, api, page, baseUrl, DEMO_PASSWORD, h1Text, checkPage, clickAndNavigate, expectPath, pickByTyping,
} from './harness.mjs';

const REASON = 'Disrepair claim pending in the county court';
let person;

useServer();

step('find a demo customer through the API', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', { body: { username: 'dpo', password: DEMO_PASSWORD } });
  const people = await api('GET', '/api/v1/people?kind=adult&limit=1', { token });
  person = people.items[0];
  assert.ok(person && person.id, 'demo data has an adult');
});

step('the DPO signs in and opens Retention', async () => {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill('dpo');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectPath('/');
  await clickAndNavigate(page.getByRole('link', { name: 'Retention', exact: true }));
  await expectPath('/retention');
  assert.equal(await h1Text(), 'Retention and disposal');
  for (const heading of ['Upcoming disposals', 'Legal holds', 'Last runs', 'Disposal certificates', 'The schedule']) {
    assert.ok(await page.getByRole('heading', { name: heading }).isVisible(), `${heading} shown`);
  }
  await checkPage('the retention page');
});

step('a hold without a reason is refused with an error summary', async () => {
  await page.getByText('Place a legal hold').click();
  await page.getByLabel("A person's records").check();
  await pickByTyping('person_id', `${person.given_name} ${person.family_name}`, person.id);
  await clickAndNavigate(page.getByRole('button', { name: 'Place the hold' }));
  const summary = page.locator('.govuk-error-summary');
  assert.ok(await summary.isVisible(), 'error summary shown');
  assert.match(await summary.innerText(), /Give the reason for the hold/);
  await checkPage('the retention page with errors');
});

step('the DPO places the hold and then releases it', async () => {
  await page.getByLabel('Why must disposal wait?').fill(REASON);
  await clickAndNavigate(page.getByRole('button', { name: 'Place the hold' }));
  await expectPath('/retention');
  assert.ok(await page.getByText('Legal hold placed').isVisible());
  assert.ok(await page.getByRole('cell', { name: REASON }).isVisible(), 'the hold is listed');
  await checkPage('the retention page after placing a hold');
  await clickAndNavigate(page.getByRole('button', { name: /^Release/ }));
  assert.ok(await page.getByText('Legal hold released').isVisible());
  assert.ok(await page.getByText('No legal holds are in force.').isVisible());
  await checkPage('the retention page after releasing the hold');
});
