// adservers.test.mjs: the AD server pages of issue 11 in a real browser: the form (users' base DN, CA paste,
// bind method, default), its error summary, the CA list, the list's columns, Verify, at desktop and phone width.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackEnv, shot, sessionPool, watchedPage, submit } from './helpers.mjs';

const env = stackEnv();
const base = env.CERTMINT_HTTPS_URL;
const tag = randomBytes(4).toString('hex');
const name = `Corp AD ${tag}`;
const password = `Pw-${tag}-never-shown`;
const pool = sessionPool();
let alice;
let serverUrl;

// A self-signed CA certificate in PEM, and its SHA-256 fingerprint as openssl prints it.
function makeCa(cn) {
  const dir = mkdtempSync(join(tmpdir(), 'cm-adca-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'ca.pem'), '-subj', `/CN=${cn}`, '-days', '30'],
  { stdio: 'ignore' });
  const pem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const fp = execFileSync('openssl', ['x509', '-in', join(dir, 'ca.pem'), '-noout', '-fingerprint', '-sha256'],
    { encoding: 'utf8' }).trim().split('=')[1];
  return { pem, fp };
}

// Nothing on the page is wider than the window (tables scroll inside their own box).
async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

before(async () => { alice = await pool.login(env.CERTMINT_ADMIN_PRINCIPAL, env.CERTMINT_ADMIN_PASSWORD); });
after(pool.closeAll);

test('the MRAO adds a simple-bind AD server with a pasted CA; a mistake shows in the error summary first', async () => {
  const ca = makeCa(`AD Browser CA ${tag}`);
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/`);
  await page.click('header nav a:has-text("AD servers")');
  await page.waitForURL(/\/admin\/ad-servers$/);
  await page.click('main a:has-text("New AD server")');
  await page.waitForURL(/\/admin\/ad-servers\/new$/);
  assert.equal(await page.isChecked('input#bind_method-gssapi'), true, 'Kerberos is the default');
  await page.fill('input#name', name);
  await page.fill('input#domain', 'corp.browser.test');
  await page.fill('input#ldap_uris', 'ldaps://dc1.corp.browser.test');
  await page.fill('input#base_dn', 'DC=corp,DC=browser,DC=test');
  await page.fill('input#users_base_dn', 'OU=Staff,,broken');
  await page.fill('textarea#ca_pem', ca.pem);
  await page.check('input#bind_method-simple');
  await page.fill('input#bind_dn', 'CN=certmint,OU=Service,DC=corp,DC=browser,DC=test');
  await page.fill('input#bind_password', password);
  await shot(page, 'ad-01-new-filled');
  let resp = await submit(page, 'Add AD server');
  assert.equal(resp.status(), 400);
  const summary = page.locator('.error-summary');
  assert.equal(await summary.count(), 1);
  assert.match(await summary.innerText(), /not an LDAP DN/);
  assert.equal(await summary.locator('a[href="#users_base_dn"]').count(), 1);
  assert.equal(await page.inputValue('input#bind_password'), '', 'the password is not sent back');
  assert.ok(!(await page.content()).includes(password));
  await shot(page, 'ad-02-error-summary');
  await page.click('.error-summary a[href="#users_base_dn"]');
  await page.fill('input#users_base_dn', 'OU=Staff,DC=corp,DC=browser,DC=test');
  await page.fill('input#bind_password', password);
  resp = await submit(page, 'Add AD server');
  assert.equal(resp.status(), 303);
  await page.waitForURL(/\/admin\/ad-servers\/\d+\?done=created$/);
  serverUrl = page.url().replace(/\?.*$/, '');
  assert.match(await page.locator('.banner-success').innerText(), /AD server added/);
  assert.match(await page.locator('table.ca-certs').innerText(), new RegExp(`AD Browser CA ${tag}[\\s\\S]*${ca.fp}`));
  assert.equal(await page.isChecked('input#bind_method-simple'), true);
  assert.equal(await page.inputValue('input#bind_password'), '');
  assert.match(await page.locator('main').innerText(), /leave empty to keep the stored password/);
  assert.ok(!(await page.content()).includes(password), 'the password is never shown again');
  await shot(page, 'ad-03-created');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.ok(await fitsWidth(page), 'the server page fits a phone-width window');
  await shot(page, 'ad-04-created-phone');
  assert.deepEqual(page.dialogs, []);
});

test('the list shows default, bind method, TLS and CA count, sortable, at desktop and phone width', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/ad-servers`);
  const row = page.locator('table.ad-servers tr', { hasText: name });
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), /simple[\s\S]*ldaps[\s\S]*\b1\b/);
  assert.match(await page.locator('#counts').innerText(), /\d+ servers?:/);
  await shot(page, 'ad-05-list');
  await page.click('table.ad-servers th a:has-text("Default")');
  await page.waitForURL(/sort=default$/);
  assert.equal(await page.locator('table.ad-servers tbody tr').first().locator('.tag:has-text("default")').count(), 1,
    'the default server comes first');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  assert.ok(await fitsWidth(page), 'the list fits a phone-width window (the table scrolls in its box)');
  await shot(page, 'ad-06-list-phone');
});

test('Verify against an address that refuses names the failed stage', async () => {
  const page = await watchedPage(alice);
  await page.goto(serverUrl);
  await page.fill('input#ldap_uris', 'ldaps://127.0.0.1:1');
  await submit(page, 'Save');
  await page.waitForURL(/\?done=saved$/);
  assert.match(await page.locator('.banner-success').innerText(), /Changes saved/);
  await page.fill('input#test_user', 'alice');
  const resp = await submit(page, 'Verify');
  assert.equal(resp.status(), 200);
  assert.equal(await page.locator('#verify-stage').innerText(), 'TCP connection');
  await shot(page, 'ad-07-verify-failed');
  await page.setViewportSize({ width: 390, height: 844 });
  assert.ok(await fitsWidth(page), 'the verify result fits a phone-width window');
  await shot(page, 'ad-08-verify-failed-phone');
});

test('deleting asks first; the default server is refused while others exist', async () => {
  const page = await watchedPage(alice);
  await page.goto(serverUrl);
  await page.click('main a:has-text("Delete AD server")');
  await page.waitForURL(/\/delete$/);
  await shot(page, 'ad-09-delete-confirm');
  await submit(page, 'Delete AD server');
  // Either deleted (it was not the default, or the only server) or refused as the default with the reason.
  if (page.url().includes('done=deleted')) {
    assert.match(await page.locator('.banner-success').innerText(), /AD server deleted/);
  } else {
    assert.match(await page.locator('.error-summary').innerText(), /default AD server/);
  }
  await shot(page, 'ad-10-after-delete');
});
