// End-to-end browser test for Hearth: a contact-centre advisor signs in, finds
// a customer, checks the caller (memorable word and name), changes their phone number (first with an invalid value), breaks
// the glass to read the customer's history, and signs out; the DPO then
// reviews that break-glass; an ASB officer then opens a case with an
// anonymous reporter, logs a contact and closes it; finally the advisor logs
// a phone call, an attempted call and a no-access appointment on the
// customer's page and sees them in its Contact history, then logs one more
// with the keyboard alone. Every page visited
// is checked with axe-core against WCAG 2.2 AA.
//
// Run from the repo root after `cargo build`:   node --test web/tests/*.test.mjs
// (the server and browser set-up is in harness.mjs).

import assert from 'node:assert/strict';
import path from 'node:path';
import {
  useServer, step, api, page, baseUrl, tmpDir, DEMO_PASSWORD, normaliseSpace, currentPath, h1Text, checkPage,
  clickAndNavigate, expectPath, checkCaller, pickByFind, pickByTyping,
} from './harness.mjs';

const NEW_PHONE = '01632 960 123'; // Ofcom drama range: plainly fake
const INVALID_PHONE = 'not a phone';
const BREAK_GLASS_REASON = 'Caller reports a break-in; checking who changed the record';

let person; // {id, given_name, family_name, ...} from the API
let fullName;

useServer();
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
  // Staff land on their home page, and find customers from the menu (or the header's box).
  await expectPath('/');
  await clickAndNavigate(page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Find a customer', exact: true }));
  await expectPath('/search');
  assert.ok((await h1Text()).includes('Find a customer'), `search page h1 is "${await h1Text()}"`);
  await checkPage('the search page');
});

step('advisor searches by family name and opens the customer', async () => {
  await page.getByLabel('Name, phone number, email address, date of birth, postcode or tenancy reference').fill(person.family_name);
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
  // The summary comes first; each part of the record is a view of its own.
  const nav = page.getByRole('navigation', { name: 'Sections of this record' });
  assert.equal(await nav.locator('[aria-current="page"]').textContent(), 'Summary', 'the summary is the current view');
  await clickAndNavigate(nav.getByRole('link', { name: 'Personal details', exact: true }));
  assert.equal(currentPath(), `/people/${person.id}`);
  assert.equal(await nav.locator('[aria-current="page"]').textContent(), 'Personal details');
  // Only the name until the caller is checked: no phone number to read out.
  const unchecked = normaliseSpace(await page.locator('main').textContent());
  assert.ok(unchecked.includes('Shown once the caller has been checked'), 'contact details are hidden before the check');
  await checkPage('the personal details view before the caller check');
  await clickAndNavigate(nav.getByRole('link', { name: 'Summary', exact: true }));
  await checkCaller(person.id);
  await page.getByRole('heading', { level: 2, name: 'Next actions', exact: true }).waitFor({ state: 'visible' });
  await checkPage('the person page summary');
  // Reflow (WCAG 1.4.10): at 320 CSS pixels the summary and its sub-navigation need no sideways scrolling.
  await page.setViewportSize({ width: 320, height: 900 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.ok(width <= 320, `the summary is ${width} pixels wide at 320`);
  await clickAndNavigate(nav.getByRole('link', { name: 'Personal details', exact: true }));
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
  await expectPath('/');
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
  await expectPath('/');
  await clickAndNavigate(page.getByRole('link', { name: 'Cases', exact: true }));
  await expectPath('/cases');
  assert.equal(await h1Text(), 'Your cases');
  await checkPage('the case list');
});

step('ASB officer is told what is missing on the open-a-case form', async () => {
  await clickAndNavigate(page.getByRole('button', { name: 'Open a case', exact: true }));
  await expectPath('/cases/new');
  assert.equal(await h1Text(), 'What kind of case is it?');
  await checkPage('the choose-a-kind step');
  await page.getByLabel('Anti-social behaviour', { exact: true }).check();
  await clickAndNavigate(page.getByRole('button', { name: 'Continue', exact: true }));
  assert.equal(await h1Text(), 'Open an anti-social behaviour case');
  await checkPage('the open-a-case form');

  await clickAndNavigate(page.getByRole('button', { name: 'Open the case', exact: true }));
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor({ state: 'visible' });
  const text = normaliseSpace(await summary.textContent());
  assert.ok(/summary/i.test(text), `error summary does not mention the summary: "${text}"`);
  await checkPage('the open-a-case form with an error');
});

step('ASB officer opens an ASB case with an anonymous reporter', async () => {
  // People are chosen by search, never by number: once without JavaScript's help, once as you type.
  await pickByFind('party0_person_id', `${reporter.given_name} ${reporter.family_name}`, reporter.id);
  await checkPage('the open-a-case form with matches to choose from');
  await pickByTyping('party1_person_id', `${perpetrator.given_name} ${perpetrator.family_name}`, perpetrator.id);
  await page.getByLabel('Summary', { exact: true }).fill(CASE_SUMMARY);
  const me = await page.locator('#assigned_to option', { hasText: 'you)' }).getAttribute('value');
  await page.locator('#assigned_to').selectOption(me);
  await page.locator('#party0_role').selectOption('reporter');
  await page.locator('#party0_anonymous').check();
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
  // One action at a time: the case lists them, each form on its own view.
  assert.equal(await page.getByRole('button', { name: 'Close the case' }).count(), 0, 'the case page stacks its forms');
  await clickAndNavigate(page.locator('#case-actions').getByRole('link', { name: 'Log a contact', exact: true }));
  assert.equal(await h1Text(), 'Log a contact');
  await checkPage('the log-a-contact action of a case');
  await page.getByLabel('What happened', { exact: true }).fill(CASE_CONTACT);
  await clickAndNavigate(page.getByRole('button', { name: 'Log the contact', exact: true }));
  await expectPath(casePath);
  assert.ok((await page.locator('body').innerText()).includes('Contact logged'), 'no "Contact logged" banner');
  await checkPage('the case page after logging a contact');

  await clickAndNavigate(page.locator('#case-actions').getByRole('link', { name: 'Close the case', exact: true }));
  await page.getByLabel('Resolved', { exact: true }).check();
  await clickAndNavigate(page.getByRole('button', { name: 'Close the case', exact: true }));
  await expectPath(casePath);
  const statusRow = page.locator('.govuk-summary-list__row').filter({ hasText: 'Status' }).first();
  assert.equal(normaliseSpace(await statusRow.locator('dd').textContent()), 'Closed');
  const timeline = normaliseSpace(await page.locator('#timeline').textContent());
  for (const entry of [CASE_SUMMARY, CASE_CONTACT, 'Closed: Resolved']) {
    assert.ok(timeline.includes(entry), `timeline lacks "${entry}": ${timeline}`);
  }
  // Only asking to reveal the reporter outlives the case; nothing changes a closed case.
  for (const action of ['Assign the case', 'Log a contact', 'Close the case']) {
    assert.equal(await page.getByRole('link', { name: action, exact: true }).count(), 0, `a closed case still offers "${action}"`);
  }
  // Newest first, as the contact history is.
  assert.ok(timeline.indexOf('Closed: Resolved') < timeline.indexOf(CASE_CONTACT), `the timeline is not newest first: ${timeline}`);
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
  await expectPath('/');
  const res = await page.goto(`${baseUrl}/people/${person.id}`);
  assert.equal(res.status(), 200, `GET the person page returned HTTP ${res.status()}`);
  await checkCaller(person.id);
  const nav = page.getByRole('navigation', { name: 'Sections of this record' });
  await clickAndNavigate(nav.getByRole('link', { name: 'Contact history', exact: true }));
  await page.getByRole('heading', { level: 2, name: 'Contact history', exact: true }).waitFor({ state: 'visible' });
  await checkPage('the person page with its contact history');
});

step('advisor logs a phone call', async () => {
  await openLogContactForm();
  await checkPage('the log-a-contact form');
  assert.ok(await page.getByLabel('Inbound call', { exact: true }).isChecked(), 'inbound call is not the default');
  // An inbound call asks nothing about voicemails or appointment outcomes: those questions stay hidden.
  assert.ok(!(await page.locator('#voicemail_left').isVisible()), 'the voicemail question shows for an inbound call');
  assert.ok(!(await page.getByLabel('Attended', { exact: true }).isVisible()), 'the appointment outcome shows for an inbound call');
  await page.getByLabel('Summary', { exact: true }).fill(CONTACT_CALL);
  await submitContact();
  await checkPage('the person page after logging a call');
});

step('advisor is asked about the voicemail, then logs an attempted call', async () => {
  await openLogContactForm();
  await page.getByLabel('Attempted call', { exact: true }).check();
  await page.locator('#voicemail_left').waitFor({ state: 'visible' });
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
  // An answer to a question that no longer applies is not sent: the outcome
  // chosen for an appointment is dropped once the channel is changed back.
  await page.getByLabel('Appointment', { exact: true }).check();
  await page.getByLabel('Attended', { exact: true }).check();
  await page.getByLabel('Inbound call', { exact: true }).check();
  assert.ok(!(await page.getByLabel('Attended', { exact: true }).isVisible()), 'the outcome is hidden again');
  await page.getByLabel('Appointment', { exact: true }).check();
  await page.getByLabel('Summary', { exact: true }).fill(CONTACT_APPOINTMENT);
  await page.getByLabel('No access', { exact: true }).check();
  await checkPage('the log-a-contact form with an appointment outcome revealed');
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
});

const CONTACT_KEYBOARD = 'Asked for a rent statement by post';

// The log-a-contact form must work from the keyboard alone: Tab reaches
// every field in order and Enter on the button submits. Keystrokes are
// counted and printed (speed targets are not asserted in tests).
step('advisor logs a contact using only the keyboard', async () => {
  const res = await page.goto(`${baseUrl}/people/${person.id}/contacts/new`);
  assert.equal(res.status(), 200);
  await expectPath(`/people/${person.id}/contacts/new`);
  let keys = 0;
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id || '', tag: el?.tagName || '', text: (el?.textContent || '').trim() };
  });
  const tabUntil = async (pred, what) => {
    const seen = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      keys++;
      const f = await focused();
      seen.push(f.id || f.tag);
      if (pred(f)) return seen;
    }
    assert.fail(`Tab never reached ${what}; focus went through: ${seen.join(', ')}`);
  };
  const before = await tabUntil((f) => f.id === 'summary', 'the summary');
  assert.ok(before.includes('channel'), `the channel comes before the summary in tab order: ${before.join(', ')}`);
  await page.keyboard.type(CONTACT_KEYBOARD);
  keys += CONTACT_KEYBOARD.length;
  await tabUntil((f) => f.tag === 'BUTTON' && f.text === 'Log the contact', 'the Log the contact button');
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
    page.keyboard.press('Enter'),
  ]);
  keys++;
  await page.waitForLoadState('load');
  await expectPath(`/people/${person.id}`);
  const history = normaliseSpace(await page.locator('body').textContent());
  assert.ok(history.includes(CONTACT_KEYBOARD), 'the keyboard-logged contact is on the timeline');
  console.log(`log-a-contact by keyboard alone: ${keys} keystrokes (${keys - CONTACT_KEYBOARD.length} besides the summary text)`);
  await checkPage('the person page after logging by keyboard');

  await clickAndNavigate(page.getByRole('button', { name: 'Sign out', exact: true }));
  await expectPath('/login');
});
