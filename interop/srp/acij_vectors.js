// SRP vectors from the real amazon-cognito-identity-js (AWS's Cognito client for JavaScript).
//
// For each case in cases.json this script:
//  * pins the client's secret `a` (AuthenticationHelper.generateRandomSmallA) and the clock
//    (global Date, read by DateHelper.getNowString), nothing else;
//  * computes the server side (v = g^x, B = k*v + g^b) with the library's own BigInteger and
//    helper functions (padHex, hash, hexHash);
//  * runs the library's real CognitoUser.authenticateUser (USER_SRP_AUTH) against a fake
//    transport that answers InitiateAuth with the PASSWORD_VERIFIER challenge and records the
//    RespondToAuthChallenge request: SRP_A, TIMESTAMP and PASSWORD_CLAIM_SIGNATURE come from there;
//  * records the intermediate values (x, u, S, K) from a second AuthenticationHelper with the same
//    `a`, and checks that K signs to the recorded signature.
//
// Run: npm install && node acij_vectors.js > ../../crates/cognate-userpool/tests/data/srp-vectors-acij.json
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const lib = require('amazon-cognito-identity-js');
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;
const pkg = require('amazon-cognito-identity-js/package.json');

const { AuthenticationHelper, AuthenticationDetails, CognitoUser, CognitoUserPool, DateHelper } =
	lib;

const input = JSON.parse(fs.readFileSync(path.join(__dirname, 'cases.json'), 'utf8'));

const RealDate = Date;
let fixedNow = 0;
global.Date = class extends RealDate {
	constructor(...args) {
		if (args.length === 0) super(fixedNow);
		else super(...args);
	}
	static now() {
		return fixedNow;
	}
};

let fixedA = null;
AuthenticationHelper.prototype.generateRandomSmallA = function () {
	return new BigInteger(fixedA, 16);
};

function modPow(base, exp, mod) {
	let out;
	base.modPow(exp, mod, (err, r) => {
		if (err) throw err;
		out = r;
	});
	assert(out !== undefined, 'modPow is synchronous here');
	return out;
}

function runCase(c) {
	fixedA = c.a;
	fixedNow = c.time_ms;
	const poolName = c.pool_id.split('_')[1];

	const helper = new AuthenticationHelper(poolName);
	const N = helper.N;
	const g = helper.g;
	const k = helper.k;

	// Server side with the library's own primitives.
	const salt = new BigInteger(c.salt, 16);
	const saltHex = salt.toString(16); // what a server sends as SALT
	const x = new BigInteger(
		helper.hexHash(helper.padHex(salt) + helper.hash(`${poolName}${c.user_id_for_srp}:${c.password}`)),
		16
	);
	const v = modPow(g, x, N);
	const b = new BigInteger(c.b, 16);
	const B = k.multiply(v).add(modPow(g, b, N)).mod(N);
	const srpB = B.toString(16);

	// The real sign-in flow, over a fake transport.
	const pool = new CognitoUserPool({ UserPoolId: c.pool_id, ClientId: 'client123' });
	const user = new CognitoUser({ Username: 'alias-or-username', Pool: pool });
	const seen = {};
	user.client = {
		request(op, params, cb) {
			if (op === 'InitiateAuth') {
				seen.initiate = params;
				cb(null, {
					ChallengeName: 'PASSWORD_VERIFIER',
					Session: 'session-0123456789abcdef',
					ChallengeParameters: {
						SALT: saltHex,
						SECRET_BLOCK: c.secret_block,
						SRP_B: srpB,
						USERNAME: c.user_id_for_srp,
						USER_ID_FOR_SRP: c.user_id_for_srp,
					},
				});
			} else if (op === 'RespondToAuthChallenge') {
				seen.respond = params;
				cb(new Error('vector recorded'));
			} else {
				cb(new Error(`unexpected ${op}`));
			}
		},
	};
	let failure = null;
	user.authenticateUser(
		new AuthenticationDetails({ Username: 'alias-or-username', Password: c.password }),
		{
			onSuccess() {},
			onFailure(err) {
				failure = err;
			},
		}
	);
	assert(failure && failure.message === 'vector recorded', `flow stopped early: ${failure}`);
	assert.strictEqual(seen.initiate.AuthFlow, 'USER_SRP_AUTH');
	const responses = seen.respond.ChallengeResponses;
	assert.strictEqual(seen.respond.ChallengeName, 'PASSWORD_VERIFIER');
	assert.strictEqual(responses.USERNAME, c.user_id_for_srp);
	assert.strictEqual(responses.PASSWORD_CLAIM_SECRET_BLOCK, c.secret_block);

	// Intermediate values from the helper (same `a`).
	let A;
	helper.getLargeAValue((err, value) => {
		if (err) throw err;
		A = value;
	});
	assert.strictEqual(A.toString(16), seen.initiate.AuthParameters.SRP_A);
	let K;
	helper.getPasswordAuthenticationKey(c.user_id_for_srp, c.password, B, salt, (err, hkdf) => {
		if (err) throw err;
		K = hkdf;
	});
	assert(K !== undefined, 'key derivation is synchronous here');
	const u = helper.UValue;
	let S;
	helper.calculateS(x, B, (err, value) => {
		if (err) throw err;
		S = value;
	});
	const message = Buffer.concat([
		Buffer.from(poolName, 'utf8'),
		Buffer.from(c.user_id_for_srp, 'utf8'),
		Buffer.from(c.secret_block, 'base64'),
		Buffer.from(responses.TIMESTAMP, 'utf8'),
	]);
	const check = crypto.createHmac('sha256', Buffer.from(K)).update(message).digest('base64');
	assert.strictEqual(check, responses.PASSWORD_CLAIM_SIGNATURE, 'K signs to the flow signature');

	return {
		...c,
		pool_name: poolName,
		salt_hex: saltHex,
		srp_a: seen.initiate.AuthParameters.SRP_A,
		srp_b: srpB,
		k: k.toString(16),
		x: x.toString(16),
		v: v.toString(16),
		u: u.toString(16),
		s: S.toString(16),
		pad_hex_a: helper.padHex(A),
		pad_hex_b: helper.padHex(B),
		pad_hex_s: helper.padHex(S),
		pad_hex_u: helper.padHex(u),
		pad_hex_salt: helper.padHex(salt),
		key: Buffer.from(K).toString('hex'),
		timestamp: responses.TIMESTAMP,
		signature: responses.PASSWORD_CLAIM_SIGNATURE,
	};
}

const cases = input.cases.map(runCase);
const timestamps = input.timestamps.map(secs => {
	fixedNow = secs * 1000;
	return { secs, timestamp: new DateHelper().getNowString() };
});

process.stdout.write(
	JSON.stringify(
		{
			generator: `interop/srp/acij_vectors.js with amazon-cognito-identity-js ${pkg.version}`,
			cases,
			timestamps,
		},
		null,
		2
	) + '\n'
);
