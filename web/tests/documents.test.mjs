// Browser test for documents: a contact-centre advisor opens a demo
// customer, tries to upload a file that is not a PDF under a .pdf name and is
// told why on the form, then uploads a real (tiny, synthetic) PDF and sees it
// listed under Documents on the person page with a download link. Every page
// visited is checked with axe-core against WCAG 2.2 AA.
//
// Run from the repo root after `cargo build`:   node --test web/tests/documents.test.mjs

import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  useServer, step, api, page, baseUrl, tmpDir, DEMO_PASSWORD, normaliseSpace, h1Text, checkPage, clickAndNavigate, expectPath, checkCaller,
} from './harness.mjs';

const PDF = '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n';
const TITLE = 'Signed repair agreement';

let person;

useServer();

step('find a demo customer through the API', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', { body: { username: 'advisor', password: DEMO_PASSWORD } });
  const people = await api('GET', '/api/v1/people?kind=adult&limit=1', { token });
  assert.ok(people.items.length > 0, 'demo data has no adult');
  person = people.items[0];
});

step('advisor signs in and opens the upload form from the person page', async () => {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill('advisor');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await expectPath('/');
  await page.goto(`${baseUrl}/people/${person.id}`);
  await checkCaller(person.id);
  const nav = page.getByRole('navigation', { name: 'Sections of this record' });
  await clickAndNavigate(nav.getByRole('link', { name: 'Documents', exact: true }));
  await page.getByRole('heading', { level: 2, name: 'Documents', exact: true }).waitFor({ state: 'visible' });
  await clickAndNavigate(page.getByRole('link', { name: 'Upload a document', exact: true }));
  await expectPath(`/people/${person.id}/documents/new`);
  assert.equal(await h1Text(), 'Upload a document');
  await checkPage('the upload form');
});

step('a file that is not a PDF is refused on the form', async () => {
  const fake = path.join(tmpDir, 'not-really.pdf');
  await fsp.writeFile(fake, '<html><body>not a PDF</body></html>');
  await page.getByLabel('File', { exact: true }).setInputFiles(fake);
  await clickAndNavigate(page.getByRole('button', { name: 'Upload the document', exact: true }));
  const summary = page.locator('.govuk-error-summary');
  await summary.waitFor({ state: 'visible' });
  const text = normaliseSpace(await summary.textContent());
  assert.ok(text.includes('The file must be a PDF, a PNG or JPEG image, or an email'), `error summary says "${text}"`);
  await checkPage('the upload form with an error');
});

step('advisor uploads a PDF and sees it listed with a download link', async () => {
  const pdf = path.join(tmpDir, 'repair-agreement.pdf');
  await fsp.writeFile(pdf, PDF);
  await page.getByLabel('File', { exact: true }).setInputFiles(pdf);
  await page.getByLabel('Title (optional)', { exact: true }).fill(TITLE);
  await clickAndNavigate(page.getByRole('button', { name: 'Upload the document', exact: true }));
  await expectPath(`/people/${person.id}`);
  const banner = normaliseSpace(await page.locator('.govuk-notification-banner').first().textContent());
  assert.ok(banner.includes('Document uploaded'), `banner says "${banner}"`);
  const table = page.locator('#documents');
  await table.waitFor({ state: 'visible' });
  const row = normaliseSpace(await table.textContent());
  assert.ok(row.includes(TITLE) && row.includes('PDF document'), `documents table says "${row}"`);
  const link = table.getByRole('link', { name: `Download ${TITLE}`, exact: true });
  const href = await link.getAttribute('href');
  assert.match(href, /^\/documents\/\d+\/download$/);
  const res = await page.request.get(`${baseUrl}${href}`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-disposition'], /^attachment;/);
  assert.equal(await res.text(), PDF);
  await checkPage('the person page with a document');
});
