// issue.test.mjs: an administrator logs in with a real browser and issues a
// certificate from a CSR, previews it, and downloads the result.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { stackEnv, browserFor, shot, makeCsr } from './helpers.mjs';

const env = stackEnv();
const adminUser = env.CERTMINT_ADMIN_PRINCIPAL.split('@')[0];
let session;

before(async () => { session = await browserFor(adminUser, env.CERTMINT_ADMIN_PASSWORD); });
after(async () => { await session?.browser.close(); });

test('administrator logs in over TLS with Kerberos user name and password', async () => {
  const page = await session.context.newPage();
  const resp = await page.goto(`${env.CERTMINT_HTTPS_URL}/admin/`);
  assert.equal(resp.status(), 200);
  await shot(page, 'admin-home');
  assert.match(await page.content(), new RegExp(adminUser, 'i'));
  await page.close();
});

test('a wrong password is refused', async () => {
  const other = await browserFor(adminUser, 'not-the-password');
  try {
    const page = await other.context.newPage();
    const resp = await page.goto(`${env.CERTMINT_HTTPS_URL}/admin/`);
    assert.equal(resp.status(), 401);
  } finally {
    await other.browser.close();
  }
});

test('a non-administrator sees a clear 403 page', async () => {
  const user = env.CERTMINT_USER_PRINCIPAL.split('@')[0];
  const other = await browserFor(user, env.CERTMINT_USER_PASSWORD);
  try {
    const page = await other.context.newPage();
    const resp = await page.goto(`${env.CERTMINT_HTTPS_URL}/admin/`);
    assert.equal(resp.status(), 403);
    await shot(page, 'admin-403');
    assert.match(await page.textContent('body'), /not a certmint administrator/i);
  } finally {
    await other.browser.close();
  }
});

test('issue a certificate from a pasted CSR and download it', async () => {
  const page = await session.context.newPage();
  await page.goto(`${env.CERTMINT_HTTPS_URL}/admin/certificates/new`);
  const dns = `browser-${Date.now()}.demo.test`;
  await page.fill('textarea[name=csr]', makeCsr(dns));
  await page.selectOption('select[name=profile]', 'tls-server');
  await page.click('button:has-text("Preview")');
  await page.waitForLoadState();
  const preview = await page.textContent('body');
  assert.match(preview, new RegExp(dns.replace(/\./g, '\\.')));
  assert.match(preview, /2048/);
  await shot(page, 'csr-preview');

  await page.click('button:has-text("Issue")');
  await page.waitForURL(/\/admin\/certificates\/\d+$/);
  await shot(page, 'certificate-detail');
  assert.match(await page.textContent('body'), new RegExp(dns.replace(/\./g, '\\.')));

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a[href*="format=chain"]'),
  ]);
  const path = await download.path();
  const pem = readFileSync(path, 'utf8');
  assert.match(pem, /-----BEGIN CERTIFICATE-----/);
  const text = execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName,extendedKeyUsage', '-in', path]).toString();
  assert.match(text, new RegExp(`DNS:${dns.replace(/\./g, '\\.')}`));
  assert.match(text, /TLS Web Server Authentication/);
  await page.close();
});

test('a malformed CSR is refused next to the field, keeping what was typed', async () => {
  const page = await session.context.newPage();
  await page.goto(`${env.CERTMINT_HTTPS_URL}/admin/certificates/new`);
  await page.fill('textarea[name=csr]', 'this is not a CSR');
  await page.selectOption('select[name=profile]', 'tls-server');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.click('button:has-text("Issue")'),
  ]);
  assert.equal(resp.status(), 400);
  await shot(page, 'csr-error');
  assert.equal(await page.inputValue('textarea[name=csr]'), 'this is not a CSR');
  await page.close();
});
