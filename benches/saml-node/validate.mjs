// node-saml's ACS validation (`SAML.validatePostResponseAsync`) of the same signed
// SAMLResponse fixtures cognate-saml's benchmarks validate, on one thread for a fixed duration.
// The peer side of benches/saml-node/run.sh.
//
//   node validate.mjs [SECONDS] [WARMUP] [FIXTURE...]
//
// (default 10 s after a 2 s warm-up; fixtures ok_assertion_signed and ok_response_signed from
// crates/cognate-saml/tests/fixtures/out/). Validates each fixture once and stops with exit
// status 1 unless node-saml accepts it with NameID alice@example.test, refuses it a second
// time for the same saved request ID, and refuses a copy with another NameID (the signature is
// checked); prints the NameID, then one line per fixture:
//   NODE_SAML fixture=NAME threads=1 seconds=F validations=N rate=F us_per_validation=F
//
// Set-up, matching cognate's (benches/saml_acs.rs and crates/cognate-saml/tests/common):
// - idpCert: the signing certificates of the IdP's metadata (fixtures/out/idp_metadata.xml),
//   in order, as cognate's ServiceProvider gets them;
// - issuer and audience: urn:amazon:cognito:sp:us-east-1_Example1 (the SP entity ID Cognito
//   uses); callbackUrl: the ACS, https://example.auth.us-east-1.amazoncognito.com/saml2/idpresponse;
// - wantAssertionsSigned / wantAuthnResponseSigned: true for the element the fixture signs,
//   false for the other (node-saml 5 wants both signed by default; no fixture signs both);
// - the clock: the fixtures were issued at 2026-01-01T00:00:00Z and their Conditions and
//   SubjectConfirmationData hold until 00:05:00Z. node-saml reads the time with `new Date()`
//   (and its cache with `new Date().getTime()`), so this script replaces the global Date with
//   a subclass whose argument-less constructor and Date.now() return 2026-01-01T00:00:10Z,
//   cognate's ManualClock in the same benchmark (T0 + 10 s). acceptedClockSkewMs stays 0.
// - InResponseTo: validateInResponseTo "always", with node-saml's default in-memory cache
//   provider. As in an SP-initiated sign-in, the request ID (_req0123...) is saved in that
//   cache with its issue instant (T0 - 30 s, cognate's PendingSignIn) before each validation;
//   node-saml checks it against the Response and the SubjectConfirmationData and removes it
//   (one use). Cognate gets the same request ID from the caller's PendingSignIn and instead
//   inserts the assertion ID into its replay cache; node-saml has no assertion replay cache.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { SAML, ValidateInResponseTo } from "@node-saml/node-saml";

const T0_MS = Date.UTC(2026, 0, 1, 0, 0, 0);
const NOW_MS = T0_MS + 10_000;
const REQUEST_ID = "_req0123456789abcdef0123456789abcdef01";
const REQUEST_ISSUED = new Date(T0_MS - 30_000).toISOString();
const POOL = "us-east-1_Example1";
const SP_ENTITY_ID = `urn:amazon:cognito:sp:${POOL}`;
const ACS = "https://example.auth.us-east-1.amazoncognito.com/saml2/idpresponse";
const NAME_ID = "alice@example.test";
// Which element each fixture signs (cognate's benches/saml_acs.rs FIXTURES).
const SIGNS_RESPONSE = { ok_assertion_signed: false, ok_response_signed: true };

// The fixed clock. Real time for the benchmark loop itself comes from process.hrtime.
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(NOW_MS);
    else super(...args);
  }
  static now() {
    return NOW_MS;
  }
}
globalThis.Date = FixedDate;

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "../../crates/cognate-saml/tests/fixtures/out");

const args = process.argv.slice(2);
const seconds = Number(args[0] ?? 10);
const warmup = Number(args[1] ?? 2);
const names = args.length > 2 ? args.slice(2) : Object.keys(SIGNS_RESPONSE);
if (!(seconds > 0) || !(warmup >= 0)) {
  console.error("usage: node validate.mjs [SECONDS] [WARMUP] [FIXTURE...]");
  process.exit(2);
}

// The IdP's signing certificates from its metadata, as cognate's SP reads them.
const metadata = readFileSync(join(fixtures, "idp_metadata.xml"), "utf8");
const idpCert = [
  ...metadata.matchAll(
    /<md:KeyDescriptor use="signing">.*?<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/gs,
  ),
].map((m) => m[1].replace(/\s+/g, ""));
if (idpCert.length === 0) {
  console.error("validate.mjs: no signing certificate in idp_metadata.xml");
  process.exit(1);
}

function samlFor(name) {
  const signsResponse = SIGNS_RESPONSE[name];
  if (signsResponse === undefined) {
    console.error(`validate.mjs: unknown fixture ${name} (which element does it sign?)`);
    process.exit(2);
  }
  return new SAML({
    idpCert,
    issuer: SP_ENTITY_ID,
    audience: SP_ENTITY_ID,
    callbackUrl: ACS,
    wantAuthnResponseSigned: signsResponse,
    wantAssertionsSigned: !signsResponse,
    acceptedClockSkewMs: 0,
    validateInResponseTo: ValidateInResponseTo.always,
  });
}

async function validateOnce(saml, container) {
  await saml.cacheProvider.saveAsync(REQUEST_ID, REQUEST_ISSUED);
  return saml.validatePostResponseAsync(container);
}

async function mustRefuse(name, what, validation) {
  let accepted = false;
  try {
    await validation();
    accepted = true;
  } catch {
    // refused, as it must be
  }
  if (accepted) {
    console.error(`validate.mjs: ${name}: ${what}`);
    process.exit(1);
  }
}

// Runs validations back to back until `secs` have passed; returns [count, seconds].
async function run(saml, container, secs) {
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(secs * 1e9));
  let n = 0;
  let now = start;
  while (now < end) {
    const { profile } = await validateOnce(saml, container);
    if (profile === null) throw new Error("no profile");
    n += 1;
    now = process.hrtime.bigint();
  }
  return [n, Number(now - start) / 1e9];
}

for (const name of names) {
  const xml = readFileSync(join(fixtures, `${name}.xml`));
  const container = { SAMLResponse: xml.toString("base64") };
  const saml = samlFor(name);
  let result;
  try {
    result = await validateOnce(saml, container);
  } catch (e) {
    console.error(`validate.mjs: node-saml refuses ${name}: ${e?.stack ?? e}`);
    process.exit(1);
  }
  const nameID = result?.profile?.nameID;
  if (nameID !== NAME_ID) {
    console.error(`validate.mjs: ${name}: unexpected result ${JSON.stringify(result)}`);
    process.exit(1);
  }
  // The request ID is one use: a second validation without saving it again must fail.
  await mustRefuse(name, "accepted twice for one saved request ID", () =>
    saml.validatePostResponseAsync(container),
  );
  // The signature is checked: the same response with another NameID must fail.
  const tampered = xml.toString("utf8").replace(`>${NAME_ID}</`, ">mallory@example.test</");
  if (tampered === xml.toString("utf8")) throw new Error(`${name}: no NameID to tamper with`);
  await mustRefuse(name, "accepted with a tampered NameID", () =>
    validateOnce(saml, { SAMLResponse: Buffer.from(tampered).toString("base64") }),
  );
  console.log(`# ${name}: accepted, NameID ${JSON.stringify(nameID)}`);
  await run(saml, container, warmup);
  const [n, secs] = await run(saml, container, seconds);
  const rate = n / secs;
  console.log(
    `NODE_SAML fixture=${name} threads=1 seconds=${secs.toFixed(2)} validations=${n} ` +
      `rate=${rate.toFixed(1)} us_per_validation=${(1e6 / rate).toFixed(1)}`,
  );
}
