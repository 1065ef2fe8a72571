// Headless Chromium (Debian's chromium, driven by playwright-core) signs a user in through the
// managed-login pages of `cognate serve`: the sign-in form, TOTP set-up on the first sign-in
// (the pool requires MFA), a TOTP code on the second, each ending at the app's callback with a
// code. Also: the pages refuse to be framed (clickjacking), and a screenshot of the sign-in
// page is written where COGNATE_SCREENSHOT names (docs/images/managed-login.png is one).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { generate } from 'otplib';
import { startServer, nextTotpStep } from '../lib/cognate-server.mjs';
import { hostedPool } from '../lib/hosted.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
let CALLBACK;
/** The app: its callback answers with a plain page; `/frame` frames the URL in `?src=`. */
let app;
const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI) {
  throw new Error(`${CHROMIUM} not found: .ci/run installs Debian's chromium`);
}

let server;
let idp;
let pool;
let browser;

before(async () => {
  if (missing) return;
  app = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/frame') {
      const src = (url.searchParams.get('src') ?? '').replaceAll('&', '&amp;').replaceAll('"', '&quot;');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><iframe id="f" src="${src}"></iframe>`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('signed in');
  });
  await new Promise((r) => app.listen(0, '127.0.0.1', r));
  CALLBACK = `http://127.0.0.1:${app.address().port}/callback`;
  server = await startServer();
  idp = server.client();
  pool = await hostedPool(server, idp, { callback: CALLBACK, mfa: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  idp?.destroy();
  await server?.stop();
  app?.close();
});

function authorizeUrl(state, extra = {}) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: pool.confidential.id,
    redirect_uri: CALLBACK,
    scope: 'openid email',
    state,
    ...extra,
  });
  return `${pool.hostedBase}/oauth2/authorize?${q}`;
}

/** A fresh browser context (no cookies). */
async function newPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  return { context, page };
}

async function submitCredentials(page) {
  await page.fill('#signInFormUsername', pool.user.username);
  await page.fill('#signInFormPassword', pool.user.password);
  await page.click('[name="signInSubmitButton"]');
}

function codeOf(url, state) {
  const p = new URL(url).searchParams;
  assert.equal(p.get('state'), state);
  assert.ok(p.get('code'), `no code in ${url}`);
  return p.get('code');
}

test('sign in through the pages: TOTP set-up, then a TOTP code', { skip: missing && 'no chromium' }, async () => {
  // First sign-in: the pool requires MFA, so the user sets up TOTP.
  const first = await newPage();
  await first.page.goto(authorizeUrl('first'));
  assert.match(first.page.url(), /\/login\?/);
  if (process.env.COGNATE_SCREENSHOT) {
    await first.page.setViewportSize({ width: 900, height: 700 });
    await first.page.screenshot({ path: process.env.COGNATE_SCREENSHOT });
  }
  await submitCredentials(first.page);
  const secret = (await first.page.textContent('#totp-secret')).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]+=*$/);
  await first.page.fill('input[name="code"]', await generate({ secret }));
  await Promise.all([first.page.waitForURL(`${CALLBACK}**`), first.page.click('button[type="submit"]')]);
  codeOf(first.page.url(), 'first');
  await first.context.close();

  // Second sign-in, new browser: password, then a code from the authenticator.
  await nextTotpStep();
  const second = await newPage();
  await second.page.goto(authorizeUrl('second'));
  await submitCredentials(second.page);
  await second.page.waitForSelector('input[name="code"]');
  await second.page.fill('input[name="code"]', await generate({ secret }));
  await Promise.all([second.page.waitForURL(`${CALLBACK}**`), second.page.click('button[type="submit"]')]);
  codeOf(second.page.url(), 'second');

  // Single sign-on within the same browser: no page at all.
  await second.page.goto(authorizeUrl('third'));
  await second.page.waitForURL(`${CALLBACK}**`);
  codeOf(second.page.url(), 'third');
  await second.context.close();
});

test('the sign-in page cannot be framed', { skip: missing && 'no chromium' }, async () => {
  const { context, page } = await newPage();
  const login = (await fetch(authorizeUrl('framed'), { redirect: 'manual' })).headers.get('location');
  const response = await page.goto(login);
  assert.equal(response.headers()['x-frame-options'], 'DENY');
  assert.match(response.headers()['content-security-policy'], /frame-ancestors 'none'/);
  // A page on another origin (the app's) that frames the sign-in page.
  const frameUrl = new URL('/frame', CALLBACK);
  frameUrl.searchParams.set('src', login);
  await page.goto(frameUrl.href);
  await page.waitForTimeout(500);
  const framed = page.frames().find((f) => f !== page.mainFrame());
  const hasForm = framed ? await framed.$('#signInFormUsername').catch(() => null) : null;
  assert.equal(hasForm, null, 'the sign-in form rendered inside a frame');
  await context.close();
});
