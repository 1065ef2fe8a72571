#!/usr/bin/env bash
# Full SAML ACS validation on one thread: cognate-saml (`ServiceProvider::finish_sign_in`)
# against node-saml (`SAML.validatePostResponseAsync`), the same signed responses, the same
# run. Not run by CI.
#
#   bash benches/saml-node/run.sh
#
# What it does (about 2 minutes with the defaults, after the build):
#   1. installs the pinned node packages of benches/saml-node (`npm ci`: @node-saml/node-saml
#      5.1.0) and builds the release example saml_validate_rate of cognate-benches;
#   2. for each round and each fixture (cognate-saml's signed test responses, made by
#      crates/cognate-saml/tests/fixtures/make.py with the xmlsec1 CLI: RSA-2048, RSA-SHA256),
#      runs cognate then node-saml, each in its own process on one thread: the fixture is
#      validated once first and the run stops unless it is accepted (NameID alice@example.test;
#      node-saml must also refuse it again for the same request ID and refuse a copy with
#      another NameID), then WARMUP seconds discarded, then validations back to back for
#      DURATION seconds. Set-up on both sides: the IdP's signing certificates from its
#      metadata, audience urn:amazon:cognito:sp:us-east-1_Example1, the Cognito ACS, the
#      clock fixed at the fixtures' IssueInstant + 10 s (node-saml: a replaced global Date,
#      see validate.mjs), the request ID of an SP-initiated sign-in (cognate: the caller's
#      PendingSignIn and a replay-cache insert per call; node-saml: validateInResponseTo
#      "always", the ID saved in its in-memory cache before each call);
#   3. prints validations per second of each side, the ratio cognate/node-saml (per row, and
#      over all rounds: total validations / total seconds per side), the versions, the load
#      average at the start and the end, and for every window the CPU used by the measuring
#      process and by everything else on the machine (other work sharing the cores, from
#      /proc/stat); keeps a copy of the report in benches/saml-node/results/ (ignored by git).
#
# Both sides run JavaScript or Rust on one thread; node's V8 also collects garbage and compiles
# on helper threads, which the "cpu self" column shows (about 1.3 cores). PIN_CPU=N runs both
# processes under `taskset -c N`, so that each side has one core in all.
#
# Settings (environment): DURATION (s, default 10), WARMUP (s, default 2), ROUNDS (default 2),
# FIXTURES (default "ok_assertion_signed ok_response_signed"), PIN_CPU (default: not pinned),
# CARGO_TARGET_DIR (default <repo>/target). Close other work while measuring and read the "other work" column: a row
# where it is not near 0 was measured on a shared machine.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-2}
FIXTURES=${FIXTURES:-"ok_assertion_signed ok_response_signed"}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PIN_CPU=${PIN_CPU:-}

die() {
    echo "saml-node/run.sh: $*" >&2
    exit 1
}

# --- tools -------------------------------------------------------------------------------
PIN=()
PINNED="not pinned"
if [ -n "$PIN_CPU" ]; then
    command -v taskset >/dev/null || die "PIN_CPU needs taskset (util-linux)"
    PIN=(taskset -c "$PIN_CPU")
    PINNED="both pinned to CPU $PIN_CPU (taskset)"
fi
command -v node >/dev/null && command -v npm >/dev/null ||
    die "node and npm are missing (Debian: apt-get install nodejs npm)"
echo "installing node-saml (npm ci in benches/saml-node)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "building (release): saml_validate_rate"
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET cargo build --release -q -p cognate-benches \
    --example saml_validate_rate)
COGNATE_RATE=$TARGET/release/examples/saml_validate_rate

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cognate-samlbench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- measuring ---------------------------------------------------------------------------
NCPU=$(nproc)
HZ=$(getconf CLK_TCK)
field() { # field NAME LINE: the value of NAME=... in a result line
    sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<"$2"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
busy_ticks() { # CPU ticks spent on the whole machine (user, nice, system, irq, softirq, steal)
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
now() { date +%s.%N; }
cores() { awk -v c="$1" -v w="$2" 'BEGIN { printf "%.2f", c / w }'; }

# measure CMD...: runs CMD with its output in $WORK/measure.out, and sets CPU_SELF (cores used
# by CMD) and CPU_OTHERS (cores used by everything else on the machine) over the whole run,
# warm-up included.
measure() {
    local b0 b1 t0 t1 self wall
    b0=$(busy_ticks)
    t0=$(now)
    local TIMEFORMAT='%U %S'
    { time "$@" >"$WORK/measure.out" 2>"$WORK/measure.err"; } 2>"$WORK/measure.time" || {
        cat "$WORK/measure.out" "$WORK/measure.err" >&2
        die "failed: $*"
    }
    t1=$(now)
    b1=$(busy_ticks)
    self=$(awk '{ print $1 + $2 }' "$WORK/measure.time")
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
    CPU_SELF=$(cores "$self" "$wall")
    CPU_OTHERS=$(awk -v b=$((b1 - b0)) -v s="$self" -v hz="$HZ" -v w="$wall" \
        'BEGIN { o = (b / hz - s) / w; if (o < 0) o = 0; printf "%.2f", o }')
}

# result TAG: the TAG line of the last measure, or die.
result() {
    grep "^$1 " "$WORK/measure.out" || {
        cat "$WORK/measure.out" "$WORK/measure.err" >&2
        die "no $1 line"
    }
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
node_pkg_version() { node -p "require('$HERE/node_modules/$1/package.json').version"; }

REPORT=$WORK/report.txt
{
    echo "# SAML ACS validation: cognate-saml vs node-saml, one thread, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "cognate $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')," \
        "$(rustc --version), xmlsec1 $(pkg-config --modversion xmlsec1 2>/dev/null || echo '?')," \
        "libxml2 $(pkg-config --modversion libxml-2.0 2>/dev/null || echo '?')"
    echo "@node-saml/node-saml $(node_pkg_version @node-saml/node-saml)" \
        "(xml-crypto $(node_pkg_version xml-crypto), @xmldom/xmldom $(node_pkg_version @xmldom/xmldom)," \
        "xml2js $(node_pkg_version xml2js)), node $(node --version)," \
        "$(node -p process.versions.openssl | sed 's/^/OpenSSL /')"
    echo "$NCPU CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)), load at start $(load)"
    echo "each row: one process, one thread, ${WARMUP}s warm-up then ${DURATION}s of validations back to back;" \
        "$PINNED"
    echo "CPU in cores (of $NCPU) over the whole process: self = the measuring process, others ="
    echo "everything else on the machine in the same window (other work sharing the cores)"
} | tee "$REPORT"

rows=()
declare -A n_total=() s_total=()
others=0
for round in $(seq "$ROUNDS"); do
    for fixture in $FIXTURES; do
        declare -A rate=() self=() other=()
        for side in cognate node-saml; do
            if [ "$side" = cognate ]; then
                measure "${PIN[@]}" "$COGNATE_RATE" "$DURATION" "$WARMUP" "$fixture"
                line=$(result COGNATE_SAML)
            else
                measure "${PIN[@]}" node "$HERE/validate.mjs" "$DURATION" "$WARMUP" "$fixture"
                line=$(result NODE_SAML)
            fi
            [ "$(field fixture "$line")" = "$fixture" ] || die "wrong fixture in: $line"
            grep '^# ' "$WORK/measure.out" | sed "s/^# /  $side: /"
            echo "  $side: $line cpu: self=$CPU_SELF others=$CPU_OTHERS"
            rate[$side]=$(field rate "$line")
            self[$side]=$CPU_SELF
            other[$side]=$CPU_OTHERS
            others=$(max "$others" "$CPU_OTHERS")
            key="$side $fixture"
            n_total[$key]=$(( ${n_total[$key]:-0} + $(field validations "$line") ))
            s_total[$key]=$(awk -v a="${s_total[$key]:-0}" -v b="$(field seconds "$line")" 'BEGIN { print a + b }')
        done
        rows+=("$(printf '| %s | %s | %9s | %9s | %6sx | %4s / %4s | %4s / %4s |' \
            "$round" "$fixture" "${rate[cognate]}" "${rate[node-saml]}" \
            "$(ratio "${rate[cognate]}" "${rate[node-saml]}")" \
            "${self[cognate]}" "${self[node-saml]}" "${other[cognate]}" "${other[node-saml]}")")
        unset rate self other
    done
done
{
    echo
    echo "## Full ACS validations per second, one thread"
    echo
    echo "| round | fixture | cognate /s | node-saml /s | cognate/node-saml | cpu self cognate / node | other work cognate / node (cores) |"
    echo "|---:|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "All rounds (total validations / total seconds):"
    for fixture in $FIXTURES; do
        c=$(awk -v n="${n_total[cognate $fixture]}" -v s="${s_total[cognate $fixture]}" 'BEGIN { printf "%.1f", n / s }')
        n=$(awk -v n="${n_total[node-saml $fixture]}" -v s="${s_total[node-saml $fixture]}" 'BEGIN { printf "%.1f", n / s }')
        echo "  $fixture: cognate $c /s, node-saml $n /s, cognate/node-saml $(ratio "$c" "$n")x"
    done
    echo
    echo "other work: at most $others cores in any window; load at end $(load)"
} | tee -a "$REPORT"

mkdir -p "$HERE/results"
cp "$REPORT" "$HERE/results/saml-$(date -u +%Y%m%dT%H%M%SZ).md"
echo "(report kept in benches/saml-node/results/)"
