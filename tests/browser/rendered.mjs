// Loads an audit HTML report in headless Chromium and prints, as JSON, what its script rendered:
// console errors, network requests, how long the page took to its first render and a search
// keystroke to its re-render, every link target and every cell's text once every row is listed,
// the runbook of every instance (opened by clicking its row's "runbook"), and the files the
// "Save as JSON" and "Save as CSV" buttons save.
// Usage: node rendered.mjs REPORT.html [SEARCH] [--timings-only]
import { chromium } from 'playwright-core';

const file = process.argv[2];
const query = process.argv[3] || 'xsuaa';
const timingsOnly = process.argv.includes('--timings-only');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } })).newPage();
const errors = [];
const requests = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(String(e)));
page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('blob:')) requests.push(r.url()); });
await page.goto('file://' + file, { waitUntil: 'load', timeout: 120000 });
// From navigation to the first frame after the script's first render (HTML and data parsed,
// rows built, laid out and painted), and to the script's render alone (its `xsuaa-rendered` mark).
const open = await page.evaluate(async () => {
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return { painted: performance.now(), script: performance.getEntriesByName('xsuaa-rendered')[0].startTime };
});
const openMs = open.painted;
// One keystroke in the search box, to the next frame after the re-render it causes.
const filterMs = await page.evaluate(async (q) => {
  const search = document.getElementById('search');
  const start = performance.now();
  search.value = q;
  search.dispatchEvent(new Event('input'));
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - start;
}, query);
const shownAfterFilter = await page.textContent('#shown');
await page.evaluate(() => {
  const search = document.getElementById('search');
  search.value = '';
  search.dispatchEvent(new Event('input'));
});
// The widest the page gets at 1280 px: no horizontal scroll means scrollWidth <= innerWidth.
const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
let hrefs = [], cells = [], runbooks = [], headings = [], saved = {};
if (!timingsOnly) {
  // What the two buttons save, as the files a user gets.
  for (const [button, kind] of [['#export-json', 'json'], ['#export-csv', 'csv']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    saved[kind] = (await import('node:fs')).readFileSync(await download.path(), 'utf8');
  }
  // Every row listed.
  for (const id of ['repositories-more', 'instances-more']) {
    while (await page.$eval('#' + id, (b) => !b.parentNode.hidden)) await page.click('#' + id);
  }
  headings = await page.$$eval('table.sortable', (ts) => ts.map((t) => [t.id, Array.from(t.tHead.rows[0].cells, (th) => th.dataset.col)]));
  hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  cells = await page.$$eval('#repositories tbody td, #instances tbody td', (tds) => tds.map((td) => td.textContent));
  const summaries = await page.$$('#instances details summary');
  // Clicked as the DOM does, not at a point on the screen: each click opens a runbook row that
  // moves the rows below it, and a click at coordinates taken before that lands on the wrong row.
  for (const s of summaries) await s.evaluate((e) => e.click());
  await page.evaluate(() => new Promise((done) => setTimeout(done, 50)));
  runbooks = await page.$$eval('#instances tr.runbook', (trs) => trs.map((tr) => ({
    file: tr.previousElementSibling.querySelector('div.cut').textContent,
    text: tr.querySelector('pre').textContent,
  })));
}
const bytes = (await import('node:fs')).statSync(file).size;
console.log(JSON.stringify({ errors, requests, openMs, scriptMs: open.script, filterMs, shownAfterFilter, width, headings, hrefs, cells, runbooks, saved, bytes }));
await browser.close();
