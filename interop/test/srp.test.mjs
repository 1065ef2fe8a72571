// amazon-cognito-identity-js (AWS's JavaScript client) signing in with USER_SRP_AUTH through
// its own `authenticateUser`, against a pool declared in the server's config file.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import acij from 'amazon-cognito-identity-js';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { startServer } from '../lib/cognate-server.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = acij;

const POOL = 'us-east-1_InteropSrp';
const CLIENT = 'interopsrpclient';
const PASSWORD = 'Interop-Passw0rd!';

const CONFIG = `
[[pools]]
id = "${POOL}"
name = "srp"

[[pools.clients]]
id = "${CLIENT}"
name = "acij"
auth_flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[pools.users]]
username = "alice"
password = "${PASSWORD}"
attributes = { email = "alice@example.com", email_verified = "true" }
`;

let server;

before(async () => {
  server = await startServer({ config: CONFIG });
});

after(async () => {
  await server?.stop();
});

function signIn(username, password) {
  const pool = new CognitoUserPool({ UserPoolId: POOL, ClientId: CLIENT, endpoint: server.url });
  const user = new CognitoUser({ Username: username, Pool: pool });
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected NEW_PASSWORD_REQUIRED')),
      mfaRequired: () => reject(new Error('unexpected SMS_MFA')),
      totpRequired: () => reject(new Error('unexpected SOFTWARE_TOKEN_MFA')),
    });
  });
}

test('USER_SRP_AUTH with the right password signs in', async () => {
  const session = await signIn('alice', PASSWORD);
  assert.ok(session.isValid());
  const idToken = session.getIdToken().getJwtToken();
  const verifier = JwtRsaVerifier.create(
    {
      issuer: server.issuer(POOL),
      audience: CLIENT,
      jwksUri: server.jwksUri(POOL),
    },
    {
      jwksCache: new SimpleJwksCache({
        fetcher: { fetch: async (uri) => (await fetch(uri)).arrayBuffer() },
      }),
    },
  );
  const claims = await verifier.verify(idToken);
  assert.equal(claims['cognito:username'], 'alice');
  assert.equal(claims.token_use, 'id');
  assert.equal(session.getAccessToken().decodePayload().client_id, CLIENT);
  assert.ok(session.getRefreshToken().getToken().length > 0);
});

test('USER_SRP_AUTH with a wrong password is refused with NotAuthorizedException', async () => {
  await assert.rejects(signIn('alice', 'Wrong-Passw0rd!'), (e) => {
    assert.equal(e.code, 'NotAuthorizedException', `${e.code}: ${e.message}`);
    return true;
  });
});
