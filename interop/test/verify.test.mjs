// aws-jwt-verify's CognitoJwtVerifier accepts tokens from a pool whose issuer is configured in
// Cognito's form (https://cognito-idp.{region}.amazonaws.com/{poolId}), with the JWKS the
// server publishes handed to it through cacheJwks: a backend written for Amazon Cognito
// verifies Cognate's tokens unchanged.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { startServer } from '../lib/cognate-server.mjs';

const POOL = 'us-east-1_InteropCg1';
const CLIENT = 'interopcognitoclient';
const PASSWORD = 'Interop-Passw0rd!';

const CONFIG = `
[[pools]]
id = "${POOL}"
name = "cognito-issuer"
issuer = "cognito"

[[pools.groups]]
name = "admins"

[[pools.clients]]
id = "${CLIENT}"
name = "backend"
auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "carol"
password = "${PASSWORD}"
attributes = { email = "carol@example.com", email_verified = "true" }
groups = ["admins"]
`;

let server;
let tokens;
let jwks;

before(async () => {
  server = await startServer({ config: CONFIG });
  const idp = server.client();
  const r = await idp.send(
    new InitiateAuthCommand({
      ClientId: CLIENT,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'carol', PASSWORD },
    }),
  );
  idp.destroy();
  tokens = r.AuthenticationResult;
  jwks = await server.getJson(`/${POOL}/.well-known/jwks.json`);
});

after(async () => {
  await server?.stop();
});

test('the discovery document names the Cognito issuer and the JWKS served here', async () => {
  const d = await server.getJson(`/${POOL}/.well-known/openid-configuration`);
  assert.equal(d.issuer, `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`);
  assert.equal(d.jwks_uri, server.jwksUri(POOL));
});

for (const tokenUse of ['id', 'access']) {
  test(`CognitoJwtVerifier (cacheJwks) accepts the ${tokenUse} token`, async () => {
    const verifier = CognitoJwtVerifier.create({
      userPoolId: POOL,
      tokenUse,
      clientId: CLIENT,
      groups: 'admins',
    });
    verifier.cacheJwks(jwks);
    const token = tokenUse === 'id' ? tokens.IdToken : tokens.AccessToken;
    const claims = await verifier.verify(token);
    assert.equal(claims.iss, `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`);
    assert.deepEqual(claims['cognito:groups'], ['admins']);
    assert.equal(claims.token_use, tokenUse);
  });
}

test('CognitoJwtVerifier refuses the token for another client or token use', async () => {
  const other = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'id', clientId: 'someoneelse' });
  other.cacheJwks(jwks);
  await assert.rejects(other.verify(tokens.IdToken));
  const access = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'access', clientId: CLIENT });
  access.cacheJwks(jwks);
  await assert.rejects(access.verify(tokens.IdToken));
});
