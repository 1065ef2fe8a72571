// openid-client (npm, a certified OpenID relying party) against the hosted endpoints of
// `cognate serve`: discovery from the pool's issuer, the authorization code grant with PKCE
// through the real managed-login form, ID token validation, userInfo, refresh, revocation
// (then userInfo refused), client_credentials with custom scopes; and the tokens checked by
// aws-jwt-verify.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { startServer } from '../lib/cognate-server.mjs';
import { hostedPool, Browser, signInThroughForm } from '../lib/hosted.mjs';

const CALLBACK = 'http://127.0.0.1:53682/callback';

let server;
let idp;
let pool;

before(async () => {
  server = await startServer();
  idp = server.client();
  pool = await hostedPool(server, idp, { callback: CALLBACK });
});

after(async () => {
  idp?.destroy();
  await server?.stop();
});

const httpFetcher = {
  async fetch(uri) {
    const r = await fetch(uri);
    if (r.status !== 200) throw new Error(`GET ${uri}: ${r.status}`);
    return r.arrayBuffer();
  },
};

async function discover(client) {
  return oidc.discovery(
    new URL(pool.issuer),
    client.id,
    client.secret,
    client.secret ? oidc.ClientSecretBasic(client.secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

async function codeFlow(config, scope) {
  const verifier = oidc.randomPKCECodeVerifier();
  const challenge = await oidc.calculatePKCECodeChallenge(verifier);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const browser = new Browser();
  const callback = await signInThroughForm(browser, url.href, CALLBACK, pool.user);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  return { tokens, browser, callback };
}

test('discovery advertises the hosted endpoints under the domain', async () => {
  const config = await discover(pool.confidential);
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, pool.issuer);
  assert.equal(meta.authorization_endpoint, `${pool.hostedBase}/oauth2/authorize`);
  assert.equal(meta.token_endpoint, `${pool.hostedBase}/oauth2/token`);
  assert.equal(meta.userinfo_endpoint, `${pool.hostedBase}/oauth2/userInfo`);
  assert.equal(meta.revocation_endpoint, `${pool.hostedBase}/oauth2/revoke`);
  assert.ok(meta.supportsPKCE());
});

test('code + PKCE through the login form, userInfo, refresh, revoke', async () => {
  const config = await discover(pool.confidential);
  const { tokens } = await codeFlow(config, 'openid email profile');
  const claims = tokens.claims();
  assert.equal(claims.iss, pool.issuer);
  assert.equal(claims.aud, pool.confidential.id);
  assert.equal(claims['cognito:username'], pool.user.username);
  assert.equal(claims.email, pool.user.email);
  assert.ok(tokens.refresh_token);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');

  const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.sub, claims.sub);
  assert.equal(info.email, pool.user.email);
  assert.equal(info.username, pool.user.username);

  // The access token is a Cognito access token aws-jwt-verify accepts.
  const verifier = JwtRsaVerifier.create(
    { issuer: pool.issuer, audience: null, jwksUri: `${pool.issuer}/.well-known/jwks.json` },
    { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
  );
  const access = await verifier.verify(tokens.access_token);
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, pool.confidential.id);
  assert.deepEqual(access.scope.split(' ').sort(), ['email', 'openid', 'profile']);

  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token);
  assert.equal(refreshed.claims().sub, claims.sub);
  assert.equal(refreshed.claims().auth_time, claims.auth_time);
  const info2 = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
  assert.equal(info2.sub, claims.sub);

  await oidc.tokenRevocation(config, tokens.refresh_token);
  await assert.rejects(
    oidc.fetchUserInfo(config, refreshed.access_token, claims.sub),
    (e) => e.status === 401 || /invalid_token/.test(String(e.cause?.error ?? e.code ?? e)),
  );
  await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
});

test('a public client signs in with PKCE and no secret', async () => {
  const config = await discover(pool.public);
  const { tokens } = await codeFlow(config, 'openid');
  assert.equal(tokens.claims().aud, pool.public.id);
});

test('single sign-on: a second authorization returns a code without the form', async () => {
  const config = await discover(pool.confidential);
  const { browser } = await codeFlow(config, 'openid');
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid',
    state: 'again',
    code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
  });
  const r = await browser.follow(url.href, CALLBACK);
  assert.ok(r.redirect, 'expected a redirect to the callback');
  const p = new URL(r.redirect).searchParams;
  assert.ok(p.get('code'));
  assert.equal(p.get('state'), 'again');
});

test('client_credentials with custom scopes', async () => {
  const config = await discover(pool.machine);
  const all = await oidc.clientCredentialsGrant(config);
  const verifier = JwtRsaVerifier.create(
    { issuer: pool.issuer, audience: null, jwksUri: `${pool.issuer}/.well-known/jwks.json` },
    { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
  );
  const claims = await verifier.verify(all.access_token);
  assert.equal(claims.token_use, 'access');
  assert.equal(claims.sub, pool.machine.id);
  assert.deepEqual(claims.scope.split(' ').sort(), ['orders/read', 'orders/write']);
  assert.equal(all.refresh_token, undefined);
  const narrow = await oidc.clientCredentialsGrant(config, { scope: 'orders/read' });
  assert.equal((await verifier.verify(narrow.access_token)).scope, 'orders/read');
});

test('an unregistered redirect URI never leaves the server', async () => {
  const config = await discover(pool.confidential);
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: 'https://attacker.example/cb',
    scope: 'openid',
  });
  const r = await fetch(url, { redirect: 'manual' });
  assert.equal(r.status, 302);
  const loc = r.headers.get('location');
  assert.ok(loc.startsWith(`${pool.hostedBase}/error?error=redirect_mismatch`), loc);
});
