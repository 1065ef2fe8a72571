// The load generator of benches/http/token.sh: autocannon POSTing the client_credentials
// token request to one server.
//
//   node load.mjs TOKEN_URL CLIENT_ID CLIENT_SECRET CONNECTIONS SECONDS
//
// Sends `grant_type=client_credentials&scope=orders/read` with `authorization: Basic ...`
// (client_secret_basic) on CONNECTIONS keep-alive connections, no pipelining, for SECONDS.
// Prints autocannon's usual table on stderr and one line on stdout:
//   RESULT rps=F requests=N non2xx=N errors=N timeouts=N p50_ms=F p90_ms=F p99_ms=F max_ms=F
//          seconds=F status=CODE:N,...
// rps counts the 2xx responses only. Latencies are autocannon's (a histogram of whole
// milliseconds, 2xx responses only). Exit status 0 even with failures: the caller reads
// non2xx, errors and timeouts.
import autocannon from 'autocannon';

const [url, clientId, clientSecret, connections, seconds] = process.argv.slice(2);
if (!seconds) {
  console.error('usage: node load.mjs TOKEN_URL CLIENT_ID CLIENT_SECRET CONNECTIONS SECONDS');
  process.exit(2);
}

// RFC 6749 section 2.3.1: client id and secret are form-urlencoded before Basic encoding.
const form = (s) => encodeURIComponent(s).replace(/%20/g, '+');
const basic = Buffer.from(`${form(clientId)}:${form(clientSecret)}`).toString('base64');

const instance = autocannon(
  {
    url,
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: 'grant_type=client_credentials&scope=orders/read',
    connections: Number(connections),
    duration: Number(seconds),
    pipelining: 1,
    timeout: 60,
  },
  (err, r) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    const status = Object.entries(r.statusCodeStats)
      .map(([code, { count }]) => `${code}:${count}`)
      .join(',') || 'none';
    const fields = {
      rps: (r['2xx'] / r.duration).toFixed(1),
      requests: r.requests.total,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      p50_ms: r.latency.p50,
      p90_ms: r.latency.p90,
      p99_ms: r.latency.p99,
      max_ms: r.latency.max,
      seconds: r.duration.toFixed(2),
      status,
    };
    console.log(`RESULT ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  },
);
autocannon.track(instance, { outputStream: process.stderr, renderProgressBar: false });
