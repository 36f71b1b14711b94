// Debian chromium through the sandbox's browser demo client (ctest label e2e):
//
//   node tests/e2e/sandbox_browser.mjs --gridgate build/x/src/cli/gridgate --artifacts DIR
//
// Starts `gridgate sandbox` on free ports in a temp dir, then: the start page; the button (PAR
// on the server side, then the authorization server's login page); sign in as a demo user;
// allow; the result page with every step, the meter data chart and the verified provenance
// record; Revoke, and the result shows the token refused. At 320 px with JavaScript disabled (the
// pages need none) and at desktop width; also Deny. Fails on any Content-Security-Policy
// violation. Screenshots go to --artifacts. Exit status: 0 passed, 1 a check failed, 77 skipped.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { arg, assert, checker, startSandbox } from './sandbox_support.mjs';

const CHROMIUM = '/usr/bin/chromium';
const gridgate = arg('--gridgate');
const artifacts = arg('--artifacts') ?? join(tmpdir(), 'gridgate-e2e-artifacts', 'sandbox_browser');
if (!gridgate) {
  console.error('usage: sandbox_browser.mjs --gridgate PATH [--artifacts DIR]');
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

const sb = await startSandbox(gridgate);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

async function open({ javaScriptEnabled = true, width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true, // the sandbox's own CA is not in chromium's store
    javaScriptEnabled,
    viewport: { width, height },
  });
  const page = await context.newPage();
  page.cspViolations = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) page.cspViolations.push(msg.text());
  });
  return { context, page };
}
async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}
async function noHorizontalScroll(page, width) {
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  assert(sw <= width, `page is ${sw} px wide at a ${width} px viewport`);
}
async function submit(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}
// Start page -> button -> the authorization server's login page -> consent page.
async function toConsent(page, width, tag, user = 'alice') {
  const res = await page.goto(`${sb.demo}/`);
  assert(res.status() === 200, `start page status ${res.status()}`);
  assert((await page.textContent('h1')).includes('Connect your energy data'), 'start h1');
  await noHorizontalScroll(page, width);
  await shot(page, `start-${tag}`);
  await submit(page, 'form[action="/start"] button');
  assert(page.url().startsWith(`${sb.issuer}/authorize?`), `at ${page.url()}`);
  const q = new URL(page.url()).searchParams;
  assert([...q.keys()].sort().join(',') === 'client_id,request_uri', `authorize query ${page.url()}`);
  assert((await page.textContent('h1')).includes('Sign in to Perseus Demo Energy'), 'login h1');
  await noHorizontalScroll(page, width);
  await shot(page, `login-${tag}`);
  await page.fill('#username', user);
  await page.fill('#password', sb.users[user]);
  await submit(page, 'button[type=submit].primary');
  assert((await page.textContent('h1')).includes('Allow Demo Carbon Accounting'), 'consent h1');
  await noHorizontalScroll(page, width);
  await shot(page, `consent-${tag}`);
}

const { check, failed, count } = checker();
try {
  for (const [width, js, tag] of [[320, false, '320-nojs'], [1280, true, 'desktop']]) {
    await check(`${tag}: start, sign in, allow; every step, chart and verified provenance; revoke`, async () => {
      const { context, page } = await open({ javaScriptEnabled: js, width, height: width === 320 ? 640 : 900 });
      try {
        await toConsent(page, width, tag);
        await Promise.all([page.waitForURL(`${sb.demo}/result`), page.click('button[value=allow]')]);
        assert((await page.textContent('h1')).includes('Your energy data, step by step'), 'result h1');
        assert((await page.locator('[role=alert]').count()) === 0, `error: ${await page.textContent('main')}`);
        for (const id of ['par', 'authorize', 'callback', 'token', 'access_token', 'id_token', 'permission', 'data', 'provenance']) {
          assert((await page.locator(`#${id}`).count()) === 1, `step ${id} missing`);
          assert((await page.textContent(`#${id} .status`)).trim() !== 'failed', `step ${id} failed`);
        }
        const par = await page.textContent('#par');
        assert(par.includes('Code verifier') && par.includes('request_uri'), 'PAR step shows verifier and response');
        const at = await page.textContent('#access_token');
        assert(at.includes('"typ": "at+jwt"') && at.includes('x5t#S256'), 'decoded access token');
        assert((await page.textContent('#permission')).includes('licence'), 'permission record');
        const areas = await page.locator('#data svg path.area').count();
        assert(areas >= 1, `chart areas: ${areas}`);
        assert((await page.textContent('#data figcaption')).includes('half-hourly readings'), 'chart caption');
        assert((await page.textContent('#provenance .status')).trim() === 'verified', 'provenance verified');
        assert((await page.textContent('#provenance')).includes('energy-data-provider'), 'signer role shown');
        await noHorizontalScroll(page, width);
        await shot(page, `result-${tag}`);
        await page.locator('#data figure').screenshot({ path: join(artifacts, `chart-${tag}.png`) });

        await Promise.all([page.waitForURL(`${sb.demo}/result#revocation`), page.click('form[action="/revoke"] button')]);
        assert((await page.textContent('h1')).includes('Permission revoked'), 'revoked heading');
        assert((await page.textContent('#revocation .status')).trim() === 'revoked', 'revocation step');
        const text = await page.textContent('#revocation');
        assert(text.includes('"active": false'), 'introspection says inactive');
        assert(text.includes('refused'), 'resource server refuses the token');
        assert((await page.locator('form[action="/revoke"]').count()) === 0, 'no second revoke button');
        await noHorizontalScroll(page, width);
        await shot(page, `revoked-${tag}`);
        assert(page.cspViolations.length === 0, `CSP violations: ${page.cspViolations.join(' | ')}`);
      } finally {
        await context.close();
      }
    });
  }

  await check('deny: no access given, nothing fetched', async () => {
    const { context, page } = await open({ width: 1280, height: 900 });
    try {
      await toConsent(page, 1280, 'deny', 'bob');
      await Promise.all([page.waitForURL(`${sb.demo}/result`), page.click('button[value=deny]')]);
      assert((await page.textContent('h1')).includes('No access was given'), 'denied heading');
      assert((await page.locator('#token').count()) === 0, 'no token step');
      assert((await page.locator('form[action="/revoke"]').count()) === 0, 'nothing to revoke');
      await shot(page, 'denied');
      assert(page.cspViolations.length === 0, `CSP violations: ${page.cspViolations.join(' | ')}`);
    } finally {
      await context.close();
    }
  });

  await check('a callback in another browser is refused (the session holds the verifier)', async () => {
    const { context, page } = await open();
    try {
      const res = await page.goto(`${sb.demo}/callback?code=abc&state=xyz&iss=${encodeURIComponent(sb.issuer)}`);
      assert(res.status() === 400, `status ${res.status()}`);
      assert((await page.textContent('h1')).includes('did not start here'), 'error page');
      await shot(page, 'foreign-callback');
    } finally {
      await context.close();
    }
  });
} finally {
  await browser.close();
  const code = await sb.stop();
  await check('SIGTERM stops the sandbox with exit 0', async () => assert(code === 0, `exit ${code}`));
}

console.log(`${count() - failed()}/${count()} checks passed; screenshots in ${artifacts}`);
process.exit(failed() === 0 ? 0 : 1);
