// samlify (npm), a second SAML 2.0 implementation, as the IdP of `cognate serve`: it reads the
// AuthnRequest Cognate sends (HTTP-Redirect, checking its signature when signing is on) and
// answers with a signed response through the HTTP-POST binding; Cognate turns it into a code
// for the app, and the tokens name the federated user. A response signed by another key is
// refused with Cognito's error at the app.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import * as samlify from 'samlify';
import {
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  AdminGetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer } from '../lib/cognate-server.mjs';

const CALLBACK = 'http://127.0.0.1:53686/callback';
const PROVIDER = 'Samlify';
const MAIL = 'urn:oid:0.9.2342.19200300.100.1.3';

// samlify checks documents against the SAML schemas through a pluggable validator (its
// packaged ones need Java or a WASM xmllint); this IdP trusts the SP it was configured with.
samlify.setSchemaValidator({ validate: async () => 'skipped' });

let server;
let idpApi;
let dir;

/** An RSA-2048 key and self-signed certificate made with the openssl command. */
function keyPair(name) {
  const key = path.join(dir, `${name}.key`);
  const crt = path.join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30',
    '-subj', `/CN=${name}`, '-keyout', key, '-out', crt,
  ], { stdio: 'ignore' });
  return { privateKey: readFileSync(key, 'utf8'), cert: readFileSync(crt, 'utf8') };
}

function makeIdp(keys, { wantSigned = false } = {}) {
  return samlify.IdentityProvider({
    entityID: 'https://samlify.example.test/idp',
    privateKey: keys.privateKey,
    signingCert: keys.cert,
    isAssertionEncrypted: false,
    wantAuthnRequestsSigned: wantSigned,
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    nameIDFormat: ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'],
    singleSignOnService: [{
      Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
      Location: 'https://samlify.example.test/sso',
    }],
  });
}

async function setUp({ signRequests = false } = {}) {
  const domain = `samlify-${randomUUID().slice(0, 8)}`;
  const { UserPool } = await idpApi.send(new CreateUserPoolCommand({ PoolName: domain }));
  const poolId = UserPool.Id;
  await idpApi.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
  const keys = keyPair(`idp-${domain}`);
  const idp = makeIdp(keys, { wantSigned: signRequests });
  const details = { MetadataFile: idp.getMetadata() };
  if (signRequests) details.RequestSigningAlgorithm = 'rsa-sha256';
  await idpApi.send(new CreateIdentityProviderCommand({
    UserPoolId: poolId,
    ProviderName: PROVIDER,
    ProviderType: 'SAML',
    ProviderDetails: details,
    AttributeMapping: { email: MAIL },
  }));
  const { UserPoolClient } = await idpApi.send(new CreateUserPoolClientCommand({
    UserPoolId: poolId,
    ClientName: 'web',
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'],
    CallbackURLs: [CALLBACK],
    SupportedIdentityProviders: [PROVIDER],
  }));
  const base = `${server.url}/${domain}`;
  const spMetadata = await (await fetch(`${base}/saml2/metadata?identity_provider=${PROVIDER}`)).text();
  const sp = samlify.ServiceProvider({ metadata: spMetadata });
  return { poolId, base, keys, idp, sp, client: UserPoolClient };
}

async function authorize(s) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: s.client.ClientId,
    redirect_uri: CALLBACK,
    identity_provider: PROVIDER,
    scope: 'openid email',
    state: 'samlify-state',
  });
  const r = await fetch(`${s.base}/oauth2/authorize?${q}`, { redirect: 'manual' });
  assert.equal(r.status, 302);
  return new URL(r.headers.get('location'));
}

/** samlify reads the AuthnRequest off the redirect URL (and checks its signature if asked). */
async function readRequest(s, idp, location) {
  assert.equal(`${location.origin}${location.pathname}`, 'https://samlify.example.test/sso');
  const query = Object.fromEntries(location.searchParams);
  const octetString = location.search.slice(1).split('&').filter((p) => !p.startsWith('Signature=')).join('&');
  const parsed = await idp.parseLoginRequest(s.sp, 'redirect', { query, octetString });
  return { parsed, relayState: query.RelayState };
}

/**
 * samlify's login response, filled by the caller's tag replacement as samlify's documentation
 * shows (its built-in filling leaves out the AuthnStatement the Web Browser SSO profile
 * requires, and the attributes).
 */
async function respond(s, idp, parsed, relayState, nameId) {
  const lib = samlify.default.SamlLib;
  const template = lib.defaultLoginResponseTemplate.context
    .replace(
      '{AuthnStatement}',
      '<saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="{SessionIndex}">'
        + '<saml:AuthnContext><saml:AuthnContextClassRef>'
        + 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
        + '</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>',
    )
    .replace(
      '{AttributeStatement}',
      `<saml:AttributeStatement><saml:Attribute Name="${MAIL}" `
        + 'NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">'
        + '<saml:AttributeValue xsi:type="xs:string">{Mail}</saml:AttributeValue>'
        + '</saml:Attribute></saml:AttributeStatement>',
    );
  const now = new Date();
  const later = new Date(now.getTime() + 5 * 60 * 1000).toISOString();
  const id = `_${randomUUID()}`;
  const customTagReplacement = () => ({
    id,
    context: lib.replaceTagsByValue(template, {
      ID: id,
      AssertionID: `_${randomUUID()}`,
      Destination: s.sp.entityMeta.getAssertionConsumerService('post'),
      Audience: s.sp.entityMeta.getEntityID(),
      SubjectRecipient: s.sp.entityMeta.getAssertionConsumerService('post'),
      Issuer: idp.entityMeta.getEntityID(),
      IssueInstant: now.toISOString(),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: now.toISOString(),
      ConditionsNotOnOrAfter: later,
      SubjectConfirmationDataNotOnOrAfter: later,
      NameIDFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      NameID: nameId,
      InResponseTo: parsed.extract.request.id,
      SessionIndex: `_${randomUUID()}`,
      Mail: nameId,
    }),
  });
  const ctx = await idp.createLoginResponse(
    s.sp,
    { extract: parsed.extract },
    'post',
    { email: nameId },
    { relayState, customTagReplacement },
  );
  return ctx.context;
}

async function postResponse(s, samlResponse, relayState) {
  const r = await fetch(`${s.base}/saml2/idpresponse`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }),
    redirect: 'manual',
  });
  assert.equal(r.status, 302, await r.text());
  return new URL(r.headers.get('location'));
}

function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cognate-samlify-'));
  server = await startServer();
  idpApi = server.client();
});

after(async () => {
  idpApi?.destroy();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('samlify IdP: signed response to an SP-initiated sign-in ends in a code and tokens', async () => {
  const s = await setUp();
  const location = await authorize(s);
  const { parsed, relayState } = await readRequest(s, s.idp, location);
  assert.equal(parsed.extract.issuer, `urn:amazon:cognito:sp:${s.poolId}`);
  const samlResponse = await respond(s, s.idp, parsed, relayState, 'dana@samlify.example');
  const back = await postResponse(s, samlResponse, relayState);
  assert.equal(`${back.origin}${back.pathname}`, CALLBACK, back.href);
  assert.equal(back.searchParams.get('state'), 'samlify-state');
  const code = back.searchParams.get('code');
  assert.ok(code, back.href);
  const token = await fetch(`${s.base}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${s.client.ClientId}:${s.client.ClientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK }),
  });
  assert.equal(token.status, 200);
  const id = claims((await token.json()).id_token);
  assert.equal(id['cognito:username'], `${PROVIDER}_dana@samlify.example`);
  assert.equal(id.email, 'dana@samlify.example');
  assert.equal(id.identities[0].providerName, PROVIDER);
  assert.equal(id.identities[0].issuer, 'https://samlify.example.test/idp');
  assert.deepEqual(id['cognito:groups'], [`${s.poolId}_${PROVIDER}`]);
  const user = await idpApi.send(new AdminGetUserCommand({
    UserPoolId: s.poolId, Username: `${PROVIDER}_dana@samlify.example`,
  }));
  assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
});

test('samlify IdP checks the signature of Cognate\'s AuthnRequest', async () => {
  const s = await setUp({ signRequests: true });
  const location = await authorize(s);
  assert.equal(location.searchParams.get('SigAlg'), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
  const { parsed, relayState } = await readRequest(s, s.idp, location);
  assert.ok(parsed.extract.request.id);
  // A tampered request: samlify refuses it.
  const bad = new URL(location);
  bad.searchParams.set('RelayState', `${relayState}x`);
  await assert.rejects(readRequest(s, s.idp, bad));
});

test('a response signed by a key the pool does not trust is refused', async () => {
  const s = await setUp();
  const location = await authorize(s);
  const { parsed, relayState } = await readRequest(s, s.idp, location);
  const impostor = makeIdp(keyPair('impostor'));
  const forged = await respond(s, impostor, parsed, relayState, 'dana@samlify.example');
  const back = await postResponse(s, forged, relayState);
  assert.equal(back.searchParams.get('error'), 'server_error', back.href);
  assert.match(back.searchParams.get('error_description'), /^Invalid SAML response received: /);
});
