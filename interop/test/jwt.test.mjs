// Cognate's tokens against code nobody here wrote, and the other way round.
//
// - aws-jwt-verify (AWS's own Cognito verifier) accepts the ID and access tokens that
//   `cognate token mint` issues, in the Cognito issuer form (CognitoJwtVerifier) and in the
//   local-server form (JwtVerifier), with the JWKS handed in through cacheJwks (no network).
// - `cognate token verify` accepts Cognito-shaped tokens signed by `jose`, and rejects the
//   forged tokens of the security catalogue (part B). Where aws-jwt-verify applies the same
//   rule, it must reject them too (a differential check); the few cases where it does not are
//   listed with the reason.
//
// The binary under test is $COGNATE_BIN (scripts/test builds it), else target/debug/cognate.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import * as jose from 'jose';
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = process.env.COGNATE_BIN ?? path.join(ROOT, 'target', 'debug', 'cognate');
const POOL = 'us-east-1_Example1';
const OTHER_POOL = 'us-east-1_Other22';
const CLIENT = '5hu48rd3mbfvr3t6d6r2rchapm';
const COGNITO_ISS = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const LOCAL_ISS = `http://127.0.0.1:9229/${POOL}`;

let dir;
let keysFile;
let jwksFile;
let jwks;

function cognate(args, { allowFail = false } = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  if (!allowFail && r.status !== 0) {
    throw new Error(`cognate ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return r;
}

function mint(kind, extra = []) {
  return cognate([
    'token', 'mint', '--keys', keysFile, '--pool', POOL, '--client', CLIENT,
    '--user', 'alice', '--kind', kind, ...extra,
  ]).stdout.trim();
}

function decodePart(token, i) {
  return JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString('utf8'));
}

before(() => {
  assert.ok(existsSync(BIN), `cognate binary not found at ${BIN}; build it or set COGNATE_BIN`);
  dir = mkdtempSync(path.join(tmpdir(), 'cognate-interop-'));
  keysFile = path.join(dir, 'keys.json');
  jwksFile = path.join(dir, 'jwks.json');
  cognate(['keys', 'generate', '--out', keysFile]);
  const out = cognate(['jwks', '--keys', keysFile]).stdout;
  writeFileSync(jwksFile, out);
  jwks = JSON.parse(out);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the published JWKS has Cognito\'s shape: two RS256 signing keys', () => {
  assert.equal(jwks.keys.length, 2);
  for (const k of jwks.keys) {
    assert.deepEqual(Object.keys(k), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(k.alg, 'RS256');
    assert.equal(k.kty, 'RSA');
    assert.equal(k.use, 'sig');
    assert.equal(k.e, 'AQAB');
    assert.equal(k.kid.length, 44);
    assert.ok(Buffer.from(k.n, 'base64url').length >= 256);
  }
  assert.notEqual(jwks.keys[0].kid, jwks.keys[1].kid);
});

test('aws-jwt-verify CognitoJwtVerifier accepts our ID token (Cognito issuer form)', async () => {
  const token = mint('id', [
    '--group', 'admins', '--group', 'readers',
    '--attr', 'email=alice@example.com', '--attr', 'email_verified=true',
    '--attr', 'custom:tenant=42',
  ]);
  const header = decodePart(token, 0);
  assert.deepEqual(Object.keys(header), ['kid', 'alg']);
  const verifier = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'id', clientId: CLIENT });
  verifier.cacheJwks(jwks);
  const claims = verifier.verifySync(token);
  assert.equal(claims.iss, COGNITO_ISS);
  assert.equal(claims.token_use, 'id');
  assert.equal(claims.aud, CLIENT);
  assert.equal(claims['cognito:username'], 'alice');
  assert.deepEqual(claims['cognito:groups'], ['admins', 'readers']);
  assert.equal(claims.email, 'alice@example.com');
  assert.equal(claims.email_verified, true);
  assert.equal(claims['custom:tenant'], '42');
  assert.match(claims.sub, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(claims.exp - claims.iat, 3600);
  for (const c of ['jti', 'origin_jti', 'event_id']) assert.match(claims[c], /^[0-9a-f-]{36}$/);

  const withGroup = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'id', clientId: CLIENT, groups: 'admins' });
  withGroup.cacheJwks(jwks);
  withGroup.verifySync(token);
  const wrongGroup = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'id', clientId: CLIENT, groups: 'root' });
  wrongGroup.cacheJwks(jwks);
  assert.throws(() => wrongGroup.verifySync(token));
  const asAccess = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'access', clientId: CLIENT });
  asAccess.cacheJwks(jwks);
  assert.throws(() => asAccess.verifySync(token));
});

test('aws-jwt-verify CognitoJwtVerifier accepts our access token (Cognito issuer form)', async () => {
  const token = mint('access', ['--group', 'admins', '--scope', 'openid', '--scope', 'rs.example/read', '--expires-in', '900']);
  const verifier = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'access', clientId: CLIENT, scope: 'rs.example/read' });
  verifier.cacheJwks(jwks);
  const claims = verifier.verifySync(token);
  assert.equal(claims.token_use, 'access');
  assert.equal(claims.client_id, CLIENT);
  assert.equal(claims.username, 'alice');
  assert.equal(claims.scope, 'openid rs.example/read');
  assert.equal(claims.version, 2);
  assert.equal(claims.aud, undefined);
  assert.equal(claims.exp - claims.iat, 900);
  const wrongClient = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'access', clientId: 'someotherclient' });
  wrongClient.cacheJwks(jwks);
  assert.throws(() => wrongClient.verifySync(token));
  const otherPool = CognitoJwtVerifier.create({ userPoolId: OTHER_POOL, tokenUse: 'access', clientId: CLIENT });
  otherPool.cacheJwks(jwks);
  assert.throws(() => otherPool.verifySync(token));
});

test('ID and access tokens of one sign-in use different keys', () => {
  const id = decodePart(mint('id'), 0);
  const access = decodePart(mint('access'), 0);
  assert.notEqual(id.kid, access.kid);
});

test('aws-jwt-verify JwtVerifier accepts our tokens in the local issuer form', async () => {
  const id = mint('id', ['--issuer', LOCAL_ISS]);
  const idVerifier = JwtVerifier.create({ issuer: LOCAL_ISS, audience: CLIENT, jwksUri: `${LOCAL_ISS}/.well-known/jwks.json` });
  idVerifier.cacheJwks(jwks);
  const idClaims = idVerifier.verifySync(id);
  assert.equal(idClaims.iss, LOCAL_ISS);

  const access = mint('access', ['--issuer', LOCAL_ISS]);
  const accessVerifier = JwtVerifier.create({
    issuer: LOCAL_ISS,
    audience: null,
    jwksUri: `${LOCAL_ISS}/.well-known/jwks.json`,
    customJwtCheck: ({ payload }) => {
      if (payload.client_id !== CLIENT || payload.token_use !== 'access') throw new Error('not our access token');
    },
  });
  accessVerifier.cacheJwks(jwks);
  const accessClaims = accessVerifier.verifySync(access);
  assert.equal(accessClaims.iss, LOCAL_ISS);
  // And the Cognito-form verifier refuses the local issuer.
  const cognitoForm = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'access', clientId: CLIENT });
  cognitoForm.cacheJwks(jwks);
  assert.throws(() => cognitoForm.verifySync(access));
});

test('cognate token verify round-trips its own tokens and prints the claims', () => {
  const token = mint('access', ['--scope', 'openid']);
  const r = cognate(['token', 'verify', '--jwks', jwksFile, '--pool', POOL, '--client', CLIENT, '--kind', 'access', token]);
  const claims = JSON.parse(r.stdout);
  assert.equal(claims.username, 'alice');
  assert.deepEqual(claims, decodePart(token, 1));
});

// ---------------------------------------------------------------------------------------------
// Tokens signed by jose (npm), and the forged ones of catalogue part B.

const now = () => Math.floor(Date.now() / 1000);

function cognitoAccessClaims(overrides = {}) {
  const t = now();
  return {
    sub: 'dea6a10f-8994-4a46-8a60-02983d63b50a',
    'cognito:groups': ['admins'],
    iss: COGNITO_ISS,
    version: 2,
    client_id: CLIENT,
    origin_jti: '04ee7dcf-1d1a-4bb8-9c7e-2f7d6f0f2a11',
    event_id: '4cf13a31-757d-41e9-8b8d-91bb02a83dfa',
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: t,
    exp: t + 3600,
    iat: t,
    jti: 'c2061278-5e29-4d6b-9a1d-0c4b1f7e9d10',
    username: 'alice',
    ...overrides,
  };
}

function cognitoIdClaims(overrides = {}) {
  const t = now();
  return {
    sub: 'dea6a10f-8994-4a46-8a60-02983d63b50a',
    'cognito:groups': ['admins'],
    email_verified: true,
    iss: COGNITO_ISS,
    'cognito:username': 'alice',
    origin_jti: '04ee7dcf-1d1a-4bb8-9c7e-2f7d6f0f2a11',
    aud: CLIENT,
    event_id: '4cf13a31-757d-41e9-8b8d-91bb02a83dfa',
    token_use: 'id',
    auth_time: t,
    exp: t + 3600,
    iat: t,
    jti: 'a1b2c3d4-0000-4000-8000-000000000001',
    email: 'alice@example.com',
    'custom:tenant': '42',
    ...overrides,
  };
}

const b64u = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

/** A compact JWS from raw header and payload JSON text, signed RS256 with a node KeyObject. */
function rawSign(headerText, payloadText, privateKey) {
  const input = `${b64u(headerText)}.${b64u(payloadText)}`;
  const sig = crypto.sign('sha256', Buffer.from(input), privateKey);
  return `${input}.${sig.toString('base64url')}`;
}

function hs256(header, payload, secret) {
  const input = `${b64u(header)}.${b64u(payload)}`;
  const sig = crypto.createHmac('sha256', secret).update(input).digest();
  return `${input}.${sig.toString('base64url')}`;
}

let joseKey;      // { privateKey, publicKey, kid } — published in joseJwksFile
let attacker;     // a key that is not published anywhere
let joseJwks;
let joseJwksFile;
let jkuServer;
let jkuHits = 0;
let jkuUrl;

before(async () => {
  const pair = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await jose.exportJWK(pair.publicKey);
  const kid = await jose.calculateJwkThumbprint(jwk);
  // node:crypto KeyObjects, usable by jose and by the raw node:crypto signing below.
  const asKeyObjects = (p) => ({ privateKey: crypto.KeyObject.from(p.privateKey), publicKey: crypto.KeyObject.from(p.publicKey) });
  joseKey = { ...asKeyObjects(pair), kid, jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
  const atk = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  attacker = { ...asKeyObjects(atk), jwk: await jose.exportJWK(atk.publicKey) };
  joseJwks = { keys: [joseKey.jwk] };
  joseJwksFile = path.join(dir, 'jose-jwks.json');
  writeFileSync(joseJwksFile, JSON.stringify(joseJwks));

  // A listener standing in for an attacker's JWKS / certificate URL (JWT-05): it must never
  // receive a request.
  jkuServer = createServer((req, res) => {
    jkuHits += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...attacker.jwk, kid: 'attacker', alg: 'RS256', use: 'sig' }] }));
  });
  await new Promise((resolve) => jkuServer.listen(0, '127.0.0.1', resolve));
  jkuUrl = `http://127.0.0.1:${jkuServer.address().port}/jwks.json`;
});

after(() => jkuServer?.close());

async function joseSign(claims, { header = {}, key = joseKey.privateKey, signOptions } = {}) {
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: joseKey.kid, ...header })
    .sign(key, signOptions);
}

function cognateVerify(token, kind = 'access', extra = []) {
  return cognate(
    ['token', 'verify', '--jwks', joseJwksFile, '--pool', POOL, '--client', CLIENT, '--kind', kind, ...extra, token],
    { allowFail: true },
  );
}

test('cognate accepts Cognito-shaped tokens signed by jose', async () => {
  const access = cognitoAccessClaims();
  const at = await joseSign(access);
  let r = cognateVerify(at, 'access');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), access);

  const id = cognitoIdClaims();
  const it = await joseSign(id);
  r = cognateVerify(it, 'id');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), id);

  // The same tokens through aws-jwt-verify, as a control for the forged cases below.
  const v = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: 'access', clientId: CLIENT });
  v.cacheJwks(joseJwks);
  v.verifySync(at);
});

/**
 * The forged-token corpus. Each entry: name (catalogue id), kind expected by the verifier,
 * a token factory, and whether aws-jwt-verify is expected to reject it too (false only with a
 * reason: a stricter rule of ours that aws-jwt-verify does not have).
 */
function forgedCases() {
  const pem = joseKey.publicKey.export({ type: 'spki', format: 'pem' });
  const der = joseKey.publicKey.export({ type: 'spki', format: 'der' });
  const nBytes = Buffer.from(joseKey.jwk.n, 'base64url');
  const access = () => cognitoAccessClaims();
  const cases = [];
  const add = (name, make, opts = {}) => cases.push({ name, make, kind: 'access', ajv: true, ...opts });

  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    add(`JWT-01 alg ${alg}, empty signature`, async () => `${b64u({ alg, kid: joseKey.kid })}.${b64u(access())}.`);
    add(`JWT-01 alg ${alg}, junk signature`, async () => `${b64u({ alg, kid: joseKey.kid })}.${b64u(access())}.${b64u('sig')}`);
  }
  const hsKeys = {
    'PEM': pem,
    'PEM without newlines': pem.replace(/\n/g, ''),
    'DER': der,
    'JWK JSON': JSON.stringify(joseKey.jwk),
    'raw n': nBytes,
  };
  for (const [form, secret] of Object.entries(hsKeys)) {
    add(`JWT-02 HS256 keyed with the public key (${form})`, async () => hs256({ alg: 'HS256', kid: joseKey.kid }, access(), secret));
  }
  add('JWT-03 psychic ES256 signature (64 zero bytes)', async () => `${b64u({ alg: 'ES256', kid: joseKey.kid })}.${b64u(access())}.${Buffer.alloc(64).toString('base64url')}`);
  add('JWT-03 psychic ES256 signature (DER MAYCAQACAQA)', async () => `${b64u({ alg: 'ES256', kid: joseKey.kid })}.${b64u(access())}.MAYCAQACAQA`);
  for (const kid of ['../../../../dev/null', "' OR '1'='1", 'x'.repeat(10_000), 'not-published']) {
    add(`JWT-04 kid ${kid.slice(0, 20)}`, async () => rawSign(JSON.stringify({ alg: 'RS256', kid }), JSON.stringify(access()), joseKey.privateKey));
  }
  add('JWT-04 kid is a number', async () => rawSign('{"alg":"RS256","kid":1}', JSON.stringify(access()), joseKey.privateKey));
  add('JWT-04 no kid', async () => rawSign('{"alg":"RS256"}', JSON.stringify(access()), joseKey.privateKey));
  add('JWT-05 jku to an attacker JWKS', async () => new jose.SignJWT(access()).setProtectedHeader({ alg: 'RS256', kid: 'attacker', jku: jkuUrl }).sign(attacker.privateKey));
  add('JWT-05 x5u to an attacker certificate', async () => new jose.SignJWT(access()).setProtectedHeader({ alg: 'RS256', kid: 'attacker', x5u: jkuUrl }).sign(attacker.privateKey));
  add('JWT-06 embedded jwk', async () => new jose.SignJWT(access()).setProtectedHeader({ alg: 'RS256', jwk: attacker.jwk }).sign(attacker.privateKey));
  add('JWT-06 embedded jwk with a published kid', async () => new jose.SignJWT(access()).setProtectedHeader({ alg: 'RS256', kid: joseKey.kid, jwk: attacker.jwk }).sign(attacker.privateKey));
  add('JWT-07 expired', async () => joseSign(cognitoAccessClaims({ exp: now() - 5, iat: now() - 3605 })));
  add('JWT-07 missing exp', async () => { const c = access(); delete c.exp; return joseSign(c); }, { ajv: false, why: 'aws-jwt-verify treats exp as optional; we require it (JWT-07)' });
  add('JWT-07 exp as a string', async () => rawSign(JSON.stringify({ alg: 'RS256', kid: joseKey.kid }), JSON.stringify(cognitoAccessClaims({ exp: '9999999999' })), joseKey.privateKey));
  add('JWT-07 exp "never"', async () => rawSign(JSON.stringify({ alg: 'RS256', kid: joseKey.kid }), JSON.stringify(cognitoAccessClaims({ exp: 'never' })), joseKey.privateKey));
  add('JWT-07 exp negative', async () => joseSign(cognitoAccessClaims({ exp: -1 })));
  add('JWT-07 exp as a float', async () => joseSign(cognitoAccessClaims({ exp: now() + 3600.5 })), { ajv: false, why: 'aws-jwt-verify accepts a fractional exp (NumericDate allows it); we require integer seconds as Cognito emits' });
  add('JWT-08 nbf in the future', async () => joseSign(cognitoAccessClaims({ nbf: now() + 600 })));
  add('JWT-08 nbf as a string', async () => joseSign(cognitoAccessClaims({ nbf: String(now() - 10) })));
  add('JWT-09 iat in the future', async () => joseSign(cognitoAccessClaims({ iat: now() + 600 })), { ajv: false, why: 'aws-jwt-verify does not check iat' });
  add('JWT-10 access token with the wrong client_id', async () => joseSign(cognitoAccessClaims({ client_id: 'anotherclient' })));
  add('JWT-10 ID token with the wrong aud', async () => joseSign(cognitoIdClaims({ aud: 'anotherclient' })), { kind: 'id' });
  add('JWT-10 ID token with aud as an object', async () => joseSign(cognitoIdClaims({ aud: { x: CLIENT } })), { kind: 'id' });
  add('JWT-11 token of another pool', async () => joseSign(cognitoAccessClaims({ iss: `https://cognito-idp.us-east-1.amazonaws.com/${OTHER_POOL}` })));
  add('JWT-11 issuer with a trailing slash', async () => joseSign(cognitoAccessClaims({ iss: `${COGNITO_ISS}/` })));
  add('JWT-11 issuer as an array', async () => joseSign(cognitoAccessClaims({ iss: [COGNITO_ISS] })));
  add('JWT-12 ID token where an access token is expected', async () => joseSign(cognitoIdClaims()), { kind: 'access' });
  add('JWT-12 access token where an ID token is expected', async () => joseSign(cognitoAccessClaims()), { kind: 'id' });
  add('JWT-12 no token_use', async () => { const c = access(); delete c.token_use; return joseSign(c); });
  add('JWT-12 token_use foo', async () => joseSign(cognitoAccessClaims({ token_use: 'foo' })));
  add('JWT-13 crit with an unknown extension', async () => joseSign(access(), { header: { crit: ['exp-x'], 'exp-x': 1 }, signOptions: { crit: { 'exp-x': true } } }), { ajv: false, why: 'aws-jwt-verify ignores crit' });
  add('JWT-15 duplicate header alg (RS256 then none)', async () => rawSign(`{"alg":"RS256","kid":"${joseKey.kid}","alg":"none"}`, JSON.stringify(access()), joseKey.privateKey), { ajv: true });
  add('JWT-15 duplicate sub', async () => {
    const body = JSON.stringify(access()).replace('{', '{"sub":"admin",');
    return rawSign(JSON.stringify({ alg: 'RS256', kid: joseKey.kid }), body, joseKey.privateKey);
  }, { ajv: false, why: 'JSON.parse keeps the last duplicate; we reject duplicate members (JWT-15)' });
  add('JWT-15 duplicate exp', async () => {
    const body = JSON.stringify(cognitoAccessClaims({ exp: now() - 100 })).replace('{', `{"exp":${now() + 9999},`);
    return rawSign(JSON.stringify({ alg: 'RS256', kid: joseKey.kid }), body, joseKey.privateKey);
  });
  add('JWT-16 tampered payload', async () => {
    const t = await joseSign(access());
    const [h, , s] = t.split('.');
    return `${h}.${b64u(cognitoAccessClaims({ username: 'admin' }))}.${s}`;
  });
  add('JWT-16 four segments', async () => `${await joseSign(access())}.x`);
  add('JWT-16 padded base64', async () => { const [h, p, s] = (await joseSign(access())).split('.'); return `${h}=.${p}.${s}`; }, { ajv: false, why: 'aws-jwt-verify decodes padded base64url leniently' });
  add('JWT-16 payload is an array', async () => rawSign(JSON.stringify({ alg: 'RS256', kid: joseKey.kid }), '[]', joseKey.privateKey));
  add('JWT-17 64 kB token', async () => joseSign(cognitoAccessClaims({ junk: 'x'.repeat(64 * 1024) })), { ajv: false, why: 'aws-jwt-verify has no size limit' });
  add('JWT-17 10,000-deep nesting', async () => rawSign(JSON.stringify({ alg: 'RS256', kid: joseKey.kid }), JSON.stringify(access()).replace('{', `{"deep":${'['.repeat(10_000)}${']'.repeat(10_000)},`), joseKey.privateKey), { ajv: false, why: 'JSON.parse accepts deep nesting' });
  add('JWT-18 a JWE (5 segments)', async () => {
    const jwe = await new jose.CompactEncrypt(new TextEncoder().encode(JSON.stringify(access())))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: joseKey.kid })
      .encrypt(joseKey.publicKey);
    return jwe;
  });
  add('JWT-19 token signed by an unpublished key under a published kid', async () => joseSign(access(), { key: attacker.privateKey }));
  return cases;
}

test('cognate rejects the forged tokens of catalogue part B, and so does aws-jwt-verify', async (t) => {
  const cases = forgedCases();
  assert.ok(cases.length >= 50, `corpus has ${cases.length} cases`);
  for (const c of cases) {
    await t.test(c.name, async () => {
      const token = await c.make();
      const r = cognateVerify(token, c.kind);
      assert.equal(r.status, 1, `cognate accepted or crashed (status ${r.status}): ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^error: invalid token: /m);
      assert.doesNotMatch(r.stderr, /panicked/);
      const v = CognitoJwtVerifier.create({ userPoolId: POOL, tokenUse: c.kind, clientId: CLIENT });
      v.cacheJwks(joseJwks);
      if (c.ajv) {
        assert.throws(() => v.verifySync(token), `aws-jwt-verify accepted ${c.name}`);
      } else {
        assert.ok(c.why, 'a case aws-jwt-verify need not reject must say why');
      }
    });
  }
  assert.equal(jkuHits, 0, 'a jku/x5u URL in a token was fetched');
});
