// Browser test for the equality analyst's dashboards: the server runs with
// an equality key, so the demo data includes sealed equality answers. The
// analyst signs in, opens the coverage and service-equity dashboards from the
// navigation, sees server-rendered SVG charts (role="img", titled) beside
// their tables, and downloads both tables as CSV with no small count in them.
// Every page is checked with axe-core (WCAG 2.2 AA).
//
// Run from the repo root after `cargo build`:   node --test web/tests/edi.test.mjs

import assert from 'node:assert/strict';
import {
  useServer, step, page, context, baseUrl, DEMO_PASSWORD, h1Text, checkPage, clickAndNavigate, expectPath,
} from './harness.mjs';

// Synthetic test key: 32 bytes of 0x5a. Never a real one.
useServer({ env: { HEARTH_EDI_KEY: '5a'.repeat(32) } });

/// Every published count in a CSV column is "[c]" or a rounded count that is not small.
function assertNoSmallCounts(csv, countColumns) {
  const lines = csv.trim().split(/\r?\n/);
  assert.ok(lines.length > 2, `a header and rows: ${csv}`);
  const header = lines[0].split(',');
  const columns = countColumns.map((name) => header.indexOf(name));
  assert.ok(columns.every((i) => i >= 0), `columns ${countColumns} in ${header}`);
  let suppressed = 0;
  for (const line of lines.slice(1)) {
    // Labels may be quoted with commas inside; counts are the last plain fields, so split from the right.
    const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g).map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''));
    for (const i of columns) {
      const v = cells[i];
      if (v === '[c]') {
        suppressed += 1;
        continue;
      }
      assert.match(v, /^\d+$/, `a count or [c] in ${line}`);
      const n = Number(v);
      assert.ok(n === 0 || (n > 7 && n % 5 === 0), `no small or unrounded count: ${n} in ${line}`);
    }
  }
  return suppressed;
}

step('the equality analyst signs in and opens the coverage dashboard', async () => {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill('edi.analyst');
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await clickAndNavigate(page.getByRole('button', { name: 'Sign in', exact: true }));
  await clickAndNavigate(page.getByRole('link', { name: 'Equality coverage', exact: true }));
  await expectPath('/edi/coverage');
  assert.equal(await h1Text(), 'Equality monitoring coverage');
  const chart = page.locator('svg[role="img"]#coverage-chart');
  assert.ok(await chart.isVisible(), 'the coverage chart is drawn');
  assert.equal(await chart.locator('title').textContent(), 'Equality monitoring coverage by characteristic');
  assert.ok((await chart.locator('rect.hearth-chart__bar').count()) > 0, 'with bars for the demo answers');
  assert.ok(await page.getByRole('img', { name: 'Equality monitoring coverage by characteristic' }).isVisible());
  assert.ok(await page.getByRole('table', { name: 'Coverage by characteristic' }).isVisible(), 'the table beside it');
  assert.ok(await page.getByText('[c] means suppressed', { exact: false }).isVisible(), 'the legend');
  await checkPage('the coverage dashboard');
});

step('the coverage table downloads as CSV with suppression applied', async () => {
  const href = await page.getByRole('link', { name: 'Download this table as CSV' }).getAttribute('href');
  assert.equal(href, '/edi/coverage.csv');
  const res = await context.request.get(`${baseUrl}${href}`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-type'], /^text\/csv/);
  const csv = await res.text();
  assert.match(csv, /^characteristic,recorded,prefer_not_to_say,not_asked,total\r\n/);
  assertNoSmallCounts(csv, ['recorded', 'prefer_not_to_say', 'not_asked', 'total']);
});

step('the service-equity dashboard shows a chart per characteristic', async () => {
  await clickAndNavigate(page.getByRole('link', { name: 'Service equity', exact: true }).first());
  await expectPath('/edi/equity');
  assert.equal(await h1Text(), 'Service equity');
  const charts = page.locator('svg.hearth-chart[role="img"]');
  assert.equal(await charts.count(), 12, 'one chart per characteristic');
  const ethnicity = page.locator('svg#equity-chart-ethnicity');
  assert.equal(await ethnicity.locator('title').textContent(), 'People in each group: ethnic group');
  assert.ok(await page.getByRole('img', { name: 'People in each group: ethnic group' }).isVisible());
  // Suppressed groups appear as [c], never as a bar.
  const suppressedText = await ethnicity.locator('text.hearth-chart__suppressed').count();
  const bars = await ethnicity.locator('rect.hearth-chart__bar').count();
  const rows = await page.locator('#equity-ethnicity tbody tr').count();
  assert.ok(suppressedText + bars <= rows, 'at most one mark per group');
  assert.ok(await page.getByRole('table', { name: /Groups and outcome measures: ethnic group/ }).isVisible());
  await checkPage('the service-equity dashboard');
});

step('the service-equity tables download as CSV with suppression applied', async () => {
  const href = await page.getByRole('link', { name: 'Download every table as CSV' }).getAttribute('href');
  const res = await context.request.get(`${baseUrl}${href}`);
  assert.equal(res.status(), 200);
  const csv = await res.text();
  assert.match(csv, /^characteristic,group,people,contacts_per_person,/);
  assertNoSmallCounts(csv, ['people']);
});
