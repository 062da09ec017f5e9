// helpers.mjs: shared set-up for certmint's browser tests (stack.env, chromium, CSRs).
import { readFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export function stackEnv() {
  const dir = process.env.CERTMINT_STACK;
  if (!dir) throw new Error('CERTMINT_STACK is not set');
  const env = {};
  for (const line of readFileSync(join(dir, 'stack.env'), 'utf8').split('\n')) {
    const m = line.match(/^(?:export\s+)?([A-Z0-9_]+)=(.*)$/);
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith("'") && v.endsWith("'")) || (v.startsWith('"') && v.endsWith('"'))) v = v.slice(1, -1);
    env[m[1]] = v;
  }
  return env;
}

// Debian's chromium cannot do Negotiate here (see shared/STACK-NOTES.md):
// the browser logs in with the Kerberos user name and password over TLS,
// which Apache's mod_auth_gssapi checks against the KDC (GssapiBasicAuth).
export async function browserFor(username, password) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // The stack's TLS certificate comes from certmint's own CA, which this
  // throwaway browser profile does not trust; curl checks the chain in
  // tests/integration/10-stack.sh.
  const context = await browser.newContext({
    httpCredentials: { username, password },
    ignoreHTTPSErrors: true,
    acceptDownloads: true,
  });
  return { browser, context };
}

export function shot(page, name) {
  return page.screenshot({ path: join(process.env.CERTMINT_SCREENSHOTS, `${name}.png`), fullPage: true });
}

// Returns a PEM CSR for the given DNS name with a fresh RSA-2048 key.
export function makeCsr(dnsName) {
  const dir = mkdtempSync(join(tmpdir(), 'cm-csr-'));
  execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'csr.pem'),
    '-subj', `/CN=${dnsName}`, '-addext', `subjectAltName=DNS:${dnsName}`], { stdio: 'ignore' });
  return readFileSync(join(dir, 'csr.pem'), 'utf8');
}

// The user name of a Kerberos principal (what the browser types at the login prompt).
export const userOf = (principal) => principal.split('@')[0];

// Logs in and keeps every browser it starts, so one after() hook closes them all.
export function sessionPool() {
  const sessions = [];
  return {
    async login(principal, password) {
      const s = await browserFor(userOf(principal), password);
      sessions.push(s);
      return s;
    },
    async closeAll() { for (const s of sessions) await s.browser.close(); },
  };
}

// A page on which every dialog (alert/confirm/prompt) is recorded in page.dialogs:
// only an injected script could open one, the portal itself uses no JavaScript.
export async function watchedPage(session) {
  const page = await session.context.newPage();
  page.dialogs = [];
  page.on('dialog', async (d) => { page.dialogs.push(d.message()); await d.dismiss(); });
  return page;
}

// Submits the form whose button (inside scope; every admin page's buttons are in
// <main>) has the given text; returns the POST's response.
export async function submit(page, buttonText, scope = 'main') {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    page.click(`${scope} button:has-text("${buttonText}")`),
  ]);
  await page.waitForLoadState();
  return resp;
}
