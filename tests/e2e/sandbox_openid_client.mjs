// A FAPI 2.0 flow against `gridgate sandbox` driven by npm openid-client 6.9.0 (ctest label e2e):
//
//   node tests/e2e/sandbox_openid_client.mjs --gridgate build/x/src/cli/gridgate
//
// discovery (mtls_endpoint_aliases used), PAR with PKCE S256, state and nonce, tls_client_auth
// with the demo client certificate (mTLS through a node:https agent: undici is not installed
// here), the built-in login and consent forms (plain HTTP requests, as a browser sends them), the
// callback's state and iss checked by openid-client, the code exchange with the ID token
// verified, a certificate-bound access token (cnf.x5t#S256 = the certificate's thumbprint), the
// resource calls, refresh, then: the second client's certificate refused with the first client's
// access token and refresh token, revocation, introspection inactive, the resource refused.
// Exit status: 0 passed, 1 a check failed, 77 skipped (no node_modules).
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';

import { arg, assert, checker, startSandbox } from './sandbox_support.mjs';

const gridgate = arg('--gridgate');
if (!gridgate) {
  console.error('usage: sandbox_openid_client.mjs --gridgate PATH');
  process.exit(2);
}
let client;
try {
  client = await import('openid-client');
} catch {
  console.log('skipped: openid-client not installed (npm ci in tests/e2e)');
  process.exit(77);
}

const LICENCE = 'https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05';
const DEMO_ID = 'https://directory.core.trust.ib1.org/a/demo-accounting';
const OTHER_ID = 'https://directory.core.trust.ib1.org/a/other-accounting';

// A fetch over node:https with an optional client certificate, for openid-client's customFetch.
function httpsFetch({ ca, cert, key }) {
  const agent = new https.Agent({ ca, cert, key, keepAlive: false });
  return (url, options = {}) =>
    new Promise((resolve, reject) => {
      const headers = {};
      new Headers(options.headers ?? {}).forEach((v, k) => (headers[k] = v));
      const req = https.request(new URL(url), { method: options.method ?? 'GET', headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
            else if (v !== undefined) h.set(k, v);
          }
          const body = [204, 304].includes(res.statusCode) ? null : Buffer.concat(chunks);
          resolve(new Response(body, { status: res.statusCode, statusText: res.statusMessage, headers: h }));
        });
      });
      req.on('error', reject);
      options.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
      if (options.body !== undefined && options.body !== null) req.write(options.body.toString());
      req.end();
    });
}

// The user's browser, played with plain requests: cookies, redirects, the forms' hidden fields.
class Browser {
  constructor(ca) {
    this.fetch = httpsFetch({ ca });
    this.cookies = new Map();
  }
  async request(url, { method = 'GET', form } = {}) {
    const headers = { accept: 'text/html' };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await this.fetch(url, { method, headers, body });
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (/Max-Age=0/i.test(c)) this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), value);
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  }
  // Follows redirects on the authorization server until one leaves for `redirectUri`.
  async follow(url, stopAt, options) {
    let r = await this.request(url, options);
    for (let i = 0; i < 10 && r.status === 303 && !r.location.startsWith(stopAt); i++) {
      r = await this.request(new URL(r.location, url).toString());
    }
    return r;
  }
}

function unescapeHtml(s) {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
function formOf(html, marker) {
  const forms = [...html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)];
  const f = forms.find(([, , inner]) => inner.includes(marker));
  assert(f, `no form with ${marker} in:\n${html}`);
  const action = unescapeHtml(/action="([^"]*)"/.exec(f[1])[1]);
  const fields = {};
  for (const [, attrs] of f[2].matchAll(/<input([^>]*)>/g)) {
    const name = /name="([^"]*)"/.exec(attrs);
    const value = /value="([^"]*)"/.exec(attrs);
    if (name && /type="hidden"/.test(attrs)) fields[name[1]] = unescapeHtml(value?.[1] ?? '');
  }
  return { action, fields };
}

function b64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}
function thumbprint(pemFile) {
  const leaf = readFileSync(pemFile, 'utf8').split(/(?=-----BEGIN CERTIFICATE-----)/)[0];
  return createHash('sha256').update(new X509Certificate(leaf).raw).digest('base64url');
}

// The resource server's answer; a 401 comes back from openid-client as a WWW-Authenticate
// challenge error, whose status and challenge (error="invalid_token") are returned instead.
async function resourceStatus(cfg, token, url) {
  try {
    const res = await client.fetchProtectedResource(cfg, token, new URL(url), 'GET');
    return { status: res.status };
  } catch (e) {
    if (!(e instanceof client.WWWAuthenticateChallengeError)) throw e;
    return { status: e.response?.status ?? e.status, error: e.cause?.[0]?.parameters?.error };
  }
}

const sb = await startSandbox(gridgate);
const ca = readFileSync(sb.files.serverCa);
const demoFetch = httpsFetch({ ca, cert: readFileSync(sb.files.demoBundle), key: readFileSync(sb.files.demoKey) });
const otherFetch = httpsFetch({ ca, cert: readFileSync(sb.files.otherBundle), key: readFileSync(sb.files.otherKey) });
const discover = (id, f) =>
  client.discovery(new URL(sb.issuer), id, { use_mtls_endpoint_aliases: true }, client.TlsClientAuth(), {
    [client.customFetch]: f,
    algorithm: 'oauth2',
  });

const { check, failed, count } = checker();
let config;
let tokens;
try {
  await check('discovery: issuer, mTLS aliases, FAPI metadata', async () => {
    config = await discover(DEMO_ID, demoFetch);
    const m = config.serverMetadata();
    assert(m.issuer === sb.issuer, `issuer ${m.issuer}`);
    assert(m.mtls_endpoint_aliases?.token_endpoint === `${sb.mtls}/token`, 'mtls token alias');
    assert(m.mtls_endpoint_aliases?.pushed_authorization_request_endpoint === `${sb.mtls}/par`, 'mtls PAR alias');
    assert(m.require_pushed_authorization_requests === true, 'PAR required');
    assert(m.authorization_response_iss_parameter_supported === true, 'iss parameter');
    assert(m.tls_client_certificate_bound_access_tokens === true, 'certificate-bound tokens');
    assert(m.code_challenge_methods_supported?.includes('S256'), 'S256');
  });

  await check('PAR + PKCE, login and consent, iss and state checked, code exchanged, ID token verified', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: sb.redirectUri,
      scope: `${LICENCE} offline_access openid`,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    assert([...url.searchParams.keys()].sort().join(',') === 'client_id,request_uri', `authorization URL ${url}`);

    const browser = new Browser(ca);
    const login = await browser.follow(url.toString(), sb.redirectUri);
    assert(login.status === 200 && login.html.includes('type="password"'), `login page ${login.status}`);
    const lf = formOf(login.html, 'type="password"');
    const consent = await browser.follow(new URL(lf.action, sb.issuer).toString(), sb.redirectUri, {
      method: 'POST',
      form: { ...lf.fields, username: 'alice', password: sb.users.alice },
    });
    assert(consent.status === 200 && consent.html.includes('value="allow"'), `consent page ${consent.status}`);
    const cf = formOf(consent.html, 'value="allow"');
    const done = await browser.follow(new URL(cf.action, sb.issuer).toString(), sb.redirectUri, {
      method: 'POST',
      form: { ...cf.fields, decision: 'allow' },
    });
    assert(done.status === 303 && done.location.startsWith(`${sb.redirectUri}?`), `redirect ${done.status} ${done.location}`);
    const callback = new URL(done.location);
    assert(callback.searchParams.get('iss') === sb.issuer, 'iss in the response');

    // openid-client refuses a response whose iss or state is not the expected one.
    const forged = new URL(callback);
    forged.searchParams.set('iss', 'https://localhost:1');
    let refused = false;
    try {
      await client.authorizationCodeGrant(config, forged, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    } catch {
      refused = true;
    }
    assert(refused, 'a forged iss was accepted');

    tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    assert(tokens.token_type.toLowerCase() === 'bearer', 'Bearer');
    assert(tokens.refresh_token, 'refresh token');
    const claims = tokens.claims();
    assert(claims.iss === sb.issuer && claims.aud.includes?.(DEMO_ID) !== false, 'ID token claims');
    assert(claims.nonce === nonce, 'nonce');
  });

  await check('certificate-bound access token and the resource server', async () => {
    const [h, p] = tokens.access_token.split('.');
    assert(b64urlJson(h).typ === 'at+jwt', 'typ at+jwt');
    const payload = b64urlJson(p);
    assert(payload.cnf?.['x5t#S256'] === thumbprint(sb.files.demoBundle), 'cnf.x5t#S256 = certificate thumbprint');
    assert(payload.client_id === DEMO_ID, 'client_id');
    const list = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${sb.resource}/datasources`), 'GET');
    assert(list.status === 200, `datasources ${list.status}`);
    const meters = (await list.json()).data;
    assert(meters.length > 0, 'meters');
    const day = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
    const readings = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(`${sb.resource}/datasources/${meters[0].id}/${meters[0].availableMeasures[0]}?from=${day}&to=${day}`),
      'GET',
    );
    assert(readings.status === 200, `readings ${readings.status}`);
    const body = await readings.json();
    assert(body.data.length === 48, `48 readings, got ${body.data.length}`);
    assert(typeof body.provenance === 'object', 'provenance record');
  });

  await check('refresh gives a working access token', async () => {
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert(refreshed.access_token && refreshed.access_token !== tokens.access_token, 'new access token');
    const res = await client.fetchProtectedResource(config, refreshed.access_token, new URL(`${sb.resource}/datasources`), 'GET');
    assert(res.status === 200, `datasources with the refreshed token ${res.status}`);
    if (refreshed.refresh_token) tokens.refresh_token = refreshed.refresh_token;
    tokens.access_token = refreshed.access_token;
  });

  await check("the second client's certificate is refused with the first client's tokens", async () => {
    const other = await discover(OTHER_ID, otherFetch);
    const res = await resourceStatus(other, tokens.access_token, `${sb.resource}/datasources`);
    assert(res.status === 401 && res.error === 'invalid_token', `resource with another certificate: ${JSON.stringify(res)}`);
    let refused = false;
    try {
      await client.refreshTokenGrant(other, tokens.refresh_token);
    } catch (e) {
      refused = e.error === 'invalid_grant' || e.error === 'invalid_client';
      assert(refused, `refresh by another client: ${e}`);
    }
    assert(refused, "another client redeemed the first client's refresh token");
  });

  await check('revocation: introspection inactive, the resource server refuses at once', async () => {
    await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
    const introspection = await client.tokenIntrospection(config, tokens.access_token);
    assert(introspection.active === false, `introspection ${JSON.stringify(introspection)}`);
    const res = await resourceStatus(config, tokens.access_token, `${sb.resource}/datasources`);
    assert(res.status === 401 && res.error === 'invalid_token', `resource after revocation: ${JSON.stringify(res)}`);
    let refused = false;
    try {
      await client.refreshTokenGrant(config, tokens.refresh_token);
    } catch {
      refused = true;
    }
    assert(refused, 'the revoked refresh token still works');
  });
} finally {
  const code = await sb.stop();
  await check('SIGTERM stops the sandbox with exit 0', async () => assert(code === 0, `exit ${code}`));
}

console.log(`${count() - failed()}/${count()} checks passed`);
process.exit(failed() === 0 ? 0 : 1);
