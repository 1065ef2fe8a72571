#!/usr/bin/env bash
# Sign-in over HTTP: `cognate serve` against moto's server, same load generator, same run.
#
#   bash benches/http/run.sh
#
# What it does (not run by CI; takes about 6 minutes with the defaults):
#   1. builds the release `cognate` binary (package cognate-server) and the two bound examples
#      of cognate-benches (argon2_rate, rs256_pair_rate); installs wrk (Debian package) when it
#      is missing and moto's server (benches/http/requirements.txt) into benches/http/.venv;
#   2. starts `cognate serve --listen 127.0.0.1:0 --data <tmpdir>` (dev mode, in-memory store)
#      and `moto_server` on another loopback port, and with boto3 (setup_pool.py) creates on
#      each a pool, a client allowing USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH, a user with a
#      permanent password, and a refresh token;
#   3. for each flow (REFRESH_TOKEN_AUTH, then USER_PASSWORD_AUTH), each connection count and
#      each server, POSTs the same InitiateAuth body with wrk (initiate_auth.lua): WARMUP
#      seconds discarded, then DURATION seconds measured. Any response other than 200, or any
#      socket error, stops the run with the first bad response;
#   4. right before each Cognate run, measures in the same run the bound of its flow on all
#      cores for DURATION seconds: argon2id verifications/s at the argon2 crate's defaults
#      (USER_PASSWORD_AUTH) and RS256 signature pairs/s (REFRESH_TOKEN_AUTH, two tokens per
#      refresh);
#   5. prints req/s and latency percentiles per server, the ratios Cognate/moto and
#      Cognate/bound, the versions and the load average, and keeps a copy of the report in
#      benches/http/results/ (ignored by git).
#
# Settings (environment): DURATION (s, default 15), WARMUP (s, default 5), CONNECTIONS
# (default "4 16 64"), WRK_THREADS (default 2), FLOWS (default "refresh password"),
# CARGO_TARGET_DIR (default <repo>/target), RUST_LOG for the Cognate server (default: its own,
# info: one log line per request, written to a file here, as moto logs each request too).
#
# The load generator runs on the same machine as the server under test, so both servers share
# the cores with wrk; the other server is idle meanwhile. Close other work while measuring and
# read the load averages printed with each row.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-"4 16 64"}
WRK_THREADS=${WRK_THREADS:-2}
FLOWS=${FLOWS:-"refresh password"}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=$HERE/.venv
PY=$VENV/bin/python

die() {
    echo "run.sh: $*" >&2
    exit 1
}

# --- tools -------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing wrk (Debian package)"
        apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
    else
        die "wrk is missing: install it (Debian: apt-get install wrk)"
    fi
fi
if [ ! -x "$PY" ] || ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.installed"; then
    echo "installing moto[server] and boto3 into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
    cp "$HERE/requirements.txt" "$VENV/requirements.installed"
fi

echo "building (release): cognate, argon2_rate, rs256_pair_rate"
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET cargo build --release -q -p cognate-server --bin cognate \
    -p cognate-benches --example argon2_rate --example rs256_pair_rate)
COGNATE=$TARGET/release/cognate
ARGON2_RATE=$TARGET/release/examples/argon2_rate
RS256_PAIR_RATE=$TARGET/release/examples/rs256_pair_rate

# --- servers -----------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cognate-httpbench.XXXXXX")
COGNATE_PID=
MOTO_PID=
cleanup() {
    for pid in $COGNATE_PID $MOTO_PID; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $COGNATE_PID $MOTO_PID; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

"$COGNATE" serve --listen 127.0.0.1:0 --data "$WORK/cognate-data" \
    >"$WORK/cognate.out" 2>"$WORK/cognate.log" &
COGNATE_PID=$!
COGNATE_URL=
for _ in $(seq 300); do
    COGNATE_URL=$(sed -n 's/^listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$WORK/cognate.out")
    [ -n "$COGNATE_URL" ] && break
    kill -0 "$COGNATE_PID" 2>/dev/null || { cat "$WORK/cognate.log" >&2; die "cognate serve exited"; }
    sleep 0.1
done
[ -n "$COGNATE_URL" ] || die "cognate serve did not print its address"

MOTO_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
MOTO_URL=http://127.0.0.1:$MOTO_PORT
for _ in $(seq 300); do
    curl -s -o /dev/null "$MOTO_URL/moto-api/" && break
    kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORK/moto.log" >&2; die "moto_server exited"; }
    sleep 0.1
done
curl -s -o /dev/null "$MOTO_URL/moto-api/" || die "moto_server did not start"

"$PY" "$HERE/setup_pool.py" setup "$COGNATE_URL" "$WORK/cognate"
"$PY" "$HERE/setup_pool.py" setup "$MOTO_URL" "$WORK/moto"

# --- measuring ---------------------------------------------------------------------------
field() { # field NAME LINE: the value of NAME=... in a RESULT line
    sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

# wrk_run SERVER URL FLOW CONNECTIONS SECONDS: prints the RESULT line; dies on any non-200.
wrk_run() {
    local server=$1 url=$2 flow=$3 conns=$4 secs=$5 out
    out=$(BODY_FILE="$WORK/$server/$flow.json" wrk -t"$WRK_THREADS" -c"$conns" -d"${secs}s" \
        --timeout 60s -s "$HERE/initiate_auth.lua" "$url/" 2>&1) || {
        echo "$out" >&2
        die "wrk failed against $server"
    }
    local result
    result=$(grep '^RESULT ' <<<"$out") || { echo "$out" >&2; die "no RESULT from wrk"; }
    if [ "$(field non200 "$result")" != 0 ] || [ "$(field socket_errors "$result")" != 0 ] ||
        grep -q 'Non-2xx' <<<"$out"; then
        echo "$out" >&2
        tail -n 5 "$WORK/$server.log" >&2 || true
        die "$server answered $flow with errors (above); nothing measured is kept"
    fi
    echo "$result"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }

REPORT=$WORK/report.txt
{
    echo "# Sign-in over HTTP: cognate serve vs moto_server, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "cognate $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')," \
        "$(rustc --version)"
    echo "moto $("$PY" -c 'import moto; print(moto.__version__)'), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)," \
        "$("$PY" --version)"
    echo "$(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)), load at start $(load)"
    echo "wrk -t$WRK_THREADS, ${WARMUP}s warm-up then ${DURATION}s per row; bounds: ${DURATION}s on $(nproc) threads"
} | tee "$REPORT"

for flow in $FLOWS; do
    case $flow in
    refresh) title=REFRESH_TOKEN_AUTH bound_name="RS256 pairs/s" bound_bin=$RS256_PAIR_RATE ;;
    password) title=USER_PASSWORD_AUTH bound_name="argon2id verifies/s" bound_bin=$ARGON2_RATE ;;
    *) die "unknown flow $flow (refresh, password)" ;;
    esac
    rows=()
    for conns in $CONNECTIONS; do
        declare -A rps=() p50=() p99=()
        for server in cognate moto; do
            if [ "$server" = cognate ]; then url=$COGNATE_URL; else url=$MOTO_URL; fi
            if [ "$flow" = refresh ]; then
                "$PY" "$HERE/setup_pool.py" refresh "$url" "$WORK/$server"
            fi
            if [ "$server" = cognate ]; then
                bound_line=$("$bound_bin" "$DURATION")
                bound=$(field rate "$bound_line")
                echo "  bound: $bound_line (load $(load))"
            fi
            wrk_run "$server" "$url" "$flow" "$conns" "$WARMUP" >/dev/null
            line=$(wrk_run "$server" "$url" "$flow" "$conns" "$DURATION")
            rps[$server]=$(field rps "$line")
            p50[$server]=$(field p50_ms "$line")
            p99[$server]=$(field p99_ms "$line")
            echo "  $title c=$conns $server: $line (load $(load))"
        done
        rows+=("$(printf '| %3s | %9s | %8s | %8s | %8s | %8s | %8s | %7sx | %9s | %6s |' \
            "$conns" "${rps[cognate]}" "${p50[cognate]}" "${p99[cognate]}" \
            "${rps[moto]}" "${p50[moto]}" "${p99[moto]}" \
            "$(ratio "${rps[cognate]}" "${rps[moto]}")" "$bound" \
            "$(ratio "${rps[cognate]}" "$bound")")")
        unset rps p50 p99
    done
    {
        echo
        echo "## InitiateAuth $title"
        echo
        echo "| c | cognate req/s | p50 ms | p99 ms | moto req/s | p50 ms | p99 ms | cognate/moto | $bound_name | cognate/bound |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        printf '%s\n' "${rows[@]}"
    } | tee -a "$REPORT"
done

echo | tee -a "$REPORT"
echo "load at end $(load)" | tee -a "$REPORT"
mkdir -p "$HERE/results"
cp "$REPORT" "$HERE/results/$(date -u +%Y%m%dT%H%M%SZ).md"
echo "(report kept in benches/http/results/)"
