// orgs.test.mjs: organisations, departments, access codes and delegated administrators in a real browser.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { stackEnv, shot, makeCsr, sessionPool, watchedPage, submit } from './helpers.mjs';

const env = stackEnv();
const base = env.CERTMINT_HTTPS_URL;
const reEsc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// One tag per run, so the test also passes on a stack it already ran against.
const tag = randomBytes(4).toString('hex');
const xssName = `<img src=x onerror="window.__xss=1">Evil "Org" ünï ${tag}`;
// Strong codes: 16+ characters, letters and digits, no common word, no long runs.
const strongCode = () => `Rv7q${randomBytes(6).toString('hex')}Mz`;

// Sets (or rotates) the access code of the organisation or department at url by typing code on its
// own page; the result page shows it once. Returns that page's response.
async function typeCode(page, url, code) {
  await page.goto(url);
  await page.click('main a:has-text("access code")');
  await page.waitForURL(/\/access-code$/);
  await page.check('input#how-type');
  await page.fill('input[name=code]', code);
  return submit(page, 'access code');
}

const pool = sessionPool();
const login = pool.login;
let alice;
let xssOrgUrl;       // the organisation created with the XSS name
let demoOrgUrl;      // Demo Organisation (organisation A)
let engineeringUrl;  // its Engineering department (erin's)
let engineeringCode; // the access code alice sets on Engineering

// Asserts no script from the payload ran and no element from it exists.
async function assertInert(page) {
  assert.equal(await page.evaluate(() => typeof window.__xss), 'undefined');
  assert.equal(await page.locator('main img').count(), 0);
  assert.deepEqual(page.dialogs, []);
}

before(async () => { alice = await login(env.CERTMINT_ADMIN_PRINCIPAL, env.CERTMINT_ADMIN_PASSWORD); });
after(pool.closeAll);

test('MRAO creates an organisation whose name is an XSS payload; it shows as text', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/organizations`);
  await page.click('a:has-text("New organisation")');
  await page.waitForURL(/\/admin\/organizations\/new$/);
  await page.fill('input[name=name]', xssName);
  await page.fill('input[name=address1]', '1 Rue <b>du</b> Test & Co');
  await page.fill('input[name=address2]', 'Bâtiment "B"');
  await page.fill('input[name=city]', 'München');
  await page.fill('input[name=state]', 'Bayern');
  await page.fill('input[name=postal_code]', '80331');
  await page.fill('input[name=country]', 'DE');
  await shot(page, 'org-new-filled');
  await submit(page, 'Create organisation');
  await page.waitForURL(/\/admin\/organizations\/\d+$/);
  xssOrgUrl = page.url();
  await shot(page, 'org-xss-view');

  await assertInert(page);
  assert.equal(await page.textContent('h1'), `Organisation ${xssName}`);
  assert.equal(await page.inputValue('input[name=name]'), xssName);
  assert.equal(await page.inputValue('input[name=address1]'), '1 Rue <b>du</b> Test & Co');
  assert.equal(await page.inputValue('input[name=address2]'), 'Bâtiment "B"');
  assert.equal(await page.inputValue('input[name=city]'), 'München');
  assert.equal(await page.inputValue('input[name=country]'), 'DE');
  const html = await page.content();
  assert.ok(!html.includes('<img src=x'), 'the raw payload is not in the HTML');
  assert.match(html, /&lt;img src=x onerror=/);

  await page.goto(`${base}/admin/organizations`);
  await shot(page, 'org-list-xss');
  await assertInert(page);
  const link = page.locator('table.orgs a', { hasText: tag });
  assert.equal(await link.count(), 1);
  assert.equal(await link.textContent(), xssName);
  assert.equal(new URL(await link.getAttribute('href'), base).href, xssOrgUrl);
  assert.ok(!(await page.content()).includes('<img src=x'));
  await page.close();
});

test('a department: a weak access code is refused next to the field, a strong one is saved', async () => {
  assert.ok(xssOrgUrl, 'the organisation exists');
  const page = await watchedPage(alice);
  await page.goto(xssOrgUrl);
  await page.click('a:has-text("New department")');
  await page.waitForURL(/\/departments\/new$/);
  await page.fill('input[name=name]', `Research ${tag}`);
  await submit(page, 'Create department');
  await page.waitForURL(/\/admin\/departments\/\d+$/);
  const deptUrl = page.url();
  assert.equal(await page.textContent('h1'), `Department Research ${tag}`);
  await assertInert(page);
  assert.equal(await page.textContent('p.crumbs a'), xssName);

  // Self enrollment needs a code, which is set on its own page, not in this form.
  assert.equal(await page.locator('input[name=access_code]').count(), 0, 'no access code input in the settings');
  assert.match(await page.textContent('p.access-code'), /Access code: not set\./);
  await page.check('input[name=self_enrollment]');
  let resp = await submit(page, 'Save');
  assert.equal(resp.status(), 400);
  assert.match(await page.textContent('#access_code-error'), /Self enrollment needs an access code/);
  assert.equal(await page.inputValue('input[name=name]'), `Research ${tag}`);

  // Weak codes are refused next to the field, and what was typed is never written back.
  await page.goto(deptUrl);
  await page.click('main a:has-text("Set access code")');
  await page.waitForURL(/\/access-code$/);
  assert.match(await page.textContent('h1'), /^Set the access code of the department Research/);
  await page.check('input#how-type');
  await page.fill('input[name=code]', 'abc123');
  resp = await submit(page, 'Set access code');
  assert.equal(resp.status(), 400);
  await shot(page, 'dept-weak-code');
  const field = page.locator('div.field.has-error', { has: page.locator('input[name=code]') });
  assert.equal(await field.count(), 1, 'the error sits in the code field');
  assert.match(await field.locator('#code-error').textContent(), /at least 12 characters/i);
  assert.equal(await page.inputValue('input[name=code]'), '', 'the typed code is not written back');
  assert.match(await page.textContent('.error-summary a[href="#code"]'), /at least 12 characters/i);

  // A common word is refused too, with its own reason.
  await page.check('input#how-type');
  await page.fill('input[name=code]', 'Password12345678');
  resp = await submit(page, 'Set access code');
  assert.equal(resp.status(), 400);
  assert.match(await page.textContent('#code-error'), /common word/i);
  assert.ok(!(await page.content()).includes('Password12345678'), 'never echoed');

  const code = strongCode();
  resp = await typeCode(page, deptUrl, code);
  assert.equal(resp.status(), 200, 'the result page');
  await shot(page, 'dept-strong-code');
  assert.equal(await page.textContent('#new-access-code'), code, 'the new code is shown once');
  await page.goto(deptUrl);
  assert.equal(await page.locator('.has-error').count(), 0);
  assert.ok(!(await page.content()).includes(code), 'the department page never shows the code again');
  assert.match(await page.textContent('p.access-code'), new RegExp(`set on .* \\(ends in ${code.slice(-2)}\\)`));
  await page.check('input[name=self_enrollment]');
  resp = await submit(page, 'Save');
  assert.ok(resp.status() === 302 || resp.status() === 303, `redirect after saving, got ${resp.status()}`);
  await page.goto(deptUrl);
  assert.equal(await page.isChecked('input[name=self_enrollment]'), true);

  await page.goto(xssOrgUrl);
  const row = page.locator('table.depts tr', { hasText: `Research ${tag}` });
  assert.equal(await row.count(), 1);
  await page.close();
});

test('MRAO sets an access code on Demo Organisation / Engineering', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/organizations`);
  await page.click('table.orgs a:text-is("Demo Organisation")');
  await page.waitForURL(/\/admin\/organizations\/\d+$/);
  demoOrgUrl = page.url();
  await page.click('table.depts a:text-is("Engineering")');
  await page.waitForURL(/\/admin\/departments\/\d+$/);
  engineeringUrl = page.url();
  engineeringCode = strongCode();
  const resp = await typeCode(page, engineeringUrl, engineeringCode);
  assert.equal(resp.status(), 200);
  assert.equal(await page.textContent('#new-access-code'), engineeringCode);
  await page.goto(engineeringUrl);
  assert.ok(!(await page.content()).includes(engineeringCode), 'shown once, never again');
  await page.close();
});

test('DRAO sees her department but never its access code', async () => {
  assert.ok(engineeringUrl && engineeringCode, 'the code was set');
  const erin = await login(env.CERTMINT_DRAO_PRINCIPAL, env.CERTMINT_DRAO_PASSWORD);
  const page = await watchedPage(erin);
  const resp = await page.goto(engineeringUrl);
  assert.equal(resp.status(), 200);
  await shot(page, 'drao-department');
  assert.equal(await page.textContent('h1'), 'Department Engineering');
  assert.match(await page.textContent('p.access-code'), /ask an MRAO or RAO/);
  assert.equal(await page.locator('input[name=access_code]').count(), 0);
  const html = await page.content();
  assert.ok(!html.includes(engineeringCode), 'the access code is not in the page');
  assert.ok(!html.includes(engineeringCode.slice(4, 14)), 'nor any part of it');
  await page.close();
});

test('RAO of another organisation gets a refusal page without the organisation name', async () => {
  assert.ok(demoOrgUrl, 'organisation A was found');
  const dave = await login(env.CERTMINT_RAO_B_PRINCIPAL, env.CERTMINT_RAO_B_PASSWORD);
  const page = await watchedPage(dave);
  const resp = await page.goto(demoOrgUrl);
  assert.ok([403, 404].includes(resp.status()), `403 or 404, got ${resp.status()}`);
  await shot(page, 'rao-b-org-a');
  const html = await page.content();
  assert.ok(!html.includes('Demo Organisation'), 'organisation A is not named');
  assert.ok(!html.includes(engineeringCode), 'nor its department code');

  const dresp = await page.goto(engineeringUrl);
  assert.ok([403, 404].includes(dresp.status()), `403 or 404, got ${dresp.status()}`);
  assert.ok(!(await page.content()).includes('Engineering'));
  await page.close();
});

test('RAO of Demo Organisation issues a certificate into it from a CSR', async () => {
  const carol = await login(env.CERTMINT_RAO_A_PRINCIPAL, env.CERTMINT_RAO_A_PASSWORD);
  const page = await watchedPage(carol);
  await page.goto(`${base}/admin/certificates/new`);
  const dns = `orgs-${tag}.demo.test`;
  await page.fill('textarea[name=csr]', makeCsr(dns));
  await page.selectOption('select[name=profile]', 'tls-server');
  await page.selectOption('select[name=org]', { label: 'Demo Organisation' });
  await page.click('button:has-text("Preview")');
  await page.waitForLoadState();
  assert.match(await page.textContent('body'), new RegExp(reEsc(dns)));
  assert.equal(await page.inputValue('select[name=org]'),
    await page.locator('select[name=org] option', { hasText: /^Demo Organisation$/ }).getAttribute('value'));
  await page.click('button:has-text("Issue")');
  await page.waitForURL(/\/admin\/certificates\/\d+$/);
  await shot(page, 'rao-a-certificate');
  const body = await page.textContent('body');
  assert.match(body, new RegExp(reEsc(dns)));
  assert.match(body, /Demo Organisation/);
  assert.deepEqual(page.dialogs, []);
  await page.close();
});
