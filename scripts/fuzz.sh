#!/usr/bin/env bash
# Builds the libFuzzer harness for HIPWire (Fuzz/, its own package) and runs it from the seed corpus.
# Usage: scripts/fuzz.sh [--short]      --short: 60 s of fuzzing (the test command); default: 10 min.
# Fails (non-zero) if the fuzzer finds a crash, a sanitizer error or a broken round trip; the input that
# did it is left in Fuzz/corpus-run/ (crash-*, timeout-*, oom-*).
#
# Fuzz/corpus/ (committed) holds every HIP message of Tests/Vectors/vectors.json, each also with the UDP
# zero marker, the Appendix C I1 and the two captured ESP packets. Units the fuzzer finds go to
# Fuzz/corpus-run/units (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600
if [[ "${1:-}" == "--short" ]]; then seconds=60; fi

start=$(date +%s)
swift build -c release -Xswiftc -sanitize=fuzzer,address --package-path Fuzz
bin="$(swift build -c release -Xswiftc -sanitize=fuzzer,address --package-path Fuzz --show-bin-path)/HIPWireFuzzer"
echo "fuzz.sh: build took $(( $(date +%s) - start )) s"

mkdir -p Fuzz/corpus-run/units
start=$(date +%s)
# One worker: the machine is shared. Inputs up to 2100 bytes cover the largest packet (2048) with
# the UDP marker. ASAN_OPTIONS: Swift's runtime keeps metadata caches alive, which LeakSanitizer would
# report as leaks at exit; leaks in our code would show up as unbounded growth (rss_limit) instead.
# SWIFT_BACKTRACE: the Swift runtime's own crash backtracer hangs under ASan; libFuzzer prints the stack.
# `timeout` is a backstop in case the fuzzer itself hangs.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 timeout $((seconds + 120)) "$bin" \
    Fuzz/corpus-run/units Fuzz/corpus \
    -max_total_time="$seconds" -max_len=2100 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=Fuzz/corpus-run/ -print_final_stats=1
echo "fuzz.sh: fuzzed for $(( $(date +%s) - start )) s, no crash"
