// Browser test for the home page ("Your work") and follow-ups: the
// contact-centre advisor logs a call on a demo customer's page with a
// follow-up for the housing officer, using the keyboard alone (the owner is
// chosen by name from a list, the due date typed into the GOV.UK date
// input); the housing officer signs in and finds it on their home page, the
// customer by name and the date in words, with "Home" marked as the current
// page and the search box in the header. Every page visited is checked with
// axe-core against WCAG 2.2 AA.
//
// Run from web/ after `cargo build -p hearth`:
//   node --test --test-concurrency=1 tests/home.test.mjs

import assert from 'node:assert/strict';
import {
  useServer, step, api, page, baseUrl, DEMO_PASSWORD, normaliseSpace, h1Text, checkPage, clickAndNavigate, expectPath, checkCaller,
} from './harness.mjs';

const SUMMARY = 'Reported a dripping overflow pipe'; // plainly made up
const ACTION = 'Arrange a plumber to look at the overflow';
let person;
let fullName;
// A week from today, as the form takes it and as the page words it.
const due = new Date(Date.now() + 7 * 24 * 3600 * 1000);
const dueWords = due.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

useServer();

async function signIn(username) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
}

step('find a demo customer through the API', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', { body: { username: 'housing.officer', password: DEMO_PASSWORD } });
  const people = await api('GET', '/api/v1/people?kind=adult&has_phone=true&limit=5', { token });
  assert.ok(people.items.length > 0, 'demo data has no adult with a phone number');
  person = people.items[0];
  fullName = `${person.given_name} ${person.family_name}`;
  console.log(`customer under test: #${person.id} ${fullName}`);
});

step('the advisor signs in, sees their home page and checks the caller', async () => {
  await signIn('advisor');
  const res = await page.goto(`${baseUrl}/`);
  assert.equal(res.status(), 200);
  assert.equal(await h1Text(), 'Your work');
  await checkPage("the advisor's home page");
  await page.goto(`${baseUrl}/people/${person.id}`);
  await checkCaller(person.id);
});

step('the advisor logs a call with a follow-up for the housing officer, keyboard only', async () => {
  const res = await page.goto(`${baseUrl}/people/${person.id}/contacts/new`);
  assert.equal(res.status(), 200);
  await checkPage('the log-a-contact form with its follow-up');
  let keys = 0;
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id || '', tag: el?.tagName || '', text: (el?.textContent || '').trim(), value: el?.value ?? '' };
  });
  const tabTo = async (pred, what) => {
    const seen = [];
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      keys++;
      const f = await focused();
      seen.push(f.id || f.tag);
      if (pred(f)) return;
    }
    assert.fail(`Tab never reached ${what}; focus went through: ${seen.join(', ')}`);
  };
  const type = async (text) => {
    await page.keyboard.type(text);
    keys += text.length;
  };
  await tabTo((f) => f.id === 'summary', 'the summary');
  await type(SUMMARY);
  await tabTo((f) => f.id === 'follow_up_action', 'the follow-up action');
  await type(ACTION);
  await tabTo((f) => f.id === 'follow_up_owner', 'the owner');
  // Chosen by name: typing on a list picks the first matching option.
  await type('Hollis');
  const owner = await page.evaluate(() => document.querySelector('#follow_up_owner').selectedOptions[0].textContent);
  assert.equal(owner, 'Hollis Officer (Housing officer)', 'the owner is chosen by name and role');
  await tabTo((f) => f.id === 'follow_up_due-day', 'the due day');
  await type(String(due.getDate()));
  await tabTo((f) => f.id === 'follow_up_due-month', 'the due month');
  await type(String(due.getMonth() + 1));
  await tabTo((f) => f.id === 'follow_up_due-year', 'the due year');
  await type(String(due.getFullYear()));
  await tabTo((f) => f.tag === 'BUTTON' && f.text === 'Log the contact', 'the Log the contact button');
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
    page.keyboard.press('Enter'),
  ]);
  keys++;
  await page.waitForLoadState('load');
  await expectPath(`/people/${person.id}`);
  const body = normaliseSpace(await page.locator('body').textContent());
  assert.ok(body.includes(SUMMARY) && body.includes(ACTION), 'the contact and its follow-up are on the person page');
  console.log(`log a call with a follow-up by keyboard alone: ${keys} key presses`);
  assert.ok(keys - SUMMARY.length - ACTION.length < 60, `too many key presses besides the text: ${keys}`);
  await checkPage('the person page after logging the call');
  await clickAndNavigate(page.getByRole('button', { name: 'Sign out', exact: true }));
  await expectPath('/login');
});

step('the housing officer finds the follow-up on their home page', async () => {
  await signIn('housing.officer');
  const res = await page.goto(`${baseUrl}/`);
  assert.equal(res.status(), 200);
  assert.equal(await h1Text(), 'Your work');
  const row = page.locator('#follow-ups tr', { hasText: ACTION });
  await row.waitFor({ state: 'visible' });
  const text = normaliseSpace(await row.textContent());
  assert.ok(text.includes(fullName) && text.includes(dueWords), `the row says "${text}"`);
  assert.ok(!text.includes('Overdue'), 'not yet due');
  const link = row.getByRole('link', { name: fullName, exact: true });
  assert.equal(await link.getAttribute('href'), `/people/${person.id}#contact-history`);
  const home = page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Home', exact: true });
  assert.equal(await home.getAttribute('aria-current'), 'page', 'Home is marked as the current page');
  await page.getByRole('search').getByLabel('Find a customer', { exact: true }).waitFor({ state: 'visible' });
  await checkPage("the housing officer's home page");

  // The header search box takes them straight to the results.
  await page.getByRole('search').getByLabel('Find a customer', { exact: true }).fill(person.family_name);
  await clickAndNavigate(page.getByRole('search').getByRole('button', { name: 'Search', exact: true }));
  await expectPath('/search');
  assert.ok(normaliseSpace(await page.locator('main').textContent()).includes(fullName), 'the customer is found');
  await checkPage('the search results from the header box');
});
