// lifecycle.test.mjs: request → approve → download → revoke, and decline with an XSS message, in a real browser.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stackEnv, browserFor, shot, makeCsr, watchedPage, submit } from './helpers.mjs';

const env = stackEnv();
const base = env.CERTMINT_HTTPS_URL;
const reEsc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// One tag per run, so the test also passes on a stack it already ran against.
const tag = randomBytes(4).toString('hex');
const orgName = `Lifecycle ${tag}`;
const dnsA = `life-a-${tag}.demo.test`;
const dnsB = `life-b-${tag}.demo.test`;
const declineMessage = `Use the wildcard <script>window.__xss=1</script> "please" ${tag}`;

let alice;
let orgId;   // the organisation created through the form
let certUrl; // the request that is approved, then revoked
let declinedUrl;

const statusOf = (page) => page.textContent('dt:text-is("Status") + dd');

// Fills the CSR form for dns in the test organisation and submits it; returns the response.
async function requestCertificate(page, dns) {
  await page.goto(`${base}/admin/certificates/new`);
  await page.fill('textarea[name=csr]', makeCsr(dns));
  await page.selectOption('select[name=profile]', 'tls-server');
  await page.selectOption('select[name=org]', String(orgId));
  return submit(page, 'Issue');
}

before(async () => {
  alice = await browserFor(env.CERTMINT_ADMIN_PRINCIPAL.split('@')[0], env.CERTMINT_ADMIN_PASSWORD);
});
// The approver may not be the requester unless the customer allows it (issue 8):
// alice, the only MRAO, approves her own request with approval.self_approve on.
const cli = (...args) => {
  const [prog, ...opts] = env.CERTMINT_CLI.split(' ');
  return execFileSync(prog, [...opts, ...args]).toString();
};
after(async () => {
  cli('customer', 'set', env.CERTMINT_CUSTOMER, 'approval.self_approve', 'off');
  await alice?.browser.close();
});

test('MRAO creates an organisation that approves requests by hand', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/organizations/new`);
  await page.fill('input[name=name]', orgName);
  await page.fill('input[name=city]', 'London');
  await page.fill('input[name=country]', 'GB');
  await page.uncheck('input[name=ssl_auto_approve]');
  await shot(page, 'lifecycle-org-new');
  const resp = await submit(page, 'Create organisation');
  assert.ok([302, 303].includes(resp.status()), `redirect after creating, got ${resp.status()}`);
  await page.waitForURL(/\/admin\/organizations\/\d+$/);
  orgId = Number(page.url().match(/(\d+)$/)[1]);
  assert.equal(await page.textContent('h1'), `Organisation ${orgName}`);
  assert.equal(await page.isChecked('input[name=ssl_auto_approve]'), false, 'auto-approve is off');
  await shot(page, 'lifecycle-org-created');
  await page.close();
});

test('MRAO delegates demo.test to it for SSL on the domain page', async () => {
  assert.ok(orgId, 'the organisation exists');
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/domains?q=demo.test`);
  await page.click('table.domains a:text-is("demo.test")');
  await page.waitForURL(/\/admin\/domains\/\d+$/);
  assert.equal(await page.textContent('#domain-name'), 'demo.test');
  assert.match(await page.textContent('#validation-state'), /validated/);
  await page.selectOption('select[name=target]', String(orgId));
  await page.check('input[name=type_ssl]');
  await page.uncheck('input[name=type_client]');
  await page.uncheck('input[name=type_codesign]');
  const resp = await submit(page, 'Delegate');
  assert.ok([302, 303].includes(resp.status()), `redirect after delegating, got ${resp.status()}`);
  await shot(page, 'lifecycle-domain-delegated');
  const row = page.locator('table.delegations tr', { hasText: orgName });
  assert.equal(await row.count(), 1, 'one delegation row for the organisation');
  assert.match(await row.textContent(), /ssl/i);
  await page.close();
});

test('a certificate from a CSR in that organisation becomes a request', async () => {
  assert.ok(orgId, 'the organisation exists');
  const page = await watchedPage(alice);
  const resp = await requestCertificate(page, dnsA);
  assert.equal(resp.status(), 303);
  await page.waitForURL(/\/admin\/certificates\/\d+$/);
  certUrl = page.url();
  await shot(page, 'lifecycle-requested');
  assert.equal(await statusOf(page), 'requested');
  assert.equal(await page.textContent('h1'), `Request ${dnsA}`);
  assert.equal(await page.textContent('dt:text-is("Organisation") + dd'), orgName);
  assert.equal(await page.locator('a[href*="/download?format="]').count(), 0, 'no downloads for a request');
  assert.equal(await page.locator('button:has-text("Approve and issue")').count(), 0, 'the requester is not offered Approve');
  assert.match(await page.textContent('section.actions'), /You requested this certificate; another administrator must approve it/);
  cli('customer', 'set', env.CERTMINT_CUSTOMER, 'approval.self_approve', 'on');
  await page.reload();
  assert.equal(await page.locator('button:has-text("Approve and issue")').count(), 1, 'offered once the customer allows self-approval');
  await page.close();
});

test('she approves it: issued, and the chain download carries the server EKU', async () => {
  assert.ok(certUrl, 'the request exists');
  const page = await watchedPage(alice);
  await page.goto(certUrl);
  const resp = await submit(page, 'Approve and issue');
  assert.equal(resp.status(), 303);
  await page.waitForURL(certUrl);
  await shot(page, 'lifecycle-issued');
  assert.equal(await statusOf(page), 'issued');
  assert.match(await page.textContent('dt:text-is("Approved by") + dd'), new RegExp(reEsc(env.CERTMINT_ADMIN_PRINCIPAL)));

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a[href*="format=chain"]'),
  ]);
  const path = await download.path();
  const pem = readFileSync(path, 'utf8');
  assert.ok((pem.match(/-----BEGIN CERTIFICATE-----/g) || []).length >= 2, 'the certificate and its chain');
  const text = execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName,extendedKeyUsage', '-in', path]).toString();
  assert.match(text, new RegExp(`DNS:${reEsc(dnsA)}`));
  assert.match(text, /TLS Web Server Authentication/);
  await page.close();
});

test('she revokes it with keyCompromise: revoked, with the reason shown', async () => {
  assert.ok(certUrl, 'the certificate exists');
  const page = await watchedPage(alice);
  await page.goto(certUrl);
  assert.equal(await page.locator('select[name=reason]').count(), 0, 'no one-click revocation on the certificate page');
  await page.click('main a:has-text("Revoke")');
  await page.waitForURL(`${certUrl}/revoke`);
  // The confirmation page names the certificate and says what revocation means.
  assert.match(await page.textContent('h1'), new RegExp(`^Revoke the certificate ${reEsc(dnsA)}\\?$`));
  assert.match(await page.textContent('p.consequence'), /Revocation is final/);
  await page.selectOption('select[name=reason]', 'keyCompromise');
  await shot(page, 'lifecycle-revoke-form');
  const resp = await submit(page, 'Revoke certificate');
  assert.equal(resp.status(), 303);
  await page.waitForURL(certUrl);
  await shot(page, 'lifecycle-revoked');
  assert.equal(await statusOf(page), 'revoked');
  assert.equal(await page.textContent('dd.revocation-reason'), 'keyCompromise');
  assert.equal(await page.locator('button:has-text("Revoke")').count(), 0, 'no second revocation offered');
  assert.equal(await page.locator('a[href$="/revoke"]').count(), 0, '... nor a link to one');
  await page.close();
});

test('a second request is declined; the message with a script tag is shown as text', async () => {
  assert.ok(orgId, 'the organisation exists');
  const page = await watchedPage(alice);
  const resp = await requestCertificate(page, dnsB);
  assert.equal(resp.status(), 303);
  await page.waitForURL(/\/admin\/certificates\/\d+$/);
  declinedUrl = page.url();
  assert.equal(await statusOf(page), 'requested');
  await page.fill('textarea[name=message]', declineMessage);
  const dresp = await submit(page, 'Decline');
  assert.equal(dresp.status(), 303);
  await page.waitForURL(declinedUrl);
  await shot(page, 'lifecycle-declined');
  assert.equal(await statusOf(page), 'declined');
  assert.equal(await page.textContent('dd.decline-message'), declineMessage);
  assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined');
  assert.equal(await page.locator('script').count(), 0, 'no script element in the page');
  assert.deepEqual(page.dialogs, []);
  const html = await page.content();
  assert.ok(!html.includes('<script>window.__xss'), 'the raw tag is not in the HTML');
  assert.match(html, /&lt;script&gt;window\.__xss=1&lt;\/script&gt;/);
  await page.close();
});

test('the list filtered by status revoked shows the revoked certificate only', async () => {
  assert.ok(certUrl && declinedUrl, 'both rows exist');
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/certificates`);
  await page.selectOption('select[name=status]', 'revoked');
  await page.selectOption('select#org', String(orgId));
  await page.click('button:has-text("Show")');
  await page.waitForURL(/status=revoked/);
  await shot(page, 'lifecycle-list-revoked');
  assert.equal(await page.inputValue('select[name=status]'), 'revoked');
  const rows = page.locator('table.list tbody tr');
  assert.equal(await rows.count(), 1, 'one revoked certificate in the organisation');
  assert.equal(await rows.first().locator('a').textContent(), dnsA);
  assert.equal(await rows.first().locator('td.status-revoked').textContent(), 'revoked');
  assert.equal(new URL(await rows.first().locator('a').getAttribute('href'), base).href, certUrl);
  assert.ok(!(await page.textContent('main')).includes(dnsB), 'the declined request is not listed');
  await page.close();
});
