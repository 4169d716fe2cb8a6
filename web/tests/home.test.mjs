// Browser test for front-line work, keyboard only: the contact-centre
// advisor signs in and lands on their home page, finds a demo tenant by
// phone number (typed in the +44 form, which the search folds to the
// number held) from the header's search box, opens the result, checks the
// caller, and logs a call with a follow-up for the housing officer (the
// owner chosen by name from a list, the due date typed into the GOV.UK
// date input); the tenant is then among the advisor's recently viewed
// people. The housing officer signs in and finds the follow-up on their
// home page, the customer by name and the date in words, with "Home"
// marked as the current page and the search box in the header. The key
// presses besides the text typed are counted, printed and held under a
// figure. Every page visited is checked with axe-core against WCAG 2.2 AA.
//
// Run from web/ after `cargo build -p hearth`:
//   node --test --test-concurrency=1 tests/home.test.mjs

import assert from 'node:assert/strict';
import {
  useServer, step, api, page, baseUrl, DEMO_PASSWORD, normaliseSpace, h1Text, checkPage, clickAndNavigate, expectPath, checkCaller,
} from './harness.mjs';

const SUMMARY = 'Reported a dripping overflow pipe'; // plainly made up
const ACTION = 'Arrange a plumber to look at the overflow';
// The most key presses, besides the text typed, from the home page to the
// logged call: Tab and Enter through the header, the results and the forms.
const MAX_KEYS = 90;
let person;
let fullName;
let typedPhone;
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

// Keyboard only: every key press is counted; text typed is counted apart.
let keys = 0;
let typed = 0;
const focused = () => page.evaluate(() => {
  const el = document.activeElement;
  return {
    id: el?.id || '', tag: el?.tagName || '', text: (el?.textContent || '').trim(), value: el?.value ?? '', href: el?.getAttribute?.('href') || '',
  };
});
async function tabTo(pred, what) {
  const seen = [];
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    keys++;
    const f = await focused();
    seen.push(f.id || f.href || f.tag);
    if (pred(f)) return;
  }
  assert.fail(`Tab never reached ${what}; focus went through: ${seen.join(', ')}`);
}
async function type(text) {
  await page.keyboard.type(text);
  keys += text.length;
  typed += text.length;
}
async function enterAndNavigate() {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
    page.keyboard.press('Enter'),
  ]);
  keys++;
  await page.waitForLoadState('load');
}

step('find a demo tenant with a phone number of their own through the API', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', { body: { username: 'dpo', password: DEMO_PASSWORD } });
  const people = await api('GET', '/api/v1/people?kind=adult&has_phone=true&limit=40', { token });
  for (const p of people.items) {
    const points = await api('GET', `/api/v1/people/${p.id}/contact-points`, { token });
    const phone = points.find((c) => c.kind === 'phone');
    if (!phone) continue;
    const found = await api('GET', `/api/v1/people/search?q=${encodeURIComponent(phone.value)}`, { token });
    if (found.items.length !== 1 || found.items[0].role !== 'tenant') continue;
    person = p;
    // Typed as a caller gives it from abroad: +44 and no leading 0.
    const digits = phone.value.replace(/\D/g, '');
    typedPhone = digits.startsWith('0') ? `+44 ${digits.slice(1, 5)} ${digits.slice(5)}` : phone.value;
    break;
  }
  assert.ok(person, 'demo data has no tenant with a phone number nobody else has');
  fullName = `${person.given_name} ${person.family_name}`;
  console.log(`customer under test: #${person.id} ${fullName}, found by ${typedPhone}`);
});

step('the advisor lands on their home page and finds the tenant by phone number, keyboard only', async () => {
  await signIn('advisor');
  await expectPath('/');
  assert.equal(await h1Text(), 'Your work');
  await checkPage("the advisor's home page");
  await tabTo((f) => f.id === 'header-search', "the header's search box");
  await type(typedPhone);
  await enterAndNavigate();
  await expectPath('/search');
  const results = page.getByRole('table');
  await results.first().waitFor({ state: 'visible' });
  assert.equal(await results.locator('tbody tr').count(), 1, 'one person has that number');
  await checkPage('the search results for a phone number');
  // The results page's own field has the focus; the result follows its button.
  await tabTo((f) => f.tag === 'A' && f.href === `/people/${person.id}`, 'the result');
  assert.equal((await focused()).text, fullName);
  await enterAndNavigate();
  await expectPath(`/people/${person.id}`);
  await checkCaller(person.id);
});

step('the advisor logs a call with a follow-up for the housing officer, keyboard only', async () => {
  await tabTo((f) => f.tag === 'A' && f.text === 'Log a contact', 'the Log a contact link');
  await enterAndNavigate();
  await expectPath(`/people/${person.id}/contacts/new`);
  await checkPage('the log-a-contact form with its follow-up');
  await tabTo((f) => f.id === 'reason', 'the reason for contact');
  await type('A r');
  const reason = await page.evaluate(() => document.querySelector('#reason').selectedOptions[0].textContent);
  assert.equal(reason, 'A repair', 'the reason is chosen by typing its words');
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
  await enterAndNavigate();
  await expectPath(`/people/${person.id}`);
  const body = normaliseSpace(await page.locator('body').textContent());
  assert.ok(body.includes(SUMMARY) && body.includes(ACTION), 'the contact and its follow-up are on the person page');
  assert.ok(body.includes('A repair'), 'with the reason for contact');
  console.log(`home page to a logged call with a follow-up, keyboard alone: ${keys - typed} key presses besides ${typed} characters typed`);
  assert.ok(keys - typed < MAX_KEYS, `too many key presses besides the text: ${keys - typed} (at most ${MAX_KEYS - 1})`);
  await checkPage('the person page after logging the call');

  // Back home, the tenant is the first of the people they opened lately.
  await clickAndNavigate(page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Home', exact: true }));
  const recent = page.locator('h2', { hasText: 'Recently viewed people' }).locator('xpath=following-sibling::ul[1]');
  const first = recent.getByRole('link').first();
  assert.equal(normaliseSpace(await first.textContent()), fullName);
  assert.equal(await first.getAttribute('href'), `/people/${person.id}`);
  await checkPage("the advisor's home page with the people they opened");
  await clickAndNavigate(page.getByRole('button', { name: 'Sign out', exact: true }));
  await expectPath('/login');
});

step('the housing officer finds the follow-up on their home page', async () => {
  await signIn('housing.officer');
  await expectPath('/');
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
