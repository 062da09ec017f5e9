// auditdash.test.mjs: the dashboard's SVG chart, the CSV link, the audit log filters and the chain check in a real browser.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { stackEnv, browserFor, shot } from './helpers.mjs';

const env = stackEnv();
const base = env.CERTMINT_HTTPS_URL;
let session;

before(async () => {
  session = await browserFor(env.CERTMINT_ADMIN_PRINCIPAL.split('@')[0], env.CERTMINT_ADMIN_PASSWORD);
});
after(async () => {
  await session.browser.close();
});

test('the dashboard is reached from the navigation and draws 90 bars without script', async () => {
  const page = await session.context.newPage();
  await page.goto(`${base}/admin/`);
  await page.click('header nav a:has-text("Dashboard")');
  await page.waitForURL(/\/admin\/dashboard$/);
  assert.equal(await page.locator('svg#issuance-chart rect.bar').count(), 90);
  assert.equal(await page.locator('script').count(), 0);
  const box = await page.locator('svg#issuance-chart').boundingBox();
  assert.ok(box && box.width >= 500 && box.height >= 100, 'the chart is drawn at its size');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a[href="/admin/reports/certificates.csv"]'),
  ]);
  assert.equal(download.suggestedFilename(), 'certificates.csv');
  await shot(page, 'dashboard');
  await page.close();
});

test('the audit log filters keep what was typed and the chain verifies', async () => {
  const page = await session.context.newPage();
  await page.goto(`${base}/admin/audit`);
  await page.fill('#f-from', '2026-02-30');
  await page.fill('#f-action', 'login');
  await page.click('button:has-text("Filter")');
  assert.match(await page.locator('#from-error').innerText(), /YYYY-MM-DD/);
  assert.equal(await page.inputValue('#f-from'), '2026-02-30');
  assert.equal(await page.inputValue('#f-action'), 'login');
  await page.fill('#f-from', '');
  await page.click('button:has-text("Filter")');
  const actions = await page.locator('td.action').allInnerTexts();
  assert.ok(actions.length > 0 && actions.every((a) => a === 'login'), 'only login rows');
  await page.click('button:has-text("Verify chain now")');
  assert.match(await page.locator('#verify-result').innerText(), /intact \(\d+ rows\)/);
  await shot(page, 'audit-log');
  await page.close();
});
