-- wrk script for benches/http/run.sh: POSTs one InitiateAuth request body, read from the file
-- named by $BODY_FILE, as the AWS JSON 1.1 protocol does (unsigned, as SDKs send InitiateAuth).
-- Every response whose status is not 200 is counted, and done() prints one machine-readable
-- line:
--   RESULT requests=N duration_us=N non200=N socket_errors=N rps=F p50_ms=F p90_ms=F p99_ms=F max_ms=F

local f = assert(io.open(assert(os.getenv("BODY_FILE"), "BODY_FILE not set"), "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.path = "/"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.InitiateAuth"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non200 = 0
  first_bad = nil
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if first_bad == nil then
      first_bad = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
    local fb = t:get("first_bad")
    if fb ~= nil then
      io.write("FIRST_NON200 " .. fb .. "\n")
    end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non200=%d socket_errors=%d rps=%.1f "
      .. "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.duration, bad, socket_errors,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
