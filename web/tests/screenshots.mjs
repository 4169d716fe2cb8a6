// Takes the screenshots in docs/screenshots/ (referenced from the README):
// the home, search, person and case pages of the demo, as a housing
// officer sees them. Not part of the test suite (its name does not end in
// .test.mjs); run it from web/ after `cargo build -p hearth` when pages change:
//   node --test tests/screenshots.mjs

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useServer, step, api, page, baseUrl, DEMO_PASSWORD, clickAndNavigate } from './harness.mjs';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

useServer();

async function shoot(name) {
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: false });
  console.log(`wrote docs/screenshots/${name}.png`);
}

step('screenshots of the main pages', async () => {
  const { token } = await api('POST', '/api/v1/auth/token', { body: { username: 'housing.officer', password: DEMO_PASSWORD } });
  const people = await api('GET', '/api/v1/people?kind=adult&has_phone=true&limit=1', { token });
  const person = people.items[0];
  const cases = await api('GET', '/api/v1/cases?limit=1', { token });
  assert.ok(person && cases.items.length, 'the demo has a person and a case');

  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill('housing.officer');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));

  await page.goto(`${baseUrl}/`);
  await shoot('home');
  await page.goto(`${baseUrl}/search?q=${encodeURIComponent(person.family_name)}`);
  await shoot('search');
  await page.goto(`${baseUrl}/people/${person.id}`);
  await shoot('person');
  await page.goto(`${baseUrl}/cases/${cases.items[0].id}`);
  await shoot('case');
});
