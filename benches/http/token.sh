#!/usr/bin/env bash
# The OAuth 2.0 token endpoint over HTTP, client_credentials grant: `cognate serve` against
# oidc-provider, the same load generator (autocannon), the same run.
#
#   bash benches/http/token.sh
#
# What it does (not run by CI; about 3 minutes with the defaults, after the build):
#   1. installs the pinned node packages of benches/http/oauth2 (`npm ci`: oidc-provider 9.13.3,
#      autocannon 9.0.0) and boto3 (benches/http/requirements.txt, the venv run.sh uses) into
#      benches/http/.venv; builds the release `cognate` binary (package cognate-server) and the
#      bound example rs256_sign_rate of cognate-benches;
#   2. starts `cognate serve --listen 127.0.0.1:0 --data <tmpdir>` (dev mode, SQLite store) and
#      oidc-provider (benches/http/oauth2/provider.mjs, NODE_ENV=production, one client allowed
#      client_credentials with client_secret_basic, RS256 JWT access tokens from a fresh
#      RSA-2048 key, no request logging) on another loopback port; on Cognate, with boto3
#      (setup_m2m.py): a pool, a domain, a resource server `orders` with the scope `read` and a
#      client with a secret allowed client_credentials and `orders/read`;
#   3. asks each token endpoint once (setup_m2m.py check) and stops unless both answer 200 with
#      a Bearer access token that is a JWT signed RS256 (a 256-byte signature) granting
#      `orders/read`;
#   4. for each connection count, measures in the same run the bound on all cores for DURATION
#      seconds: RS256 signatures/s (RSA-2048; a client_credentials token costs one signature),
#      then each server: autocannon (benches/http/oauth2/load.mjs) POSTs
#      `grant_type=client_credentials&scope=orders/read` with `authorization: Basic ...`:
#      WARMUP seconds discarded, then DURATION seconds measured. Any non-2xx response, error or
#      timeout stops the run, with the counts;
#   5. prints req/s, latency percentiles (autocannon's: whole milliseconds) and peak RSS per
#      server, the ratios cognate/oidc-provider, cognate/bound and oidc-provider/bound, the
#      versions, the load average at the start, and for every window the CPU used by the server,
#      by autocannon and by everything else on the machine (other work sharing the cores, from
#      /proc/stat); keeps a copy of the report in benches/http/results/ (ignored by git).
#
# Settings (environment): DURATION (s, default 15), WARMUP (s, default 5), CONNECTIONS (default
# "10 1 50": the first is the headline row), CARGO_TARGET_DIR (default <repo>/target),
# RUST_LOG for the Cognate server (default: its own, info: one log line per request, written to
# a file here; oidc-provider logs nothing per request).
#
# The load generator runs on the same machine as the servers, so each server shares the cores
# with autocannon (one node process); the other server is idle meanwhile. Close other work
# while measuring, and read the "other work" column: a row where it is not near 0 was measured
# on a shared machine.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-"10 1 50"}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=$HERE/.venv
PY=$VENV/bin/python
NODE_DIR=$HERE/oauth2

die() {
    echo "token.sh: $*" >&2
    exit 1
}

# --- tools -------------------------------------------------------------------------------
command -v node >/dev/null && command -v npm >/dev/null ||
    die "node and npm are missing (Debian: apt-get install nodejs npm)"
echo "installing oidc-provider and autocannon (npm ci in benches/http/oauth2)"
(cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
if [ ! -x "$PY" ] || ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.installed"; then
    echo "installing boto3 (and moto, for run.sh) into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
    cp "$HERE/requirements.txt" "$VENV/requirements.installed"
fi

echo "building (release): cognate, rs256_sign_rate"
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET cargo build --release -q -p cognate-server --bin cognate \
    -p cognate-benches --example rs256_sign_rate)
COGNATE=$TARGET/release/cognate
RS256_SIGN_RATE=$TARGET/release/examples/rs256_sign_rate

# --- servers -----------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cognate-tokenbench.XXXXXX")
COGNATE_PID=
OIDC_PID=
cleanup() {
    for pid in $COGNATE_PID $OIDC_PID; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $COGNATE_PID $OIDC_PID; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for_url FILE PID NAME: the http://... of the `listening on` line NAME prints in FILE.
wait_for_url() {
    local url=
    for _ in $(seq 600); do
        url=$(sed -n 's/^listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$1")
        [ -n "$url" ] && break
        kill -0 "$2" 2>/dev/null || { cat "$WORK/$3.log" >&2; die "$3 exited"; }
        sleep 0.1
    done
    [ -n "$url" ] || die "$3 did not print its address"
    echo "$url"
}

"$COGNATE" serve --listen 127.0.0.1:0 --data "$WORK/cognate-data" \
    >"$WORK/cognate.out" 2>"$WORK/cognate.log" &
COGNATE_PID=$!
COGNATE_URL=$(wait_for_url "$WORK/cognate.out" "$COGNATE_PID" cognate)

OIDC_CLIENT_ID=token-bench
OIDC_CLIENT_SECRET=$("$PY" -c 'import secrets; print(secrets.token_hex(26))')
(cd "$NODE_DIR" && NODE_ENV=production exec node provider.mjs "$OIDC_CLIENT_ID" "$OIDC_CLIENT_SECRET" \
    >"$WORK/oidc.out" 2>"$WORK/oidc.log") &
OIDC_PID=$!
OIDC_URL=$(wait_for_url "$WORK/oidc.out" "$OIDC_PID" oidc)

"$PY" "$HERE/setup_m2m.py" setup "$COGNATE_URL" "$WORK/cognate"
# shellcheck disable=SC1091
. "$WORK/cognate/m2m.env"
declare -A TOKEN_URL_OF=([cognate]=$TOKEN_URL [oidc]=$OIDC_URL/token)
declare -A CLIENT_ID_OF=([cognate]=$CLIENT_ID [oidc]=$OIDC_CLIENT_ID)
declare -A CLIENT_SECRET_OF=([cognate]=$CLIENT_SECRET [oidc]=$OIDC_CLIENT_SECRET)
declare -A PID_OF=([cognate]=$COGNATE_PID [oidc]=$OIDC_PID)
declare -A TOKEN_OF=()
for server in cognate oidc; do
    TOKEN_OF[$server]=$("$PY" "$HERE/setup_m2m.py" check "${TOKEN_URL_OF[$server]}" \
        "${CLIENT_ID_OF[$server]}" "${CLIENT_SECRET_OF[$server]}") ||
        die "$server: the token endpoint does not answer with an RS256 JWT (above); nothing measured"
    echo "$server ${TOKEN_URL_OF[$server]}: ${TOKEN_OF[$server]}"
done

# --- measuring ---------------------------------------------------------------------------
NCPU=$(nproc)
HZ=$(getconf CLK_TCK)
field() { # field NAME LINE: the value of NAME=... in a RESULT line
    sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
busy_ticks() { # CPU ticks spent on the whole machine (user, nice, system, irq, softirq, steal)
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
proc_ticks() { # CPU ticks of one process, all its threads
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
peak_rss_mib() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
now() { date +%s.%N; }
# cores SECONDS_OF_CPU WALL: average cores in use
cores() { awk -v c="$1" -v w="$2" 'BEGIN { printf "%.2f", c / w }'; }

# measure PID CMD...: runs CMD with its output in $WORK/measure.out, and sets CPU_SELF (cores
# used by CMD), CPU_PID (cores used by PID, 0 if none) and CPU_OTHERS (cores used by
# everything else on the machine: other work sharing the cores) over the run.
measure() {
    local pid=$1 b0 b1 p0=0 p1=0 t0 t1 self
    shift
    b0=$(busy_ticks)
    [ "$pid" = 0 ] || p0=$(proc_ticks "$pid")
    t0=$(now)
    local TIMEFORMAT='%U %S'
    { time "$@" >"$WORK/measure.out" 2>"$WORK/measure.err"; } 2>"$WORK/measure.time" || {
        cat "$WORK/measure.out" "$WORK/measure.err" >&2
        die "failed: $*"
    }
    t1=$(now)
    [ "$pid" = 0 ] || p1=$(proc_ticks "$pid")
    b1=$(busy_ticks)
    self=$(awk '{ print $1 + $2 }' "$WORK/measure.time")
    local wall
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    CPU_SELF=$(cores "$self" "$wall")
    CPU_PID=$(awk -v t=$((p1 - p0)) -v hz="$HZ" -v w="$wall" 'BEGIN { printf "%.2f", t / hz / w }')
    CPU_OTHERS=$(awk -v b=$((b1 - b0)) -v p=$((p1 - p0)) -v s="$self" -v hz="$HZ" -v w="$wall" \
        'BEGIN { o = ((b - p) / hz - s) / w; if (o < 0) o = 0; printf "%.2f", o }')
}

# load_run SERVER CONNECTIONS SECONDS: sets RESULT (the RESULT line of load.mjs) and the CPU_*
# of measure; dies on any non-2xx response, error or timeout.
load_run() {
    local server=$1 conns=$2 secs=$3
    measure "${PID_OF[$server]}" env NODE_ENV=production node "$NODE_DIR/load.mjs" \
        "${TOKEN_URL_OF[$server]}" "${CLIENT_ID_OF[$server]}" "${CLIENT_SECRET_OF[$server]}" \
        "$conns" "$secs"
    RESULT=$(grep '^RESULT ' "$WORK/measure.out") || {
        cat "$WORK/measure.out" "$WORK/measure.err" >&2
        die "no RESULT from autocannon"
    }
    if [ "$(field non2xx "$RESULT")" != 0 ] || [ "$(field errors "$RESULT")" != 0 ] ||
        [ "$(field timeouts "$RESULT")" != 0 ] || [ "$(field requests "$RESULT")" = 0 ]; then
        echo "$RESULT" >&2
        cat "$WORK/measure.err" >&2
        tail -n 5 "$WORK/$server.log" >&2 || true
        die "$server answered with failures at c=$conns (above: status counts, errors); nothing measured is kept"
    fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
node_pkg_version() { node -p "require('$NODE_DIR/node_modules/$1/package.json').version"; }

REPORT=$WORK/report.txt
{
    echo "# Token endpoint over HTTP (client_credentials): cognate serve vs oidc-provider, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "cognate $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')," \
        "$(rustc --version)"
    echo "oidc-provider $(node_pkg_version oidc-provider) (jose $(node_pkg_version jose))," \
        "autocannon $(node_pkg_version autocannon), node $(node --version), $(node -p process.versions.openssl | sed 's/^/OpenSSL /')"
    echo "$NCPU CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)), load at start $(load)"
    echo "cognate token: ${TOKEN_OF[cognate]}"
    echo "oidc-provider token: ${TOKEN_OF[oidc]}"
    echo "autocannon, ${WARMUP}s warm-up then ${DURATION}s per row; bound: RS256 signatures/s (RSA-2048," \
        "cognate-jwt on aws-lc-rs), ${DURATION}s on $NCPU threads, right before each row"
    echo "CPU in cores (of $NCPU): srv = the server under test, load = autocannon,"
    echo "others = everything else on the machine in the same window (other work sharing the cores)"
} | tee "$REPORT"

rows=()
for conns in $CONNECTIONS; do
    declare -A rps=() p50=() p99=() rss=() srv=() gen=()
    others=0
    measure 0 "$RS256_SIGN_RATE" "$DURATION"
    bound_line=$(cat "$WORK/measure.out")
    bound=$(field rate "$bound_line")
    others=$(max "$others" "$CPU_OTHERS")
    echo "  bound: $bound_line cpu: self=$CPU_SELF others=$CPU_OTHERS"
    for server in cognate oidc; do
        load_run "$server" "$conns" "$WARMUP"
        load_run "$server" "$conns" "$DURATION"
        others=$(max "$others" "$CPU_OTHERS")
        rps[$server]=$(field rps "$RESULT")
        p50[$server]=$(field p50_ms "$RESULT")
        p99[$server]=$(field p99_ms "$RESULT")
        rss[$server]=$(peak_rss_mib "${PID_OF[$server]}")
        srv[$server]=$CPU_PID
        gen[$server]=$CPU_SELF
        echo "  c=$conns $server: ${RESULT#RESULT } cpu: srv=$CPU_PID load=$CPU_SELF" \
            "others=$CPU_OTHERS; peak RSS so far ${rss[$server]} MiB"
    done
    rows+=("$(printf '| %3s | %9s | %6s | %6s | %4s | %4s/%4s | %9s | %6s | %6s | %4s | %4s/%4s | %7sx | %9s | %6s | %6s | %5s |' \
        "$conns" \
        "${rps[cognate]}" "${p50[cognate]}" "${p99[cognate]}" "${rss[cognate]}" "${srv[cognate]}" "${gen[cognate]}" \
        "${rps[oidc]}" "${p50[oidc]}" "${p99[oidc]}" "${rss[oidc]}" "${srv[oidc]}" "${gen[oidc]}" \
        "$(ratio "${rps[cognate]}" "${rps[oidc]}")" "$bound" \
        "$(ratio "${rps[cognate]}" "$bound")" "$(ratio "${rps[oidc]}" "$bound")" "$others")")
    unset rps p50 p99 rss srv gen
done
{
    echo
    echo "## POST /oauth2/token, grant_type=client_credentials (one RS256 access token per request)"
    echo
    echo "| c | cognate req/s | p50 ms | p99 ms | peak RSS MiB | cpu srv/load | oidc-provider req/s | p50 ms | p99 ms | peak RSS MiB | cpu srv/load | cognate/oidc-provider | RS256 signs/s (bound) | cognate/bound | oidc-provider/bound | other work (cores, max) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "load at end $(load)"
} | tee -a "$REPORT"

mkdir -p "$HERE/results"
cp "$REPORT" "$HERE/results/token-$(date -u +%Y%m%dT%H%M%SZ).md"
echo "(report kept in benches/http/results/)"
