// scep.test.mjs: the admin portal's SCEP section in a real browser: reached from the navigation, settings, the
// turn-off confirmation, the URLs, the pending list and the .mobileconfig form at desktop and phone width.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { stackEnv, shot, sessionPool, watchedPage, submit } from './helpers.mjs';

const env = stackEnv();
const base = env.CERTMINT_HTTPS_URL;
const pool = sessionPool();
let alice;

before(async () => {
  alice = await pool.login(env.CERTMINT_ADMIN_PRINCIPAL, env.CERTMINT_ADMIN_PASSWORD);
});
after(async () => {
  await pool.closeAll();
});

// Nothing on the page is wider than the window (tables scroll inside their own box).
async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

test('the MRAO turns SCEP on from the navigation and sees the smime URL', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/`);
  await page.click('header nav a:has-text("SCEP")');
  await page.waitForURL(/\/admin\/scep$/);
  await page.click('main a:has-text("Change the SCEP settings")');
  await page.waitForURL(/\/admin\/scep\/settings$/);
  await page.check('input#scep_enabled-on');
  const resp = await submit(page, 'Save');
  assert.equal(resp.status(), 303);
  assert.match(page.url(), /\/admin\/scep\/settings\?done=(saved|unchanged)$/);
  assert.equal(await page.locator('.banner-success').count(), 1);
  assert.match(await page.locator('table#scep-types').innerText(), /smime[\s\S]*client-smime[\s\S]*enabled/);
  await shot(page, 'scep-settings');
  await page.goto(`${base}/admin/scep`);
  const url = await page.inputValue('input#url-smime');
  assert.match(url, new RegExp(`/customer/${env.CERTMINT_CUSTOMER}/scep/smime/pkiclient\\.exe$`));
  await shot(page, 'scep-overview');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.ok(await fitsWidth(page), 'the overview fits a phone-width window');
  await shot(page, 'scep-overview-phone');
  assert.deepEqual(page.dialogs, []);
});

test('turning SCEP off asks first; Cancel changes nothing', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/scep/settings`);
  await page.check('input#scep_enabled-off');
  await submit(page, 'Save');
  await page.waitForURL(/\/admin\/scep\/turn-off$/);
  assert.equal(await page.locator('main h1').innerText(), 'Turn SCEP off?');
  await shot(page, 'scep-turn-off-confirm');
  await page.click('main a:has-text("Cancel")');
  await page.waitForURL(/\/admin\/scep\/settings$/);
  assert.equal(await page.isChecked('input#scep_enabled-on'), true, 'still on after Cancel');
});

test('the pending list and the profile form (an error next to its field) at phone width', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/scep/pending`);
  assert.match(await page.locator('main h1').innerText(), /^Pending SCEP requests \(\d+\)$/);
  await shot(page, 'scep-pending');
  await page.goto(`${base}/admin/scep/mobileconfig`);
  await page.setViewportSize({ width: 390, height: 844 });
  if (await page.locator('select#target').count()) {
    await page.selectOption('select#target', { index: 1 });
    await page.fill('input#cn', 'Alice Example');
    await page.fill('input#email', 'not-an-address');
    const resp = await submit(page, 'Download profile');
    assert.equal(resp.status(), 400);
    assert.equal(await page.locator('.error-summary a[href="#email"]').count(), 1);
    assert.equal(await page.inputValue('input#code'), '', 'the access code is never shown back');
  }
  assert.ok(await fitsWidth(page), 'the form fits a phone-width window');
  await shot(page, 'scep-mobileconfig-phone');
  assert.deepEqual(page.dialogs, []);
});
