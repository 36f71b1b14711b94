// Browser test of the login, consent, error and evidence pages (ctest label e2e).
//
//   node tests/e2e/authz_ui.mjs --server build/x/tests/authz_ui/ui_test_server \
//        --artifacts build/x/e2e-artifacts
//
// Starts the test server (it prints its URLs), drives Debian's chromium through playwright-core:
// sign in, allow, deny, a wrong password, the evidence page and an error page; at 320 px (no
// horizontal scroll) and at desktop width; with JavaScript disabled (the pages must not need it);
// fails on any Content-Security-Policy violation the page reports. Screenshots go to --artifacts.
// Exit status: 0 all passed, 1 a check failed, 77 skipped (no chromium or playwright-core).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CHROMIUM = '/usr/bin/chromium';

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const serverPath = arg('--server');
const artifacts = arg('--artifacts') ?? join(tmpdir(), 'gridgate-e2e-artifacts');
if (!serverPath) {
  console.error('usage: authz_ui.mjs --server PATH [--artifacts DIR]');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: ${CHROMIUM} not installed (scripts/install-deps.sh)`);
  process.exit(77);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.log('skipped: playwright-core not installed (npm ci in tests/e2e)');
  process.exit(77);
}
mkdirSync(artifacts, { recursive: true });

// --- the server -------------------------------------------------------------------------------

const server = spawn(serverPath, [], { stdio: ['pipe', 'pipe', 'inherit'] });
const urls = await new Promise((resolve, reject) => {
  const rl = createInterface({ input: server.stdout });
  rl.once('line', (line) => resolve(JSON.parse(line)));
  server.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
  setTimeout(() => reject(new Error('test server did not start in 60 s')), 60000);
});

async function push(state = 'e2e-state') {
  const res = await fetch(`${urls.admin}/test/par`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ state }),
  });
  return (await res.json()).authorize_url;
}

// --- the browser ------------------------------------------------------------------------------

const profiles = [];
async function browser({ javaScriptEnabled = true, width = 1280, height = 800 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gridgate-chromium-'));
  profiles.push(dir);
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ignoreHTTPSErrors: true, // the test PKI's CA is not in chromium's store
    javaScriptEnabled,
    viewport: { width, height },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.cspViolations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) page.cspViolations.push(msg.text());
  });
  return { context, page };
}

// --- checks -----------------------------------------------------------------------------------

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, false]);
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}
async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}
async function noHorizontalScroll(page, width) {
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(sw <= width, `page is ${sw} px wide at a ${width} px viewport`);
}
// The 320 px checks measure with Playwright's evaluate (the pages have no script of their own);
// the no-script runs check that every step still works without JavaScript.
async function signIn(page, password = urls.password) {
  await page.fill('#username', urls.username);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit].primary')]);
}
function params(url) {
  return new URL(url).searchParams;
}

try {
  await check('320px: login, consent and allow; no horizontal scroll; no CSP violation', async () => {
    const { context, page } = await browser({ width: 320, height: 640 });
    try {
      const res = await page.goto(await push('state-320'));
      assert(res.status() === 200, `login page status ${res.status()}`);
      assert((await page.title()).includes('Sign in'), `title ${await page.title()}`);
      assert((await page.textContent('h1')).includes('Sign in to Example Energy'), 'login h1');
      await noHorizontalScroll(page, 320);
      await shot(page, 'login-320');
      await signIn(page);
      const h1 = await page.textContent('h1');
      assert(h1.includes('Allow Carbon Accounting <Demo> & Co'), `consent h1: ${h1}`);
      const text = await page.textContent('main');
      assert(text.includes('Energy consumption data (licence of 2024-12-05)'), 'licence words');
      assert(text.includes('12 months'), 'duration');
      await noHorizontalScroll(page, 320);
      await shot(page, 'consent-320');
      // Keyboard focus is visible (the Allow button after tabbing to it).
      await page.focus('button[value=deny]');
      await page.keyboard.press('Shift+Tab');
      await shot(page, 'consent-320-focus');
      await Promise.all([page.waitForURL(`${urls.client}/callback**`), page.click('button[value=allow]')]);
      const p = params(page.url());
      assert(p.get('code')?.length >= 43, 'code');
      assert(p.get('state') === 'state-320', `state ${p.get('state')}`);
      assert(p.get('iss') === 'https://as.example', `iss ${p.get('iss')}`);
      await shot(page, 'client-callback-320');
      assert(page.cspViolations.length === 0, `CSP violations: ${page.cspViolations.join(' | ')}`);
    } finally {
      await context.close();
    }
  });

  await check('320px: evidence page of that grant', async () => {
    const { context, page } = await browser({ width: 320, height: 640 });
    try {
      const { evidence_url } = await (await fetch(`${urls.admin}/test/last-evidence`)).json();
      const res = await page.goto(evidence_url);
      assert(res.status() === 200, `evidence status ${res.status()}`);
      assert((await page.textContent('h1')).includes('has permission'), 'evidence h1');
      assert((await page.textContent('.status')).includes('Active'), 'status');
      await noHorizontalScroll(page, 320);
      await shot(page, 'evidence-320');
      const missing = await page.goto(`${urls.public}/evidence/AAAAAAAAAAAAAAAAAAAAAA`);
      assert(missing.status() === 404, `unknown evidence status ${missing.status()}`);
      await noHorizontalScroll(page, 320);
      await shot(page, 'evidence-404-320');
      assert(page.cspViolations.length === 0, `CSP violations: ${page.cspViolations.join(' | ')}`);
    } finally {
      await context.close();
    }
  });

  await check('JavaScript disabled: wrong password, then sign in and deny', async () => {
    const { context, page } = await browser({ javaScriptEnabled: false, width: 1280, height: 860 });
    try {
      await page.goto(await push('state-deny'));
      await shot(page, 'login-desktop');
      await signIn(page, 'not the password');
      assert(
        (await page.textContent('[role=alert]')).includes('username or password is not correct'),
        'error message shown',
      );
      assert((await page.inputValue('#username')) === urls.username, 'username kept');
      await shot(page, 'login-error-desktop');
      await signIn(page);
      assert((await page.textContent('h1')).includes('Allow'), 'consent page');
      await shot(page, 'consent-desktop');
      await Promise.all([page.waitForURL(`${urls.client}/callback**`), page.click('button[value=deny]')]);
      const p = params(page.url());
      assert(p.get('error') === 'access_denied', `error ${p.get('error')}`);
      assert(p.get('state') === 'state-deny', 'state');
      assert(p.get('iss') === 'https://as.example', 'iss');
      assert(!p.has('code'), 'no code');
    } finally {
      await context.close();
    }
  });

  await check('JavaScript disabled: sign out from the consent page, sign in again, allow', async () => {
    const { context, page } = await browser({ javaScriptEnabled: false, width: 390, height: 844 });
    try {
      const url = await push('state-nojs');
      await page.goto(url);
      await signIn(page);
      await Promise.all([page.waitForNavigation(), page.click('button.link')]);
      assert((await page.textContent('h1')).includes('Sign in'), 'signed out: login page again');
      await signIn(page);
      await Promise.all([page.waitForURL(`${urls.client}/callback**`), page.click('button[value=allow]')]);
      assert(params(page.url()).get('state') === 'state-nojs', 'state');
    } finally {
      await context.close();
    }
  });

  await check('320px: error page for an unknown request; framing refused', async () => {
    const { context, page } = await browser({ width: 320, height: 640 });
    try {
      const res = await page.goto(
        `${urls.public}/authorize?client_id=https%3A%2F%2Fdirectory.example%2Fa%2Fcarbon-app&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aunknown`,
      );
      assert(res.status() === 400, `status ${res.status()}`);
      const headers = res.headers();
      assert(headers['content-security-policy'].includes("frame-ancestors 'none'"), 'frame-ancestors');
      assert(headers['x-frame-options'] === 'DENY', 'x-frame-options');
      await noHorizontalScroll(page, 320);
      await shot(page, 'error-320');
      assert(page.cspViolations.length === 0, `CSP violations: ${page.cspViolations.join(' | ')}`);
    } finally {
      await context.close();
    }
  });

  await check('desktop: evidence page', async () => {
    const { context, page } = await browser({ width: 1280, height: 900 });
    try {
      const { evidence_url } = await (await fetch(`${urls.admin}/test/last-evidence`)).json();
      await page.goto(evidence_url);
      await shot(page, 'evidence-desktop');
    } finally {
      await context.close();
    }
  });
} finally {
  server.stdin.end();
  server.kill('SIGTERM');
  for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`screenshots: ${artifacts}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
