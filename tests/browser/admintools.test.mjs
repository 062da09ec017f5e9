// admintools.test.mjs: the newer admin pages, driven through the pages only as an MRAO would:
// the certificate list's search, filters, sort and pages (two certificates with several SANs issued
// through the CSR form); Active Directory servers (add, bind to an organisation, delete refused while
// bound, unbind, delete); the administrators' CSV export and import; the persons' CSV import; the
// Customer settings page (self-approval on through its confirmation page, and off again; at phone width too).
// Hostile names stay inert throughout; any dialog fails the test.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackEnv, shot, sessionPool, watchedPage } from './helpers.mjs';

const env = stackEnv();
const base = env.CERTMINT_HTTPS_URL;
const realm = env.CERTMINT_REALM;

// One tag per run: every object is new, so the test passes again on the same stack.
// Names start with "b<tag>-" so that one search prefix finds this run's certificates only.
const tag = randomBytes(4).toString('hex');
const pre = `b${tag}-`;
const hostA = `${pre}api.demo.test`;                  // certificate A: tls-server, CN + 3 DNS SANs
const sansA = [hostA, `${pre}web.demo.test`, `${pre}alt.demo.test`];
// Certificate B: client-smime in Engineering, two e-mail SANs, a hostile CN (no "/": -subj splits on it).
// (a CN holds at most 64 characters)
const cnB = `${pre}mail <img src=x onerror=alert(1)> ${tag}`;
const mailsB = [`${pre}m1@demo.test`, `${pre}m2@demo.test`];
// Hostile names: if any payload ran, it would open a dialog, which fails the test.
const adName = `AD <script>alert("ad-${tag}")</script> & "Corp" ${tag}`;
const orgName = `AD Org <script>alert("org-${tag}")</script> ${tag}`;
const impPrincipal = `imp${tag}@${realm}`;
const impName = `Imp <script>alert('imp-${tag}')</script> O'Neil ${tag}`;
const personMail = `p${tag}@demo.test`;
const personFirst = `<script>alert('person-${tag}')</script>Pat`;
const payloads = ['<script>alert(', '<img src=x'];

const pool = sessionPool();
const login = pool.login;
let alice;
let demoOrg;      // Demo Organisation's id (the CSR form's and the filter's option value)
let engDept;      // its Engineering department's id
let otherOrg;     // Other Organisation's id
let certA;        // { url, id, serial, issuer }
let certB;

// Clicks the button with this text and waits for the navigation it starts (GET or POST);
// returns the main response.
async function press(page, buttonText, scope = 'main') {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()),
    page.click(`${scope} button:has-text("${buttonText}")`),
  ]);
  await page.waitForLoadState();
  return resp;
}

const redirected = (resp) => [302, 303].includes(resp.status());

// No payload ran and none of its elements exists; the raw payloads are not in the HTML.
async function assertInert(page) {
  assert.deepEqual(page.dialogs, [], 'no dialog opened');
  assert.equal(await page.locator('script').count(), 0, 'no <script> element');
  assert.equal(await page.locator('img').count(), 0, 'no <img> element');
  const html = await page.content();
  for (const p of payloads) assert.ok(!html.includes(p), `the raw payload ${p} is not in the HTML`);
}

// The error shown inside the field that holds the control named NAME ('' when none).
async function fieldError(page, name) {
  const field = page.locator('div.field.has-error', { has: page.locator(`[name="${name}"]`) });
  if (await field.count() === 0) return '';
  return (await field.locator('.error-text').first().textContent()).trim();
}

// A CSR with an EC P-256 key: subject CN and these subjectAltName entries ("DNS:x", "email:y").
function csrFor(cn, sans) {
  const dir = mkdtempSync(join(tmpdir(), 'cm-csr-'));
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'csr.pem'), '-utf8',
    '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${sans.join(',')}`], { stdio: 'ignore' });
  return readFileSync(join(dir, 'csr.pem'), 'utf8');
}

// RFC 4180 CSV: rows of cells (quoted cells may hold commas, quotes and line breaks).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// The certificate list's rows: [{ id, cn, match, serial, status }] in page order.
async function listRows(page) {
  return page.$$eval('table.list tbody tr', (trs) => trs.map((tr) => {
    const a = tr.querySelector('td a');
    const tds = [...tr.querySelectorAll('td')].map((td) => td.textContent.trim());
    const byName = document.querySelectorAll('table.list thead th').length === 7;
    return {
      id: Number(a.getAttribute('href').match(/(\d+)$/)[1]),
      cn: a.textContent,
      match: byName ? tds[1] : null,
      serial: tds[byName ? 2 : 1],
      status: tds[byName ? 5 : 4],
    };
  }));
}

// Fills the certificate list's filter form (absent keys are reset to "any") and presses Show.
async function filterCerts(page, f) {
  await page.fill('form.filters input[name=q]', f.q ?? '');
  for (const s of ['type', 'status', 'org', 'dept', 'issuer'])
    await page.selectOption(`form.filters select[name=${s}]`, f[s] ?? '');
  await page.fill('form.filters input[name=expiring]', f.expiring ?? '');
  await page.selectOption('form.filters select[name=sort]', f.sort ?? 'created');
  return press(page, 'Show', 'form.filters');
}

// Issues a certificate through the CSR form (preview first); returns { url, id, serial, issuer }.
async function issue(page, csr, profile, org, shotName) {
  await page.goto(`${base}/admin/certificates`);
  await page.click('main a:has-text("Request or issue a certificate")');
  await page.waitForURL(/\/admin\/certificates\/new$/);
  await page.fill('textarea[name=csr]', csr);
  await page.selectOption('select[name=profile]', profile);
  await page.selectOption('select[name=org]', org);
  await press(page, 'Preview');
  await shot(page, `${shotName}-preview`);
  assert.equal(await page.inputValue('select[name=org]'), org, 'the choice is kept after the preview');
  const resp = await press(page, 'Issue');
  assert.equal(resp.status(), 303, `the issue redirects, got ${resp.status()}`);
  await page.waitForURL(/\/admin\/certificates\/\d+$/);
  await shot(page, `${shotName}-issued`);
  assert.equal(await page.textContent('dt:text-is("Status") + dd'), 'issued');
  const url = page.url();
  return {
    url,
    id: Number(url.match(/(\d+)$/)[1]),
    serial: (await page.textContent('dt:text-is("Serial number") + dd')).trim(),
    issuer: (await page.textContent('dt:text-is("Issuer") + dd')).trim(),
  };
}

before(async () => {
  alice = await login(env.CERTMINT_ADMIN_PRINCIPAL, env.CERTMINT_ADMIN_PASSWORD);
  // The fixture's ids, read from the certificate list's selects (as a user reads them).
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/certificates`);
  const optionValue = async (select, text) => {
    const v = await page.$$eval(`form.filters select[name=${select}] option`,
      (os, t) => os.filter((o) => o.textContent.trim() === t).map((o) => o.value), text);
    assert.equal(v.length, 1, `one "${text}" option in the ${select} select`);
    return v[0];
  };
  demoOrg = await optionValue('org', 'Demo Organisation');
  otherOrg = await optionValue('org', 'Other Organisation');
  engDept = await optionValue('dept', 'Demo Organisation / Engineering');
  await page.close();
});
after(pool.closeAll);

test('1a. MRAO issues two certificates with several SANs through the CSR form', async () => {
  const page = await watchedPage(alice);
  certA = await issue(page, csrFor(hostA, sansA.map((s) => `DNS:${s}`)), 'tls-server', demoOrg, 'tools-01-certA');
  const sans = await page.$$eval('dt:text-is("Subject alternative names") + dd li', (lis) => lis.map((l) => l.textContent));
  for (const s of sansA) assert.ok(sans.some((x) => x.includes(s)), `A's SAN ${s} is shown: ${sans}`);
  assert.match(certA.serial, /^[0-9A-Fa-f:]{8,}$/, `a serial number: ${certA.serial}`);

  certB = await issue(page, csrFor(cnB, mailsB.map((m) => `email:${m}`)), 'client-smime',
    `${demoOrg}/${engDept}`, 'tools-02-certB');
  assert.equal(await page.textContent('dt:text-is("Department") + dd'), 'Engineering');
  const html = await page.content();
  for (const m of mailsB) assert.ok(html.includes(m), `B's e-mail SAN ${m} is shown`);
  assert.ok((await page.textContent('h1')).includes(cnB), 'the hostile CN is shown as text');
  await assertInert(page);
  await page.close();
});

test('1b. certificate list: search by SAN, e-mail SAN and serial; filters; sort; pages; a bad filter', async () => {
  assert.ok(certA && certB, 'both certificates exist');
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/`);
  await page.click('nav a:text-is("Certificates")');
  await page.waitForURL(/\/admin\/certificates$/);

  // A SAN that is not the CN finds A, shown by that name.
  let resp = await filterCerts(page, { q: `${pre}alt` });
  assert.equal(resp.status(), 200);
  assert.match(page.url(), /\?q=b[0-9a-f]+-alt&/, 'the form GETs');
  await shot(page, 'tools-03-search-san');
  let rows = await listRows(page);
  assert.deepEqual(rows.map((r) => r.id), [certA.id], 'the SAN finds certificate A only');
  assert.equal(rows[0].cn, hostA);
  assert.equal(rows[0].match, `${pre}alt.demo.test (dns)`);
  assert.equal(await page.inputValue('input[name=q]'), `${pre}alt`, 'the search stays in the box');

  // An e-mail SAN (the second one, in capitals) finds B.
  await filterCerts(page, { q: mailsB[1].toUpperCase() });
  await shot(page, 'tools-04-search-email');
  rows = await listRows(page);
  assert.deepEqual(rows.map((r) => r.id), [certB.id], 'the e-mail SAN finds certificate B only');
  assert.equal(rows[0].match, `${mailsB[1]} (email)`);
  assert.equal(rows[0].cn, cnB, 'the hostile CN is text in the list');
  await assertInert(page);

  // The serial copied from A's page, with its colons.
  await filterCerts(page, { q: certA.serial });
  await shot(page, 'tools-05-search-serial');
  rows = await listRows(page);
  assert.deepEqual(rows.map((r) => r.id), [certA.id], 'the serial finds certificate A only');
  assert.match(rows[0].match, /\(serial\)$/);
  assert.equal(rows[0].match.replace(/ \(serial\)$/, '').toLowerCase(),
    certA.serial.replace(/:/g, '').toLowerCase(), 'the matching serial is A\'s');

  // The run's prefix finds both; the organisation, department and issuer selects narrow it.
  await filterCerts(page, { q: pre });
  rows = await listRows(page);
  assert.deepEqual(rows.map((r) => r.id).sort(), [certA.id, certB.id].sort(), 'the prefix finds both');
  assert.equal(await page.locator('form.pager').count(), 0, 'two rows: no next page');
  await filterCerts(page, { q: pre, org: demoOrg });
  assert.deepEqual((await listRows(page)).map((r) => r.id).sort(), [certA.id, certB.id].sort(),
    'both are in Demo Organisation');
  assert.equal(await page.inputValue('select[name=org]'), demoOrg, 'the organisation stays chosen');
  await filterCerts(page, { q: pre, org: demoOrg, dept: engDept });
  await shot(page, 'tools-06-filter-dept');
  assert.deepEqual((await listRows(page)).map((r) => r.id), [certB.id], 'only B is in Engineering');
  assert.equal(await page.inputValue('select[name=dept]'), engDept, 'the department stays chosen');
  await filterCerts(page, { q: pre, org: otherOrg });
  assert.equal(await page.locator('table.list').count(), 0, 'none in Other Organisation');
  assert.match(await page.textContent('p.empty'), /No certificates/);
  await filterCerts(page, { q: pre, type: 'client' });
  assert.deepEqual((await listRows(page)).map((r) => r.id), [certB.id], 'the type select: client is B');

  // The issuer select: the option naming A's issuer lists both, any other neither.
  const issuers = await page.$$eval('select[name=issuer] option', (os) =>
    os.filter((o) => o.value).map((o) => ({ value: o.value, text: o.textContent.trim() })));
  assert.ok(issuers.length >= 1, 'the issuer select lists issuing CAs');
  const issuerCn = certA.issuer.match(/CN\s*=\s*([^,/]+)/)[1].trim();
  const mine = issuers.filter((i) => i.text.includes(issuerCn));
  assert.ok(mine.length >= 1, `an issuer option names ${issuerCn}: ${JSON.stringify(issuers)}`);
  let found = 0;
  for (const i of issuers) {
    await filterCerts(page, { q: pre, issuer: i.value });
    assert.equal(await page.inputValue('select[name=issuer]'), i.value, 'the issuer stays chosen');
    const ids = (await listRows(page)).map((r) => r.id).sort();
    if (ids.length) {
      assert.deepEqual(ids, [certA.id, certB.id].sort(), `issuer ${i.text} issued both`);
      found++;
      await shot(page, 'tools-07-filter-issuer');
    }
  }
  assert.equal(found, 1, 'exactly one issuing CA issued them');

  // Sort without a search, over Demo Organisation, following "Next page" as long as a page is full:
  // newest first puts B (issued second) before A; common name A-Z puts A ("…-api") before B ("…-mail").
  const walk = async (sort) => {
    await filterCerts(page, { org: demoOrg, sort });
    assert.equal(await page.inputValue('select[name=sort]'), sort, 'the sort stays chosen');
    const seen = [];
    for (let n = 0; n < 40; n++) {
      const pageRows = await listRows(page);
      seen.push(...pageRows.map((r) => r.id));
      const next = page.locator('form.pager button:has-text("Next page")');
      if (await next.count() === 0) break;
      assert.equal(pageRows.length, 50, 'a page with a "Next page" button is full');
      if (n === 0) await shot(page, `tools-08-sort-${sort}-full-page`);
      const r = await press(page, 'Next page', 'form.pager');
      assert.equal(r.status(), 200, 'the next page opens');
      assert.equal(await page.inputValue('select[name=org]'), demoOrg, 'the next page keeps the filter');
      assert.equal(await page.inputValue('select[name=sort]'), sort, 'the next page keeps the sort');
    }
    assert.equal(new Set(seen).size, seen.length, `sort ${sort}: each certificate is listed once`);
    return seen;
  };
  let seen = await walk('created');
  await shot(page, 'tools-09-sort-created');
  assert.ok(seen.indexOf(certB.id) >= 0 && seen.indexOf(certA.id) > seen.indexOf(certB.id),
    'newest first: B, then A');
  seen = await walk('cn');
  await shot(page, 'tools-10-sort-cn');
  assert.ok(seen.indexOf(certA.id) >= 0 && seen.indexOf(certB.id) > seen.indexOf(certA.id),
    'common name A-Z: A, then B');

  // A bad filter: the error next to its field, everything typed kept, a 400.
  const hostileQ = `<script>alert("q-${tag}")</script>`;
  resp = await filterCerts(page, { q: hostileQ, org: demoOrg, dept: engDept, expiring: '0', sort: 'cn' });
  assert.equal(resp.status(), 400, 'a bad expiry window is refused');
  await shot(page, 'tools-11-bad-filter');
  assert.match(await fieldError(page, 'expiring'), /number of days from 1 to 3650/);
  assert.equal(await fieldError(page, 'q'), '', 'no error at the search');
  assert.equal(await page.inputValue('input[name=expiring]'), '0');
  assert.equal(await page.inputValue('input[name=q]'), hostileQ, 'the hostile search is kept, as text');
  assert.equal(await page.inputValue('select[name=org]'), demoOrg);
  assert.equal(await page.inputValue('select[name=dept]'), engDept);
  assert.equal(await page.inputValue('select[name=sort]'), 'cn');
  assert.equal(await page.locator('table.list').count(), 0, 'nothing is listed');
  assert.match(await page.textContent('p.empty'), /until the filter above is corrected/, 'and the page does not claim there are none');
  await assertInert(page);
  // A department of another organisation than the chosen one.
  resp = await filterCerts(page, { q: pre, org: otherOrg, dept: engDept });
  assert.equal(resp.status(), 400);
  assert.match(await fieldError(page, 'dept'), /belongs to another organisation/);
  assert.equal(await page.inputValue('select[name=org]'), otherOrg);
  assert.equal(await page.inputValue('input[name=q]'), pre);
  await assertInert(page);
  await page.close();
});

test('2. AD servers: a bad URI refused at the field, a good one added, bound, delete refused, unbound, deleted', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/`);
  await page.click('nav a:text-is("AD servers")');
  await page.waitForURL(/\/admin\/ad-servers$/);
  await page.click('main a:has-text("New AD server")');
  await page.waitForURL(/\/admin\/ad-servers\/new$/);
  await page.fill('input[name=name]', adName);
  await page.fill('input[name=domain]', `corp-${tag}.demo.test`);
  await page.fill('input[name=ldap_uris]', `http://dc1.corp-${tag}.demo.test`);
  await page.fill('input[name=base_dn]', 'DC=corp,DC=demo,DC=test');
  let resp = await press(page, 'Add AD server');
  assert.equal(resp.status(), 400, 'a bad URI is refused');
  await shot(page, 'tools-12-ad-bad-uri');
  assert.match(await fieldError(page, 'ldap_uris'), /ldap:\/\/ or ldaps:\/\//);
  assert.equal(await fieldError(page, 'name'), '', 'no error at the name');
  assert.equal(await page.inputValue('input[name=name]'), adName, 'what was typed is kept');
  assert.equal(await page.inputValue('input[name=ldap_uris]'), `http://dc1.corp-${tag}.demo.test`);
  assert.equal(await page.inputValue('input[name=base_dn]'), 'DC=corp,DC=demo,DC=test');
  await assertInert(page);

  await page.fill('input[name=ldap_uris]', `ldaps://dc1.corp-${tag}.demo.test ldap://dc2.corp-${tag}.demo.test:389`);
  resp = await press(page, 'Add AD server');
  assert.ok(redirected(resp), `redirect after adding, got ${resp.status()}`);
  await page.waitForURL(/\/admin\/ad-servers\/\d+(\?done=created)?$/);
  const adUrl = page.url().replace(/\?.*$/, '');
  const adId = adUrl.match(/(\d+)$/)[1];
  await shot(page, 'tools-13-ad-added');
  assert.equal(await page.textContent('h1'), `AD server ${adName}`);
  assert.match(await page.textContent('section.bound'), /None\./);
  assert.ok((await page.textContent('main')).includes(`CORP-${tag.toUpperCase()}.DEMO.TEST`), 'the realm is shown');
  await assertInert(page);
  await page.goto(`${base}/admin/ad-servers`);
  const listRow = page.locator('table.ad-servers tbody tr', { has: page.locator(`a[href="/admin/ad-servers/${adId}"]`) });
  assert.equal(await listRow.locator('a').textContent(), adName, 'the list shows the name as text');
  assert.equal((await listRow.locator('td').last().textContent()).trim(), '0', 'no organisation uses it yet');
  await assertInert(page);

  // A new organisation (hostile name), bound to the server on its page.
  await page.goto(`${base}/admin/organizations`);
  await page.click('a:has-text("New organisation")');
  await page.waitForURL(/\/admin\/organizations\/new$/);
  await page.fill('input[name=name]', orgName);
  await page.fill('input[name=city]', 'Cambridge');
  await page.fill('input[name=country]', 'GB');
  resp = await press(page, 'Create organisation');
  assert.ok(redirected(resp), `redirect after creating, got ${resp.status()}`);
  await page.waitForURL(/\/admin\/organizations\/\d+$/);
  const orgUrl = page.url();
  const orgId = orgUrl.match(/(\d+)$/)[1];
  assert.equal(await page.inputValue('select[name=ad_server]'), '', 'a new organisation uses no server');
  assert.equal(await page.textContent(`select[name=ad_server] option[value="${adId}"]`),
    `${adName} (corp-${tag}.demo.test)`, 'the server is offered by its literal name');
  await page.selectOption('select[name=ad_server]', adId);
  await shot(page, 'tools-14-org-bind');
  resp = await press(page, 'Save');
  assert.ok(redirected(resp), `redirect after saving, got ${resp.status()}`);
  await page.goto(orgUrl);
  await shot(page, 'tools-15-org-bound');
  assert.equal(await page.inputValue('select[name=ad_server]'), adId, 'the organisation shows the server chosen');
  await assertInert(page);

  // The server's page lists the organisation; deleting is refused, naming it.
  await page.goto(adUrl);
  assert.equal(await page.textContent(`section.bound a[href="/admin/organizations/${orgId}"]`), orgName);
  // Delete asks first, on a page that names the server and who uses it.
  await page.click('main a:has-text("Delete AD server")');
  await page.waitForURL(`${adUrl}/delete`);
  assert.equal(await page.textContent('h1'), `Delete the AD server ${adName}?`);
  assert.match(await page.textContent('p.warning'), /refused while organisations use the server/);
  await shot(page, 'tools-16a-ad-delete-confirm');
  resp = await press(page, 'Delete AD server');
  assert.equal(resp.status(), 409, 'deleting a server in use is refused');
  await shot(page, 'tools-16-ad-delete-refused');
  const refusal = (await page.textContent('.delete .has-error .error-text')).trim();
  assert.ok(refusal.includes(`one organisation uses it (${orgName})`), `the refusal names the organisation: ${refusal}`);
  assert.equal(await page.textContent('h1'), `AD server ${adName}`, 'the server is still there');
  await assertInert(page);

  // Unbind on the organisation's page, then delete.
  await page.goto(orgUrl);
  await page.selectOption('select[name=ad_server]', '');
  resp = await press(page, 'Save');
  assert.ok(redirected(resp), `redirect after saving, got ${resp.status()}`);
  await page.goto(orgUrl);
  assert.equal(await page.inputValue('select[name=ad_server]'), '', 'the organisation is unbound');
  await page.goto(adUrl);
  assert.match(await page.textContent('section.bound'), /None\./);
  await page.click('main a:has-text("Delete AD server")');
  await page.waitForURL(`${adUrl}/delete`);
  resp = await press(page, 'Delete AD server');
  assert.ok(redirected(resp), `redirect after deleting, got ${resp.status()}`);
  await page.waitForLoadState();
  await shot(page, 'tools-17-ad-deleted');
  await page.goto(`${base}/admin/ad-servers`);
  assert.equal(await page.locator(`a[href="/admin/ad-servers/${adId}"]`).count(), 0, 'the list no longer shows it');
  resp = await page.goto(adUrl);
  assert.equal(resp.status(), 404, 'its page is gone');
  await page.goto(orgUrl);
  assert.equal(await page.locator(`select[name=ad_server] option[value="${adId}"]`).count(), 0,
    'the organisation page no longer offers it');
  assert.equal(await page.textContent('h1'), `Organisation ${orgName}`, 'the hostile organisation name is text');
  await assertInert(page);
  await page.close();
});

test('3. administrators CSV: export (download) holds alice; import reports a good and a bad row', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/`);
  await page.click('nav a:text-is("Administrators")');
  await page.waitForURL(/\/admin\/admins$/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('main a:has-text("Export CSV")'),
  ]);
  assert.equal(download.suggestedFilename(), 'administrators.csv');
  const rows = parseCsv(readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(rows[0], ['principal', 'name', 'email', 'role', 'cert_types', 'scope'], 'the header');
  const aliceRow = rows.find((r) => r[0] === env.CERTMINT_ADMIN_PRINCIPAL);
  assert.ok(aliceRow, 'alice is in the export');
  assert.deepEqual([aliceRow[3], aliceRow[4], aliceRow[5]], ['mrao', 'ssl,client,codesign', ''], 'alice is an MRAO of everything');
  const listed = await page.$$eval('table.admins tbody tr td:first-child a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(rows.slice(1).map((r) => r[0]).sort(), listed.sort(), 'the export holds the administrators listed');

  await page.click('main a:has-text("Import CSV")');
  await page.waitForURL(/\/admin\/admins\/import$/);
  const q = (s) => `"${s.replace(/"/g, '""')}"`;
  const csv = ['principal,name,email,role,cert_types,scope',
    `${impPrincipal},${q(impName)},imp${tag}@demo.test,drao,"ssl,client",Demo Organisation/Engineering`,
    `bad${tag}@${realm},Bad Role,bad${tag}@demo.test,superuser,ssl,Demo Organisation/Engineering`,
    ''].join('\r\n');
  await page.setInputFiles('input[name=file]', { name: 'admins.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await shot(page, 'tools-18-admins-import-form');
  const resp = await press(page, 'Import');
  assert.equal(resp.status(), 200);
  await shot(page, 'tools-19-admins-import-report');
  assert.equal((await page.textContent('#import-summary')).trim(), '1 added, 1 rejected.');
  const report = await page.$$eval('table.import-report tbody tr', (trs) => trs.map((tr) => ({
    cls: tr.className, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()) })));
  assert.equal(report.length, 2, 'one report line per row');
  assert.deepEqual(report[0].cells.slice(0, 2), ['2', impPrincipal]);
  assert.equal(report[0].cls, 'added');
  assert.match(report[0].cells[2], /added/);
  assert.deepEqual(report[1].cells.slice(0, 2), ['3', `bad${tag}@${realm}`]);
  assert.equal(report[1].cls, 'rejected');
  assert.match(report[1].cells[2], /Choose MRAO, RAO or DRAO/);
  await assertInert(page);

  await page.click('main a:has-text("Back to the administrators")');
  await page.waitForURL(/\/admin\/admins$/);
  await shot(page, 'tools-20-admins-list');
  const row = page.locator('table.admins tbody tr', { has: page.locator(`a:text-is("${impPrincipal}")`) });
  assert.equal(await row.count(), 1, 'the imported administrator is listed');
  const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
  assert.equal(cells[1], impName, 'the hostile name is text');
  assert.match(cells[3], /^drao$/i);
  assert.ok(cells[4].includes('Engineering'), `scoped to Engineering: ${cells[4]}`);
  assert.equal(await page.locator(`a:text-is("bad${tag}@${realm}")`).count(), 0, 'the bad row was not added');
  await assertInert(page);
  await page.close();
});

test('4. persons CSV import: a good and a bad row, the report, the new person listed', async () => {
  const page = await watchedPage(alice);
  await page.goto(`${base}/admin/`);
  await page.click('nav a:text-is("Persons")');
  await page.waitForURL(/\/admin\/persons$/);
  await page.click('main a:has-text("Import CSV")');
  await page.waitForURL(/\/admin\/persons\/import$/);
  const csv = ['email,first_name,last_name,principal_name,organisation,department',
    `${personMail},"${personFirst.replace(/"/g, '""')}",Imported,,Demo Organisation,Engineering`,
    `p${tag}@other.test,Cy,Elsewhere,,Demo Organisation,`,
    ''].join('\r\n');
  await page.setInputFiles('input[name=file]', { name: 'persons.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const resp = await press(page, 'Import');
  assert.equal(resp.status(), 200);
  await shot(page, 'tools-21-persons-import-report');
  assert.equal((await page.textContent('#import-summary')).trim(), '1 added, 1 rejected.');
  const report = await page.$$eval('table.import-report tbody tr', (trs) => trs.map((tr) => ({
    cls: tr.className, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()) })));
  assert.equal(report.length, 2, 'one report line per row');
  assert.deepEqual(report[0].cells.slice(0, 2), ['2', personMail]);
  assert.equal(report[0].cls, 'added');
  assert.deepEqual(report[1].cells.slice(0, 2), ['3', `p${tag}@other.test`]);
  assert.equal(report[1].cls, 'rejected');
  assert.match(report[1].cells[2], /not a validated domain delegated/);
  await assertInert(page);

  await page.click('main a:has-text("Back to the persons")');
  await page.waitForURL(/\/admin\/persons$/);
  await page.fill('form.filters input[name=q]', `p${tag}`);
  await press(page, 'Search', 'form.filters');
  await shot(page, 'tools-22-persons-list');
  const rows = page.locator('table.persons tbody tr');
  assert.equal(await rows.count(), 1, 'the imported person is found, the rejected one is not');
  const cells = (await rows.first().locator('td').allTextContents()).map((c) => c.trim());
  assert.equal(cells[0], personMail);
  assert.equal(cells[1], `${personFirst} Imported`, 'the hostile first name is text');
  assert.equal(cells[3], 'Demo Organisation');
  assert.equal(cells[4], 'Engineering');
  await assertInert(page);
  await page.close();
});

test('5. Customer settings: self-approval on through its confirmation page, then off again; at phone width', async () => {
  const page = await watchedPage(alice);
  try {
    await page.goto(`${base}/admin/`);
    await page.click('nav a:text-is("Settings")');
    await page.waitForURL(/\/admin\/settings$/);
    assert.equal(await page.textContent('h1'), 'Customer settings');
    assert.equal(await page.isChecked('#self_approve-off'), true, 'No is chosen (the default)');
    assert.match(await page.textContent('#self_approve-hint'), /four-eyes rule/);
    await shot(page, 'tools-23-settings');
    await page.check('#self_approve-on');
    let resp = await press(page, 'Save');
    assert.ok(redirected(resp), `choosing Yes redirects to the confirmation, got ${resp.status()}`);
    await page.waitForURL(/\/admin\/settings\/allow-self-approval$/);
    assert.equal(await page.textContent('h1'), 'Let requesters approve their own requests?');
    assert.match(await page.textContent('p.consequence'), /approve and issue it alone/);
    await shot(page, 'tools-24-settings-confirm');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'tools-25-settings-confirm-phone');
    resp = await press(page, 'Let requesters approve their own requests');
    assert.ok(redirected(resp), `confirming redirects, got ${resp.status()}`);
    await page.waitForURL(/\/admin\/settings\?saved=1$/);
    assert.match(await page.textContent('#settings-saved'), /Settings saved/);
    assert.equal(await page.isChecked('#self_approve-on'), true, 'Yes is now chosen');
    await shot(page, 'tools-26-settings-saved-phone');
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.check('#self_approve-off');
    resp = await press(page, 'Save');
    assert.ok(redirected(resp), `choosing No saves at once, got ${resp.status()}`);
    await page.waitForURL(/\/admin\/settings\?saved=1$/);
    assert.equal(await page.isChecked('#self_approve-off'), true, 'No is chosen again');
    await assertInert(page);
  } finally {
    // The stack may be shared: the setting goes back to its default whatever happened above.
    await page.goto(`${base}/admin/settings`);
    if (await page.isChecked('#self_approve-on')) {
      await page.check('#self_approve-off');
      await press(page, 'Save');
    }
    await page.close();
  }
});
