// browser.mjs BASE_URL OUT_DIR - drives the console in headless Chromium (Debian's
// /usr/bin/chromium, playwright-core from npm): opens every page, checks the numbers shown
// against the JSON API, clicks from an alert to its asset, and saves screenshots of the
// overview and the network map into OUT_DIR.
import { chromium } from 'playwright-core';

const [base, out] = process.argv.slice(2);
let failures = 0, passes = 0;
function check(what, ok) {
  if (ok) passes++; else { failures++; console.log('FAIL: ' + what); }
}
const api = async (path) => (await fetch(base + path)).json();

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

// overview: the three numbers equal the board API
const board = await api('/api/v1/report/board');
await page.goto(base + '/');
const big = async (id) => Number((await page.textContent(`#${id} .big`)).trim());
check('overview unmanaged = API', await big('unmanaged') === board.unmanaged_assets.unmanaged);
check('overview vulnerable = API',
      await big('vulnerable') === board.vulnerability_exposure.assets_with_known_vulns);
check('overview exposed = API',
      await big('exposed') === board.segmentation.ot_assets_with_corporate_access.total);
await page.screenshot({ path: `${out}/overview.png`, fullPage: true });

// assets: one row per asset of the API
const assets = await api('/api/v1/assets?limit=1000');
await page.goto(base + '/assets');
const rows = await page.locator('table#assets tr').count();
check(`assets table rows (${rows - 1}) = API total (${assets.total})`, rows - 1 === assets.total);
// client-side sort and filter work (the script is loaded under the CSP)
await page.click('table#assets th:nth-child(1)');
await page.fill('#filter', 'plc');
const visible = await page.locator('table#assets tr:visible').count();
check('filter narrows the table', visible > 1 && visible <= rows);

// alerts: click from an alert to its asset page
await page.goto(base + '/alerts');
const link = page.locator('table#alerts td a').first();
const target = await link.textContent();
await link.click();
await page.waitForURL('**/assets/**');
check('alert -> asset page', (await page.textContent('h1')).trim() === target.trim());
check('asset page shows evidence', await page.locator('table#evidence tr').count() > 1);

// map: an SVG with zones and nodes
await page.goto(base + '/map');
check('map has zones', await page.locator('svg#map g.zone').count() > 0);
check('map has asset nodes', await page.locator('svg#map circle').count() > 0);
await page.screenshot({ path: `${out}/map.png`, fullPage: true });

// incidents and report pages render
await page.goto(base + '/incidents');
check('incidents table lists the incident', await page.locator('table#incidents tr').count() > 1);
await page.goto(base + '/report');
check('board report page', (await page.textContent('h1')).includes('board report'));

check(`no script errors (${errors.join('; ')})`, errors.length === 0);
await browser.close();
console.log(`browser: ${passes} passed, ${failures} failed; screenshots in ${out}`);
process.exit(failures ? 1 : 0);
