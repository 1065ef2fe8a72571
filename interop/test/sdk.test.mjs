// The AWS SDK for JavaScript v3 (@aws-sdk/client-cognito-identity-provider) against
// `cognate serve`, with only the endpoint changed and dummy credentials: the user-pools API as
// applications call it. Tokens are checked with aws-jwt-verify's JwtRsaVerifier, fetching the
// JWKS over HTTP from the URL the server publishes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { generate } from 'otplib';
import { startServer, nextTotpStep } from '../lib/cognate-server.mjs';

const PASSWORD = 'Interop-Passw0rd!';
const NEW_PASSWORD = 'Interop-N3w-Passw0rd!';

let server;
let idp;

before(async () => {
  server = await startServer();
  idp = server.client();
});

after(async () => {
  idp?.destroy();
  await server?.stop();
});

/** aws-jwt-verify's JWKS fetcher speaks HTTPS only; this one fetches over plain HTTP. */
const httpFetcher = {
  async fetch(uri) {
    const r = await fetch(uri);
    if (r.status !== 200) throw new Error(`GET ${uri}: ${r.status}`);
    return r.arrayBuffer();
  },
};

function verifierFor(pool, tokenUse) {
  return JwtRsaVerifier.create(
    {
      issuer: server.issuer(pool.id),
      audience: tokenUse === 'id' ? pool.clientId : null,
      jwksUri: server.jwksUri(pool.id),
      customJwtCheck: ({ payload }) => {
        assert.equal(payload.token_use, tokenUse);
        if (tokenUse === 'access') assert.equal(payload.client_id, pool.clientId);
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
  );
}

async function newPool({ mfa = false } = {}) {
  const { UserPool } = await idp.send(
    new CreateUserPoolCommand({
      PoolName: `interop-js-${randomUUID().slice(0, 8)}`,
      AutoVerifiedAttributes: ['email'],
    }),
  );
  const { UserPoolClient } = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: UserPool.Id,
      ClientName: 'interop-js',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  if (mfa) {
    await idp.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: UserPool.Id,
        SoftwareTokenMfaConfiguration: { Enabled: true },
        MfaConfiguration: 'OPTIONAL',
      }),
    );
  }
  return { id: UserPool.Id, clientId: UserPoolClient.ClientId };
}

async function confirmedUser(pool) {
  const username = `user-${randomUUID().slice(0, 8)}`;
  await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.id,
      Username: username,
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
      MessageAction: 'SUPPRESS',
    }),
  );
  await idp.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: pool.id,
      Username: username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
  return username;
}

function passwordSignIn(pool, username, password = PASSWORD) {
  return idp.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}

async function rejectsWith(promise, name) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    return true;
  });
}

test('AdminCreateUser, then NEW_PASSWORD_REQUIRED answered through RespondToAuthChallenge', async () => {
  const pool = await newPool();
  const username = `admin-made-${randomUUID().slice(0, 6)}`;
  await idp.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.id,
      Username: username,
      TemporaryPassword: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
      MessageAction: 'SUPPRESS',
    }),
  );
  const first = await passwordSignIn(pool, username);
  assert.equal(first.ChallengeName, 'NEW_PASSWORD_REQUIRED');
  const r = await idp.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: first.Session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD },
    }),
  );
  const result = r.AuthenticationResult;
  assert.equal(result.TokenType, 'Bearer');
  const id = await verifierFor(pool, 'id').verify(result.IdToken);
  assert.equal(id['cognito:username'], username);
  const access = await verifierFor(pool, 'access').verify(result.AccessToken);
  assert.equal(access.username, username);
  assert.ok((await passwordSignIn(pool, username, NEW_PASSWORD)).AuthenticationResult);
});

test('SignUp and ConfirmSignUp with the code from the dev outbox', async () => {
  const pool = await newPool();
  const username = `signup-${randomUUID().slice(0, 6)}`;
  const r = await idp.send(
    new SignUpCommand({
      ClientId: pool.clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
    }),
  );
  assert.equal(r.UserConfirmed, false);
  await rejectsWith(passwordSignIn(pool, username), 'UserNotConfirmedException');
  const code = await server.lastCode(pool.id, username);
  await idp.send(
    new ConfirmSignUpCommand({ ClientId: pool.clientId, Username: username, ConfirmationCode: code }),
  );
  const { AuthenticationResult } = await passwordSignIn(pool, username);
  const id = await verifierFor(pool, 'id').verify(AuthenticationResult.IdToken);
  assert.equal(id.email, `${username}@example.com`);
  assert.equal(id.email_verified, true);
});

test('REFRESH_TOKEN_AUTH, GetUser, and GlobalSignOut revoking the refresh token', async () => {
  const pool = await newPool();
  const username = await confirmedUser(pool);
  const { AuthenticationResult: first } = await passwordSignIn(pool, username);
  const refresh = (token) =>
    idp.send(
      new InitiateAuthCommand({
        ClientId: pool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: token },
      }),
    );
  const { AuthenticationResult: renewed } = await refresh(first.RefreshToken);
  assert.equal(renewed.RefreshToken, undefined);
  await verifierFor(pool, 'access').verify(renewed.AccessToken);

  const user = await idp.send(new GetUserCommand({ AccessToken: renewed.AccessToken }));
  assert.equal(user.Username, username);
  const attrs = Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value]));
  assert.equal(attrs.email, `${username}@example.com`);

  await idp.send(new GlobalSignOutCommand({ AccessToken: renewed.AccessToken }));
  await rejectsWith(refresh(first.RefreshToken), 'NotAuthorizedException');
  await rejectsWith(
    idp.send(new GetUserCommand({ AccessToken: first.AccessToken })),
    'NotAuthorizedException',
  );
});

test('TOTP: AssociateSoftwareToken, VerifySoftwareToken (otplib), then SOFTWARE_TOKEN_MFA', async () => {
  const pool = await newPool({ mfa: true });
  const username = await confirmedUser(pool);
  const { AuthenticationResult } = await passwordSignIn(pool, username);
  const AccessToken = AuthenticationResult.AccessToken;
  const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken }));
  const verified = await idp.send(
    new VerifySoftwareTokenCommand({
      AccessToken,
      UserCode: await generate({ secret: SecretCode }),
      FriendlyDeviceName: 'otplib',
    }),
  );
  assert.equal(verified.Status, 'SUCCESS');
  await idp.send(
    new SetUserMFAPreferenceCommand({
      AccessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const challenge = await passwordSignIn(pool, username);
  assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
  await nextTotpStep();
  const r = await idp.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: challenge.Session,
      ChallengeResponses: {
        USERNAME: username,
        SOFTWARE_TOKEN_MFA_CODE: await generate({ secret: SecretCode }),
      },
    }),
  );
  const id = await verifierFor(pool, 'id').verify(r.AuthenticationResult.IdToken);
  assert.equal(id['cognito:username'], username);
});
