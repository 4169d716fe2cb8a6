// UI sweep: signs in as every demo role, crawls the pages reachable by links
// from the home page (breadth first, bounded), and fails on any page that
//   - has a form field asking for an internal id ("Person ID", a text box
//     named *_id),
//   - shows an id as a name ("Person 4", "Need 1", "staff account 3"),
//   - shows a snake_case value or an ISO date or timestamp in visible text,
//   - is wider than the screen at 320 CSS pixels (reflow, WCAG 1.4.10),
//   - has an axe-core violation (WCAG 2.2 AA).
// Every problem found is listed before the test fails, so one run shows all.
//
// Run from web/ after `cargo build -p hearth`:
//   node --test --test-concurrency=1 tests/sweep.test.mjs

import assert from 'node:assert/strict';
import { useServer, step, page, context, baseUrl, DEMO_PASSWORD, checkAccessibility } from './harness.mjs';

// One account per role, as crates/hearth/src/demo.rs makes them.
const ROLES = [
  'advisor', 'housing.officer', 'asb.officer', 'safeguarding.lead', 'independent.living', 'income.officer',
  'manager', 'edi.analyst', 'dpo', 'admin', 'contractor', 'supplier.support',
];
const MAX_PAGES_PER_ROLE = Number(process.env.SWEEP_PAGES || 40);
// Links the crawl does not follow: downloads, machine-readable answers, sign-out.
const SKIP = /\/(download|sign-out|logout)\b|\.(csv|pdf|json|zip)(\?|$)|\/api\/|\/assets\/|\/scim\//;

useServer();

// The shape of a URL: numbers become ":n", so one person's page stands for all.
function pattern(url) {
  const u = new URL(url);
  const params = [...u.searchParams.keys()].filter((k) => !['after', 'done'].includes(k)).sort();
  const path = u.pathname.replace(/\/\d+(?=\/|$)/g, '/:n');
  return params.length ? `${path}?${params.map((k) => `${k}=${/^\d+$/.test(u.searchParams.get(k)) ? ':n' : u.searchParams.get(k)}`).join('&')}` : path;
}

async function signIn(username) {
  await context.clearCookies();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
}

// What a page shows that it should not, as sentences naming the evidence.
async function pageProblems() {
  return page.evaluate(() => {
    const problems = [];
    const visible = (el) => {
      if (el.type === 'hidden') return false;
      const s = getComputedStyle(el);
      return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
    };
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (!visible(el) || ['radio', 'checkbox', 'submit', 'button'].includes(el.type)) continue;
      const label = (el.labels?.[0]?.textContent || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
      const asksForNumber = ['text', 'number', 'search', 'tel'].includes(el.type) || el.tagName === 'INPUT';
      if (asksForNumber && el.tagName === 'INPUT' && /(^|_)ids?$/i.test(el.name)) problems.push(`a text box named ${el.name} ("${label}") asks for an id`);
      if (/\bIDs?\b|\b(person|case|property|record|staff) (numbers?|no\.?)(?!\w)/i.test(label)) problems.push(`a field labelled "${label}" asks for an id`);
    }
    // Visible text only: not scripts, styles, or what is typed into fields.
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode(n) {
        const p = n.parentElement;
        if (!p || p.closest('script, style, textarea, noscript, template, [hidden]')) return NodeFilter.FILTER_REJECT;
        return visible(p) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
      },
    });
    while (walker.nextNode()) texts.push(walker.currentNode.textContent.replace(/\s+/g, ' '));
    // Each text node alone: a label and its value ("Property" then "118 High St") are not one phrase.
    const report = (what, re) => {
      const found = [...new Set(texts.flatMap((t) => t.match(re) || []))];
      if (found.length) problems.push(`${what}: ${found.slice(0, 5).map((f) => `"${f}"`).join(', ')}`);
    };
    report('snake_case values in visible text', /(?<![\w@.])[a-z]+(?:_[a-z0-9]+)+(?![\w@])/g);
    report('ISO dates or timestamps in visible text', /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?\b/g);
    report('ids shown as names', /\b(?:Person|Property|Need|Household|Tenancy|[Ss]taff account|Record) #?\d+\b/g);
    return problems;
  });
}

async function widthAt320() {
  await page.setViewportSize({ width: 320, height: 800 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize({ width: 1280, height: 900 });
  return width;
}

const allProblems = [];
let pagesVisited = 0;

for (const role of ROLES) {
  step(`sweep every page ${role} can reach by links`, async () => {
    await signIn(role);
    // The home page, and the forms reached through a GET form (the kind of case) rather than a link.
    const queue = [`${baseUrl}/`, ...['repair', 'complaint', 'asb'].map((k) => `${baseUrl}/cases/new?kind=${k}`)];
    const seenPatterns = new Set();
    let visited = 0;
    while (queue.length && visited < MAX_PAGES_PER_ROLE) {
      const url = queue.shift();
      const shape = pattern(url);
      if (seenPatterns.has(shape)) continue;
      seenPatterns.add(shape);
      const res = await page.goto(url);
      visited++;
      const status = res?.status() ?? 0;
      const where = `${role} ${new URL(page.url()).pathname}${new URL(page.url()).search}`;
      if (status >= 500) allProblems.push(`${where}: HTTP ${status}`);
      if (new URL(page.url()).pathname === '/login') {
        allProblems.push(`${where}: signed out by following ${url}`);
        await signIn(role);
        continue;
      }
      for (const p of await pageProblems()) allProblems.push(`${where}: ${p}`);
      const width = await widthAt320();
      if (width > 321) allProblems.push(`${where}: ${width}px wide at a 320px screen`);
      try {
        await checkAccessibility(where);
      } catch (err) {
        allProblems.push(`${where}: ${err.message.split('\n').slice(0, 6).join(' | ')}`);
      }
      const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')]
        .filter((a) => !a.hasAttribute('download'))
        .map((a) => a.href));
      for (const href of links) {
        const u = new URL(href, page.url());
        u.hash = '';
        if (u.origin !== baseUrl || SKIP.test(u.pathname + u.search)) continue;
        if (!seenPatterns.has(pattern(u.href))) queue.push(u.href);
      }
    }
    pagesVisited += visited;
    console.log(`${role}: ${visited} pages (${seenPatterns.size} shapes)`);
    assert.ok(visited >= 2 || role === 'supplier.support', `${role} reached only ${visited} page(s) from the home page`);
  });
}

step('no page broke a rule', async () => {
  console.log(`pages swept: ${pagesVisited}`);
  assert.deepEqual(allProblems, [], `the sweep found ${allProblems.length} problem(s):\n${allProblems.join('\n')}`);
});
