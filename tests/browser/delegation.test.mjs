// delegation.test.mjs: the whole delegated-administration story, in order, through the pages only:
// an MRAO builds an organisation, a department, access codes, a validated and delegated domain and a
// DRAO (the stack's spare principal, gina); the DRAO never sees an access code and requests a
// certificate; the MRAO approves it; hostile department and administrator names stay inert.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stackEnv, shot, makeCsr, sessionPool, watchedPage, submit } from './helpers.mjs';

const env = stackEnv();
const base = env.CERTMINT_HTTPS_URL;
const reEsc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// One tag per run: every object is new, so the test passes again on the same stack.
const tag = randomBytes(4).toString('hex');
const orgName = `Delegation ${tag}`;
// Hostile names: either payload, if it ran, would open a dialog (the page fails on any).
const deptName = `Ops <script>alert("dept-${tag}")</script> "R&D" ünï ${tag}`;
const ginaName = `Gina <img src=x onerror="alert('admin-${tag}')"> O'Neil ${tag}`;
const domain = `deleg-${tag}.example.test`;  // inside the stack signer's [namespaces]
const host = `www.${domain}`;
// Strong codes: 16+ characters, letters and digits, no common word, no long runs.
const strongCode = () => `Kq9v${randomBytes(6).toString('hex')}Xw`;
const orgCode = strongCode();
const deptCode = strongCode();
let orgCodeState, deptCodeState;   // what the MRAO's pages say of each code once set

// Types code on the access-code page of the organisation or department at url (Set/Rotate access
// code); the result page shows it once. Returns that page's response.
async function typeCode(page, url, code) {
  await page.goto(url);
  await page.click('main a:has-text("access code")');
  await page.waitForURL(/\/access-code$/);
  await page.check('input#how-type');
  await page.fill('input[name=code]', code);
  return submit(page, 'access code');
}
const gina = { principal: env.CERTMINT_SPARE_PRINCIPAL, password: env.CERTMINT_SPARE_PASSWORD };

const pool = sessionPool();
const login = pool.login;
let alice;
let ginaSession;
let orgId;
let deptId;
let domainUrl;
let certUrl;

const redirected = (resp) => [302, 303].includes(resp.status());

// No payload ran and none of its elements exists; what the portal shows stays text.
async function assertInert(page) {
  assert.deepEqual(page.dialogs, [], 'no dialog opened');
  assert.equal(await page.locator('img').count(), 0, 'no <img> element from a payload');
  assert.equal(await page.locator('script').count(), 0, 'no <script> element from a payload');
  const html = await page.content();
  assert.ok(!html.includes(`<script>alert("dept-${tag}")`), 'the raw department payload is not in the HTML');
  assert.ok(!html.includes('<img src=x'), 'the raw administrator payload is not in the HTML');
}

// The access codes appear nowhere: not in the HTML, not in any form control.
async function assertNoCode(page) {
  const html = await page.content();
  for (const code of [orgCode, deptCode]) {
    assert.ok(!html.includes(code), 'the access code is not in the page');
    assert.ok(!html.includes(code.slice(4, 14)), 'nor any part of it');
  }
  const values = await page.$$eval('input, textarea, select', (els) => els.map((e) => e.value));
  for (const v of values) assert.ok(v !== orgCode && v !== deptCode, 'no form control holds an access code');
  assert.equal(await page.locator('input[name=access_code]').count(), 0, 'no access code field');
}

before(async () => {
  assert.ok(gina.principal && gina.password,
    'stack.env has CERTMINT_SPARE_PRINCIPAL/PASSWORD (restart the stack with the current tests/stack.sh)');
  alice = await login(env.CERTMINT_ADMIN_PRINCIPAL, env.CERTMINT_ADMIN_PASSWORD);
});
after(pool.closeAll);

test('1. MRAO creates an organisation with manual SSL approval, then sets its access code (shown once)', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/organizations`);
  await page.click('a:has-text("New organisation")');
  await page.waitForURL(/\/admin\/organizations\/new$/);
  await page.fill('input[name=name]', orgName);
  await page.fill('input[name=city]', 'Cambridge');
  await page.fill('input[name=country]', 'GB');
  assert.equal(await page.locator('input[name=access_code]').count(), 0, 'the code is not part of this form');
  await page.uncheck('input[name=ssl_auto_approve]');
  await shot(page, 'deleg-01-org-new');
  const resp = await submit(page, 'Create organisation');
  assert.ok(redirected(resp), `redirect after creating, got ${resp.status()}`);
  await page.waitForURL(/\/admin\/organizations\/\d+$/);
  orgId = Number(page.url().match(/(\d+)$/)[1]);
  await shot(page, 'deleg-02-org-created');
  assert.equal(await page.textContent('h1'), `Organisation ${orgName}`);
  assert.equal(await page.isChecked('input[name=ssl_auto_approve]'), false, 'SSL requests wait for approval');
  // The access code: set on its own page, shown once; then self enrollment can be turned on.
  const cresp = await typeCode(page, page.url(), orgCode);
  assert.equal(cresp.status(), 200);
  assert.equal(await page.textContent('#new-access-code'), orgCode, 'the MRAO sees the code once');
  await page.goto(`${base}/admin/organizations/${orgId}`);
  orgCodeState = await page.textContent('p.access-code');
  assert.match(orgCodeState, new RegExp(`set on .* \\(ends in ${orgCode.slice(-2)}\\)`));
  assert.ok(!(await page.content()).includes(orgCode), 'and never again');
  await page.check('input[name=self_enrollment]');
  const sresp = await submit(page, 'Save');
  assert.ok(redirected(sresp), `redirect after saving, got ${sresp.status()}`);
  await page.goto(`${base}/admin/organizations/${orgId}`);
  assert.equal(await page.isChecked('input[name=self_enrollment]'), true);
  await assertInert(page);
  await page.close();
});

test('2. MRAO adds a department (hostile name); a weak access code is refused next to the field, a strong one set and shown once', async () => {
  assert.ok(orgId, 'the organisation exists');
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/organizations/${orgId}`);
  await page.click('a:has-text("New department")');
  await page.waitForURL(/\/departments\/new$/);
  await page.fill('input[name=name]', deptName);
  const cresp = await submit(page, 'Create department');
  assert.ok(redirected(cresp), `redirect after creating, got ${cresp.status()}`);
  await page.waitForURL(/\/admin\/departments\/\d+$/);
  deptId = Number(page.url().match(/(\d+)$/)[1]);
  assert.equal(await page.textContent('h1'), `Department ${deptName}`);
  assert.equal(await page.inputValue('input[name=name]'), deptName);
  assert.equal(await page.textContent('p.crumbs a'), orgName);
  await assertInert(page);

  await page.goto(`${base}/admin/departments/${deptId}/access-code`);
  await page.check('input#how-type');
  await page.fill('input[name=code]', 'abcd1234');
  let resp = await submit(page, 'Set access code');
  assert.equal(resp.status(), 400);
  await shot(page, 'deleg-03-dept-weak-code');
  const field = page.locator('div.field.has-error', { has: page.locator('input[name=code]') });
  assert.equal(await field.count(), 1, 'the error sits in the code field');
  assert.match(await field.locator('#code-error').textContent(), /at least 12 characters/i);
  assert.equal(await page.inputValue('input[name=code]'), '', 'what was typed is never written back');
  await assertInert(page);

  resp = await typeCode(page, `${base}/admin/departments/${deptId}`, deptCode);
  assert.equal(resp.status(), 200);
  assert.equal(await page.textContent('#new-access-code'), deptCode);
  await page.goto(`${base}/admin/departments/${deptId}`);
  await page.check('input[name=self_enrollment]');
  resp = await submit(page, 'Save');
  assert.ok(redirected(resp), `redirect after saving, got ${resp.status()}`);
  await page.goto(`${base}/admin/departments/${deptId}`);
  await shot(page, 'deleg-04-dept-strong-code');
  assert.equal(await page.locator('.has-error').count(), 0);
  deptCodeState = await page.textContent('p.access-code');
  assert.match(deptCodeState, new RegExp(`set on .* \\(ends in ${deptCode.slice(-2)}\\)`));
  assert.equal(await page.isChecked('input[name=self_enrollment]'), true);

  await page.goto(`${base}/admin/organizations/${orgId}`);
  const link = page.locator(`table.depts a[href="/admin/departments/${deptId}"]`);
  assert.equal(await link.textContent(), deptName, 'the department is listed by its literal name');
  await assertInert(page);
  await page.close();
});

test('3. MRAO adds a domain, marks it validated and delegates it to the department for SSL', async () => {
  assert.ok(orgId && deptId, 'the department exists');
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/domains`);
  await page.click('a:has-text("New domain")');
  await page.waitForURL(/\/admin\/domains\/new$/);
  // One label is not a domain: refused next to the field, the input kept.
  await page.fill('input[name=name]', `deleg-${tag}`);
  let resp = await submit(page, 'Add domain');
  assert.equal(resp.status(), 400);
  assert.match(await page.textContent('#name-error'), /at least two labels/);
  assert.equal(await page.inputValue('input[name=name]'), `deleg-${tag}`);
  await page.fill('input[name=name]', domain);
  resp = await submit(page, 'Add domain');
  assert.ok(redirected(resp), `redirect after adding, got ${resp.status()}`);
  await page.waitForURL(/\/admin\/domains\/\d+$/);
  domainUrl = page.url();
  await shot(page, 'deleg-05-domain-added');
  assert.equal(await page.textContent('#domain-name'), domain);
  assert.doesNotMatch(await page.textContent('#validation-state'), /^validated/);
  assert.equal(await page.textContent('#validated-at'), 'never');

  resp = await submit(page, 'Mark validated');
  assert.ok(redirected(resp), `redirect after validating, got ${resp.status()}`);
  await page.goto(domainUrl);
  assert.match(await page.textContent('#validation-state'), /^validated/);
  assert.match(await page.textContent('#validated-at'), /^\d{4}-\d\d-\d\d.* UTC$/);

  // The department's option is labelled "organisation / department", with the payload as text.
  const option = page.locator(`select[name=target] option[value="${orgId}/${deptId}"]`);
  assert.equal(await option.textContent(), `${orgName} / ${deptName}`);
  await page.selectOption('select[name=target]', `${orgId}/${deptId}`);
  await page.check('input[name=type_ssl]');
  await page.uncheck('input[name=type_client]');
  await page.uncheck('input[name=type_codesign]');
  await shot(page, 'deleg-06-domain-delegate-form');
  resp = await submit(page, 'Delegate');
  assert.ok(redirected(resp), `redirect after delegating, got ${resp.status()}`);
  await page.goto(domainUrl);
  await shot(page, 'deleg-07-domain-delegated');
  const rows = page.locator('table.delegations tbody tr');
  assert.equal(await rows.count(), 1, 'one delegation');
  const cells = await rows.first().locator('td').allTextContents();
  assert.equal(cells[0], orgName);
  assert.equal(cells[1], deptName);
  assert.match(cells[2], /^ssl$/i);
  await assertInert(page);
  await page.close();
});

test('4. MRAO makes gina a DRAO of the department (SSL and client) on the administrators pages', async () => {
  assert.ok(orgId && deptId, 'the department exists');
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/admins`);
  // gina has no administrator row on a fresh stack; on a stack this test
  // already ran against she is one (administrators are soft-deleted and
  // cannot be re-added through the pages), so her row is edited instead.
  const existing = page.locator('table.admins a', { hasText: new RegExp(`^${reEsc(gina.principal)}$`) });
  let resp;
  if (await existing.count() === 0) {
    await page.click('a:has-text("New administrator")');
    await page.waitForURL(/\/admin\/admins\/new$/);
    await page.fill('input[name=principal]', gina.principal);
    await page.fill('input[name=name]', ginaName);
    await page.fill('input[name=email]', `gina-${tag}@example.test`);
    await page.selectOption('select[name=role]', 'drao');
    // A DRAO without a department is refused next to the scope field.
    resp = await submit(page, 'Add administrator');
    assert.equal(resp.status(), 400);
    assert.equal(await page.locator('div.field.has-error select[name=scope]').count(), 1, 'the error sits at the scope');
    assert.equal(await page.inputValue('input[name=principal]'), gina.principal, 'what was typed is kept');
    assert.equal(await page.inputValue('input[name=name]'), ginaName);
    await assertInert(page);
    await page.selectOption('select[name=scope]', `${orgId}/${deptId}`);
    await page.check('input[name=type_ssl]');
    await page.check('input[name=type_client]');
    await page.uncheck('input[name=type_codesign]');
    await shot(page, 'deleg-08-admin-new');
    resp = await submit(page, 'Add administrator');
  } else {
    await existing.click();
    await page.waitForURL(/\/admin\/admins\/\d+$/);
    await page.fill('input[name=name]', ginaName);
    await page.fill('input[name=email]', `gina-${tag}@example.test`);
    await page.selectOption('select[name=role]', 'drao');
    await page.selectOption('select[name=scope]', `${orgId}/${deptId}`);
    await page.check('input[name=type_ssl]');
    await page.check('input[name=type_client]');
    await page.uncheck('input[name=type_codesign]');
    await shot(page, 'deleg-08-admin-edit');
    resp = await submit(page, 'Save');
  }
  assert.ok(redirected(resp), `redirect after saving the administrator, got ${resp.status()}`);
  await page.waitForURL(/\/admin\/admins\/\d+$/);
  await shot(page, 'deleg-09-admin-saved');
  assert.equal(await page.textContent('h1'), `Administrator ${gina.principal}`);
  assert.equal(await page.inputValue('input[name=name]'), ginaName);
  assert.equal(await page.inputValue('select[name=role]'), 'drao');
  assert.equal(await page.inputValue('select[name=scope]'), `${orgId}/${deptId}`);
  assert.equal(await page.isChecked('input[name=type_ssl]'), true);
  assert.equal(await page.isChecked('input[name=type_client]'), true);
  assert.equal(await page.isChecked('input[name=type_codesign]'), false);
  await assertInert(page);

  await page.goto(`${base}/admin/admins`);
  await shot(page, 'deleg-10-admin-list');
  const row = page.locator('table.admins tbody tr', { hasText: gina.principal });
  assert.equal(await row.count(), 1);
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[1], ginaName, 'the name is shown as text');
  assert.match(cells[3], /^drao$/i);
  assert.ok(cells[4].includes(deptName), `the scope names the department: ${cells[4]}`);
  await assertInert(page);
  await page.close();
});

test('5. gina logs in: she sees her department, never an access code', async () => {
  assert.ok(orgId && deptId, 'the department exists');
  ginaSession = await login(gina.principal, gina.password);
  const page = await watchedPage(ginaSession);
  let resp = await page.goto(`${base}/admin/`);
  assert.equal(resp.status(), 200);
  await shot(page, 'deleg-11-drao-home');
  assert.equal(await page.textContent('header .user'), ginaName, 'her hostile name is text in the header');
  assert.match(await page.textContent('header .role'), /^drao$/i);
  await assertInert(page);

  // Her organisation is listed and opens read-only, without its code.
  await page.click('nav a:text-is("Organisations")');
  await page.waitForURL(/\/admin\/organizations$/);
  await page.click(`a[href="/admin/organizations/${orgId}"]`);
  await page.waitForURL(new RegExp(`/admin/organizations/${orgId}$`));
  await shot(page, 'deleg-12-drao-org');
  assert.equal(await page.textContent('h1'), `Organisation ${orgName}`);
  assert.match(await page.textContent('p.access-code'), /ask an MRAO or RAO \(one is set\)/);
  assert.equal(await page.locator('button:has-text("Save")').count(), 0, 'the organisation is read-only for her');
  await assertNoCode(page);
  await assertInert(page);

  // Her department, editable, without its code.
  await page.click(`table.depts a[href="/admin/departments/${deptId}"]`);
  await page.waitForURL(new RegExp(`/admin/departments/${deptId}$`));
  await shot(page, 'deleg-13-drao-dept');
  assert.equal(await page.textContent('h1'), `Department ${deptName}`);
  assert.match(await page.textContent('p.access-code'), /ask an MRAO or RAO \(one is set\)/);
  await assertNoCode(page);
  await assertInert(page);

  // The delegated domain is in her list.
  await page.goto(`${base}/admin/domains?q=${encodeURIComponent(domain)}`);
  assert.equal(await page.locator('table.domains a', { hasText: new RegExp(`^${reEsc(domain)}$`) }).count(), 1);
  await page.close();
});

test('6. gina cannot set an access code, even with a forged field, and saving keeps the codes', async () => {
  assert.ok(ginaSession, 'gina is logged in');
  const page = await watchedPage(ginaSession);
  await page.goto(`${base}/admin/departments/${deptId}`);
  // The form as a hostile DRAO would send it: an access_code field added by hand.
  await page.evaluate(() => {
    const f = document.querySelector('form.dept');
    const i = document.createElement('input');
    i.type = 'hidden';
    i.name = 'access_code';
    i.value = 'Forged7Code9xyzQ';
    f.appendChild(i);
  });
  // She may edit her department: the save goes through, the forged field is ignored.
  let resp = await submit(page, 'Save');
  assert.ok(redirected(resp), `redirect after saving, got ${resp.status()}`);
  await page.goto(`${base}/admin/departments/${deptId}`);
  assert.ok(!(await page.content()).includes('Forged7Code9xyzQ'));
  await assertNoCode(page);

  // The organisation is not hers to save at all.
  resp = await page.request.post(`${base}/admin/organizations/${orgId}`, {
    form: { csrf: await page.inputValue('input[name=csrf]'), name: orgName, access_code: 'Forged7Code9xyzQ' },
    maxRedirects: 0,
  });
  assert.ok([403, 404].includes(resp.status()), `saving the organisation is refused, got ${resp.status()}`);
  assert.ok(!(await resp.text()).includes(orgCode));
  await page.close();

  // The MRAO still sees both codes unchanged.
  const apage = await watchedPage(alice);
  await apage.goto(`${base}/admin/departments/${deptId}`);
  assert.equal(await apage.textContent('p.access-code'), deptCodeState, 'the department code is unchanged');
  assert.equal(await apage.isChecked('input[name=self_enrollment]'), true);
  await apage.goto(`${base}/admin/organizations/${orgId}`);
  assert.equal(await apage.textContent('p.access-code'), orgCodeState, 'the organisation code is unchanged');
  await apage.close();
});

test('7. gina requests an SSL certificate in her department: it waits as "requested"', async () => {
  assert.ok(ginaSession, 'gina is logged in');
  const page = await watchedPage(ginaSession);
  await page.goto(`${base}/admin/`);
  await page.click('nav a:text-is("New certificate")');
  await page.waitForURL(/\/admin\/certificates\/new$/);
  const value = `${orgId}/${deptId}`;
  assert.equal(await page.locator(`select[name=org] option[value="${value}"]`).textContent(), `${orgName} / ${deptName}`);
  await page.fill('textarea[name=csr]', makeCsr(host));
  await page.selectOption('select[name=profile]', 'tls-server');
  await page.selectOption('select[name=org]', value);
  await page.click('button:has-text("Preview")');
  await page.waitForLoadState();
  await shot(page, 'deleg-14-drao-preview');
  assert.equal(await page.textContent('section.preview dt:text-is("Common name") + dd'), host);
  assert.equal(await page.inputValue('select[name=org]'), value, 'the choice is kept');
  await assertInert(page);
  const resp = await submit(page, 'Issue');
  assert.equal(resp.status(), 303);
  await page.waitForURL(/\/admin\/certificates\/\d+$/);
  certUrl = page.url();
  await shot(page, 'deleg-15-drao-requested');
  assert.equal(await page.textContent('dt:text-is("Status") + dd'), 'requested');
  assert.equal(await page.textContent('h1'), `Request ${host}`);
  assert.equal(await page.textContent('dt:text-is("Organisation") + dd'), orgName);
  assert.equal(await page.textContent('dt:text-is("Department") + dd'), deptName);
  assert.match(await page.textContent('dt:text-is("Requested by") + dd'), new RegExp(reEsc(gina.principal)));
  assert.equal(await page.locator('a[href*="/download?format="]').count(), 0, 'nothing to download yet');
  await assertInert(page);
  await page.close();
});

test('8. MRAO approves it: issued, with serial, chain and downloads; the PEM matches', async () => {
  assert.ok(certUrl, 'the request exists');
  const page = await watchedPage(alice);
  await page.goto(certUrl);
  assert.equal(await page.textContent('dt:text-is("Status") + dd'), 'requested');
  const resp = await submit(page, 'Approve and issue');
  assert.equal(resp.status(), 303);
  await page.waitForURL(certUrl);
  await shot(page, 'deleg-16-issued');
  assert.equal(await page.textContent('dt:text-is("Status") + dd'), 'issued');
  assert.equal(await page.textContent('h1'), `Certificate ${host}`);
  assert.match(await page.textContent('dt:text-is("Approved by") + dd'), new RegExp(reEsc(env.CERTMINT_ADMIN_PRINCIPAL)));
  const serial = (await page.textContent('dt:text-is("Serial number") + dd')).trim();
  assert.match(serial, /^[0-9A-Fa-f:]{8,}$/, `a serial number: ${serial}`);
  assert.ok(await page.locator('ol.chain li').count() >= 1, 'the chain is shown');
  for (const f of ['pem', 'chain', 'der', 'p7b'])
    assert.equal(await page.locator(`p.downloads a[href$="format=${f}"]`).count(), 1, `a ${f} download link`);
  assert.equal(await page.textContent('dt:text-is("Department") + dd'), deptName);
  await assertInert(page);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('p.downloads a[href$="format=pem"]'),
  ]);
  const path = await download.path();
  assert.equal((readFileSync(path, 'utf8').match(/-----BEGIN CERTIFICATE-----/g) || []).length, 1);
  const text = execFileSync('openssl', ['x509', '-noout', '-subject', '-serial', '-ext', 'subjectAltName',
    '-nameopt', 'RFC2253', '-in', path]).toString();
  assert.match(text, new RegExp(`^subject=CN=${reEsc(host)}$`, 'm'));
  assert.match(text, new RegExp(`DNS:${reEsc(host)}\\s*$`, 'm'));
  const opensslSerial = text.match(/^serial=([0-9A-F]+)$/m)[1];
  assert.equal(opensslSerial.replace(/^0+/, ''), serial.replace(/:/g, '').toUpperCase().replace(/^0+/, ''),
    'the downloaded certificate is the one shown');
  await page.close();

  // gina sees the issued certificate in her scope too.
  const gpage = await watchedPage(ginaSession);
  const gresp = await gpage.goto(certUrl);
  assert.equal(gresp.status(), 200);
  assert.equal(await gpage.textContent('dt:text-is("Status") + dd'), 'issued');
  await shot(gpage, 'deleg-17-drao-sees-issued');
  await assertInert(gpage);
  await gpage.close();
});
