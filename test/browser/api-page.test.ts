/**
 * The API page in headless Chromium (Debian's `chromium`, driven by playwright-core): opened with the
 * key as ?code=, it renders every operation of the document, sends no request to any other host and
 * breaks no Content-Security-Policy rule. Skipped, with the reason printed, where Chromium is missing.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startProductHost, type ProductHost } from '../helpers/product-host';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (install the Debian package chromium, or set CHROMIUM_PATH)`;
if (missing) process.stderr.write(`api-page browser test skipped: ${missing}\n`);

let api: ProductHost;
let browser: Browser;

before(async () => {
  if (missing) return;
  api = await startProductHost();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
after(async () => {
  await browser?.close();
  await api?.close();
});

interface Doc {
  paths: Record<string, Record<string, unknown>>;
}

test('the page lists every operation of the document', { skip: missing }, async () => {
  const doc = (await api.call('/v4/openapi.json')).json as Doc;
  const expected = Object.entries(doc.paths)
    .flatMap(([route, item]) =>
      ['get', 'put', 'post', 'delete']
        .filter((verb) => verb in item)
        .map((verb) => `${verb.toUpperCase()} ${route}`),
    )
    .sort();

  const context = await browser.newContext();
  const page = await context.newPage();
  const origin = new URL(api.url).origin;
  const foreign: string[] = [];
  const failed: string[] = [];
  const problems: string[] = [];
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith('data:') && new URL(url).origin !== origin) foreign.push(url);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));

  await page.goto(`${api.url}/v4/docs?code=${encodeURIComponent(api.key)}`);
  await page.waitForSelector('.opblock', { timeout: 60_000 });
  const rendered: string[] = [];
  for (const block of await page.locator('.opblock').all()) {
    const verb = (await block.locator('.opblock-summary-method').textContent()) ?? '';
    const route = (await block.locator('.opblock-summary-path').getAttribute('data-path')) ?? '';
    rendered.push(`${verb.trim().toUpperCase()} ${route}`);
  }
  await context.close();

  assert.deepEqual([...new Set(rendered)].sort(), expected);
  assert.deepEqual(foreign, [], 'requests to other hosts');
  assert.deepEqual(failed, [], 'failed requests');
  assert.deepEqual(problems, [], 'console errors (CSP violations included)');
});
