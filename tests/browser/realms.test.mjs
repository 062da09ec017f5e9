// realms.test.mjs: Settings -> Kerberos realms in a real browser: reached from the navigation, the add form's error
// summary linking to its fields, a keytab uploaded (made by MIT ktutil), the list with its state tag and banner, the
// client downloads page, the delete confirmation; at desktop and phone width.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackEnv, shot, sessionPool, watchedPage, submit } from './helpers.mjs';

const env = stackEnv();
const base = env.CERTMINT_HTTPS_URL;
const pool = sessionPool();
const tag = `${process.pid}${Math.floor(Math.random() * 1e6)}`;
const domain = `br${tag}.corp.example.com`;
const realm = domain.toUpperCase();
const spn = `HTTP/certs.example.com@${realm}`;
let alice;
let keytab;

// A keytab with the SPN (AES) and the service account's own principal, by ktutil.
function makeKeytab() {
  const dir = mkdtempSync(join(tmpdir(), 'cm-kt-'));
  const out = join(dir, 'svc.keytab');
  const input = `addent -password -p ${spn} -k 2 -e aes256-cts-hmac-sha1-96\nSecret-${tag}\n`
    + `addent -password -p svc@${realm} -k 2 -e aes256-cts-hmac-sha1-96\nSecret-${tag}\n`
    + `wkt ${out}\nquit\n`;
  execFileSync('ktutil', [], { input, env: { ...process.env, KRB5_CONFIG: '/dev/null' }, stdio: ['pipe', 'ignore', 'ignore'] });
  return out;
}

// Nothing on the page is wider than the window.
async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

before(async () => {
  keytab = makeKeytab();
  alice = await pool.login(env.CERTMINT_ADMIN_PRINCIPAL, env.CERTMINT_ADMIN_PASSWORD);
});
after(async () => {
  await pool.closeAll();
});

test('the MRAO adds a realm: errors link to their fields, then the keytab is accepted', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/`);
  await page.click('header nav a:has-text("Kerberos realms")');
  await page.waitForURL(/\/admin\/kerberos-realms$/);
  await page.click('main a:has-text("New Kerberos realm")');
  await page.waitForURL(/\/admin\/kerberos-realms\/new$/);
  await page.fill('input#domain', domain);
  await page.fill('input#spn', `HTTP/certs.example.com@OTHER.EXAMPLE.COM`);
  let resp = await submit(page, 'Add Kerberos realm');
  assert.equal(resp.status(), 400);
  assert.equal(await page.locator('.error-summary a[href="#spn"]').count(), 1);
  assert.equal(await page.locator('.error-summary a[href="#keytab"]').count(), 1);
  await shot(page, 'realm-form-errors');
  await page.click('.error-summary a[href="#spn"]');
  assert.equal(await page.evaluate(() => location.hash), '#spn');
  await page.setViewportSize({ width: 390, height: 844 });
  // Two frames, so the full-page shot sees the page laid out at the new width.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.ok(await fitsWidth(page), 'the form with errors fits a phone-width window');
  await shot(page, 'realm-form-errors-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.fill('input#spn', spn);
  await page.setInputFiles('input#keytab', keytab);
  resp = await submit(page, 'Add Kerberos realm');
  assert.equal(resp.status(), 303);
  assert.match(page.url(), /\/admin\/kerberos-realms\?done=added$/);
  assert.match(await page.locator('.banner-success').innerText(), /Kerberos realm added/);
  const row = page.locator('table.realms tr', { hasText: domain });
  assert.match(await row.innerText(), new RegExp(`${realm}[\\s\\S]*OK[\\s\\S]*svc@${realm}`));
  await shot(page, 'realm-list');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.ok(await fitsWidth(page), 'the list fits a phone-width window (the table scrolls in its box)');
  await shot(page, 'realm-list-phone');
  assert.deepEqual(page.dialogs, []);
});

test('the client downloads page shows the request URL and the three scripts', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/kerberos-realms`);
  await page.click('main a:has-text("client downloads")');
  await page.waitForURL(/\/admin\/autoenroll$/);
  assert.match(await page.locator('#request-url').innerText(), new RegExp(`/customer/${env.CERTMINT_CUSTOMER}/autoenroll$`));
  assert.equal(await page.locator('main button[name="client"]').count(), 3);
  assert.ok((await page.locator('select#orgid option').count()) >= 2, 'organisations offered');
  await shot(page, 'autoenroll-clients');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.ok(await fitsWidth(page), 'the downloads page fits a phone-width window');
  await shot(page, 'autoenroll-clients-phone');
});

test('deleting a realm asks first, then the list says so', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/kerberos-realms`);
  await page.click(`table.realms a:has-text("${domain}")`);
  await page.click('main a:has-text("Delete Kerberos realm")');
  await page.waitForURL(/\/delete$/);
  assert.equal(await page.locator('main h1').innerText(), `Delete the Kerberos realm ${realm}?`);
  await shot(page, 'realm-delete-confirm');
  const resp = await submit(page, 'Delete Kerberos realm');
  assert.equal(resp.status(), 303);
  assert.match(page.url(), /\?done=deleted$/);
  assert.equal(await page.locator('table.realms tr', { hasText: domain }).count(), 0);
  assert.deepEqual(page.dialogs, []);
});
