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
#   5. prints req/s, latency percentiles and peak RSS per server, the ratios Cognate/moto and
#      Cognate/bound, the versions, the load average at the start, and for every window the
#      CPU used by the server, by wrk and by everything else on the machine (other work
#      sharing the cores, from /proc/stat); keeps a copy of the report in
#      benches/http/results/ (ignored by git).
#
# Settings (environment): DURATION (s, default 15), WARMUP (s, default 5), CONNECTIONS
# (default "4 16 64"), WRK_THREADS (default 2), FLOWS (default "refresh password"),
# CARGO_TARGET_DIR (default <repo>/target), RUST_LOG for the Cognate server (default: its own,
# info: one log line per request, written to a file here, as moto logs each request too).
#
# The load generator runs on the same machine as the server under test, so both servers share
# the cores with wrk; the other server is idle meanwhile. Close other work while measuring, and
# read the "other work" column: a row where it is not near 0 was measured on a shared machine.
# (The load average says little here: the servers' own threads count in it.)
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
    { time "$@" >"$WORK/measure.out" 2>&1; } 2>"$WORK/measure.time" || {
        cat "$WORK/measure.out" >&2
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

# wrk_run SERVER PID URL FLOW CONNECTIONS SECONDS: sets RESULT (the RESULT line of the Lua
# script) and the CPU_* of measure; dies on any response other than 200 or any socket error.
wrk_run() {
    local server=$1 pid=$2 url=$3 flow=$4 conns=$5 secs=$6
    BODY_FILE="$WORK/$server/$flow.json" measure "$pid" wrk -t"$WRK_THREADS" -c"$conns" \
        -d"${secs}s" --timeout 60s -s "$HERE/initiate_auth.lua" "$url/"
    RESULT=$(grep '^RESULT ' "$WORK/measure.out") || {
        cat "$WORK/measure.out" >&2
        die "no RESULT from wrk"
    }
    if [ "$(field non200 "$RESULT")" != 0 ] || [ "$(field socket_errors "$RESULT")" != 0 ] ||
        grep -q 'Non-2xx' "$WORK/measure.out"; then
        cat "$WORK/measure.out" >&2
        tail -n 5 "$WORK/$server.log" >&2 || true
        die "$server answered $flow with errors (above); nothing measured is kept"
    fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

REPORT=$WORK/report.txt
{
    echo "# Sign-in over HTTP: cognate serve vs moto_server, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "cognate $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')," \
        "$(rustc --version)"
    echo "moto $("$PY" -c 'import moto; print(moto.__version__)'), $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)," \
        "$("$PY" --version)"
    echo "$NCPU CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)), load at start $(load)"
    echo "wrk -t$WRK_THREADS, ${WARMUP}s warm-up then ${DURATION}s per row; bounds: ${DURATION}s on $NCPU threads"
    echo "CPU in cores (of $NCPU): srv = the server under test, wrk = the load generator,"
    echo "others = everything else on the machine in the same window (other work sharing the cores)"
} | tee "$REPORT"

for flow in $FLOWS; do
    case $flow in
    refresh) title=REFRESH_TOKEN_AUTH bound_name="RS256 pairs/s" bound_bin=$RS256_PAIR_RATE ;;
    password) title=USER_PASSWORD_AUTH bound_name="argon2id verifies/s" bound_bin=$ARGON2_RATE ;;
    *) die "unknown flow $flow (refresh, password)" ;;
    esac
    rows=()
    for conns in $CONNECTIONS; do
        declare -A rps=() p50=() p99=() rss=()
        others=0
        for server in cognate moto; do
            if [ "$server" = cognate ]; then url=$COGNATE_URL pid=$COGNATE_PID; else url=$MOTO_URL pid=$MOTO_PID; fi
            if [ "$flow" = refresh ]; then
                "$PY" "$HERE/setup_pool.py" refresh "$url" "$WORK/$server"
            fi
            if [ "$server" = cognate ]; then
                measure 0 "$bound_bin" "$DURATION"
                bound_line=$(cat "$WORK/measure.out")
                bound=$(field rate "$bound_line")
                others=$(max "$others" "$CPU_OTHERS")
                echo "  bound: $bound_line cpu: self=$CPU_SELF others=$CPU_OTHERS"
            fi
            wrk_run "$server" "$pid" "$url" "$flow" "$conns" "$WARMUP"
            wrk_run "$server" "$pid" "$url" "$flow" "$conns" "$DURATION"
            others=$(max "$others" "$CPU_OTHERS")
            rps[$server]=$(field rps "$RESULT")
            p50[$server]=$(field p50_ms "$RESULT")
            p99[$server]=$(field p99_ms "$RESULT")
            rss[$server]=$(peak_rss_mib "$pid")
            echo "  $title c=$conns $server: ${RESULT#RESULT } cpu: srv=$CPU_PID wrk=$CPU_SELF" \
                "others=$CPU_OTHERS; peak RSS so far ${rss[$server]} MiB"
        done
        rows+=("$(printf '| %3s | %9s | %8s | %8s | %6s | %9s | %8s | %8s | %6s | %7sx | %9s | %6s | %5s |' \
            "$conns" "${rps[cognate]}" "${p50[cognate]}" "${p99[cognate]}" "${rss[cognate]}" \
            "${rps[moto]}" "${p50[moto]}" "${p99[moto]}" "${rss[moto]}" \
            "$(ratio "${rps[cognate]}" "${rps[moto]}")" "$bound" \
            "$(ratio "${rps[cognate]}" "$bound")" "$others")")
        unset rps p50 p99 rss
    done
    {
        echo
        echo "## InitiateAuth $title"
        echo
        echo "| c | cognate req/s | p50 ms | p99 ms | peak RSS MiB | moto req/s | p50 ms | p99 ms | peak RSS MiB | cognate/moto | $bound_name | cognate/bound | other work (cores, max) |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        printf '%s\n' "${rows[@]}"
    } | tee -a "$REPORT"
done

echo | tee -a "$REPORT"
echo "load at end $(load)" | tee -a "$REPORT"
mkdir -p "$HERE/results"
cp "$REPORT" "$HERE/results/$(date -u +%Y%m%dT%H%M%SZ).md"
echo "(report kept in benches/http/results/)"
