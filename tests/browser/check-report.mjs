// Loads an audit HTML report in headless Chromium and prints what a test needs as JSON:
// console errors, network requests, the chart's counts, the legend, the repository table before
// and after sorting by clicking its headings, the links of the instances, the rows left visible
// by the search box and by the state filters, the trend column, and the saved CSV and JSON.
// Writes a screenshot beside the report.
// Usage: node check-report.mjs REPORT.html [SEARCH]
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';

const file = process.argv[2];
const query = process.argv[3] || 'beta';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
const errors = [];
const requests = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(String(e)));
page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('blob:')) requests.push(r.url()); });
await page.goto('file://' + file);
// The index of a heading of the repository table, by its text.
const headings = await page.$$eval('#repositories thead th', (ths) => ths.map((th) => th.textContent));
const col = (name) => headings.indexOf(name);
const column = (n) => page.$$eval('#repositories tbody tr', (trs, n) => trs.map((tr) => tr.cells[n].textContent), n);
const visible = (table) => page.$$eval(`#${table} tbody tr:not(.runbook)`, (trs) => trs.filter((tr) => !tr.hidden && tr.offsetParent !== null)
  .map((tr) => tr.cells[0].textContent + (tr.dataset.state ? ' ' + tr.dataset.state : '')));
const bars = await page.$$eval('#chart .bar', (els) => Object.fromEntries(
  els.map((e) => [e.dataset.state, Number(e.dataset.count)])));
const barHeights = await page.$$eval('#chart .bar rect', (els) => els.map((e) => e.getBoundingClientRect().height));
const legend = await page.$$eval('#legend tbody tr', (trs) => trs.map((tr) => ({
  state: tr.dataset.state, meaning: tr.cells[2].textContent, next: tr.cells[3].textContent })));
const rows = await column(0);
const trend = col('since last report') >= 0 ? Object.fromEntries(await page.$$eval('#repositories tbody tr',
  (trs, n) => trs.map((tr) => [tr.cells[0].textContent, { text: tr.cells[n].textContent,
    finished: Number(tr.cells[n].dataset.finished), regressions: Number(tr.cells[n].dataset.regressions),
    newInstanceSecret: Number(tr.cells[n].dataset.newInstanceSecret) }]), col('since last report'))) : null;
const changes = await page.$$eval('#instances td.change', (tds) => tds.map((td) => td.dataset.change));
// Each instance's link as the browser resolves it.
const links = await page.$$eval('#instances td a', (as) => as.map((a) => a.href));
const allInstances = await visible('instances');
// The runbook opens with a click, in a row under its instance's.
let runbook = null;
const summary = await page.$('#instances details summary');
if (summary) {
  await summary.click();
  // A locator waits for the row the click's handler adds; `$eval` would race it on a busy machine.
  runbook = await page.locator('#instances tr.runbook pre').first().innerText();
}
// Search, then state filters.
await page.fill('#search', query);
const searchRepositories = await visible('repositories');
const searchInstances = await visible('instances');
await page.fill('#search', '');
for (const state of ['binding-only', 'x509']) await page.uncheck(`.state-filter[value="${state}"]`);
const filteredInstances = await visible('instances');
const filteredRepositories = await visible('repositories');
for (const state of ['binding-only', 'x509']) await page.check(`.state-filter[value="${state}"]`);
const shown = await page.textContent('#shown');
// Sorting.
await page.click('#repositories th:nth-child(1)');
const byNameAscending = await column(0);
await page.click('#repositories th:nth-child(1)');
const byNameDescending = await column(0);
await page.click(`#repositories th:nth-child(${col('score') + 1})`);
const byScoreAscending = (await column(col('score'))).map(Number);
// Export: what the buttons save.
const saved = {};
for (const [button, kind] of [['#export-json', 'json'], ['#export-csv', 'csv']]) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  saved[kind] = { name: download.suggestedFilename(), text: await readFile(await download.path(), 'utf8') };
}
await page.click('#repositories th:nth-child(1)');
await page.screenshot({ path: file.replace(/\.html$/, '.png'), fullPage: true });
console.log(JSON.stringify({
  errors, requests, bars, barHeights, legend, rows, links, allInstances, runbook, trend, changes,
  searchRepositories, searchInstances, filteredInstances, filteredRepositories, shown,
  byNameAscending, byNameDescending, byScoreAscending, saved,
}));
await browser.close();
