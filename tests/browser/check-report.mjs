// Loads an audit HTML report in headless Chromium and prints what a test needs as JSON:
// console errors, network requests, the chart's counts, the repository table before and after
// sorting by clicking its headings, the links of the instances. Writes a screenshot beside the report.
// Usage: node check-report.mjs REPORT.html
import { chromium } from 'playwright-core';

const file = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
const errors = [];
const requests = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(String(e)));
page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
await page.goto('file://' + file);
const column = (n) => page.$$eval('#repositories tbody tr', (trs, n) => trs.map((tr) => tr.cells[n].textContent), n);
const bars = await page.$$eval('#chart .bar', (els) => Object.fromEntries(
  els.map((e) => [e.dataset.state, Number(e.dataset.count)])));
const barHeights = await page.$$eval('#chart .bar rect', (els) => els.map((e) => e.getBoundingClientRect().height));
const rows = await column(0);
// Each instance's link as the browser resolves it.
const links = await page.$$eval('#instances a', (as) => as.map((a) => a.href));
await page.click('#repositories th:nth-child(1)');
const byNameAscending = await column(0);
await page.click('#repositories th:nth-child(1)');
const byNameDescending = await column(0);
await page.click('#repositories th:nth-child(2)');
const byScoreAscending = (await column(1)).map(Number);
await page.screenshot({ path: file.replace(/\.html$/, '.png'), fullPage: true });
console.log(JSON.stringify({ errors, requests, bars, barHeights, rows, links, byNameAscending, byNameDescending, byScoreAscending }));
await browser.close();
