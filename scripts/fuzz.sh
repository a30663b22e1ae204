#!/usr/bin/env bash
# Builds the libFuzzer harnesses (Fuzz/, its own package) once and runs each from its seed corpus:
#   HIPWireFuzzer     the HIP packet parser and serializer, covered regions, UDP demux (HIPWire)
#   ESPInboundFuzzer  the inbound ESP path: SA by SPI, replay window, open, BEET rebuild, LSI translation
#   HIPHostFuzzer     HIPHost.handle: HIP packets over raw IP and UDP, and events, on a manual clock
#   ConfigFuzzer      the TOML configuration loader and the node's conversion of a loaded file
#   OffloadFuzzer     the TUN offloads: SuperPacket split, TCPCoalescer, split ∘ coalesce = identity
# Usage: scripts/fuzz.sh [--short | --seconds N] [TARGET...]
#   default: 600 s per target (make fuzz); --short: 20 s per target (the test command, about 100 s in all);
#   TARGETs: run only these.
#        scripts/fuzz.sh --write-seeds
#   rewrites the generated seed corpora (Fuzz/corpus/ESPInboundFuzzer, Fuzz/corpus/HIPHostFuzzer).
# Prints per target the executions, the coverage (edges and features at the end) and the time; ends with
# "fuzz.sh: N passed, M failed". Fails (non-zero) if a fuzzer finds a crash, a sanitizer error, a failed
# check, a timeout or a memory blow-up; the input that did it is left in Fuzz/corpus-run/ as
# <target>-crash-*, -timeout-*, -oom-* (reproduce: Fuzz/.build/release/<target> FILE), the log as
# Fuzz/corpus-run/<target>.log.
#
# Seeds (Fuzz/corpus/<target>/, committed): HIPWireFuzzer every HIP message of Tests/Vectors/vectors.json,
# each also with the UDP zero marker, the Appendix C I1 and two captured ESP packets; ESPInboundFuzzer and
# HIPHostFuzzer what their seed writers produce (`<target> --write-seeds DIR`: sealed packets on fixed
# SAs; whole exchanges with the fuzzed host); ConfigFuzzer Configs/synaptic.example.toml and the TOML
# texts of the configuration tests; OffloadFuzzer TSO/USO reads (IPv4 and IPv6, CWR/FIN, IP options), a
# partial checksum, and runs of packets. Units the fuzzers find go to Fuzz/corpus-run/<target>/ (not
# committed).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600
targets=()
write_seeds=0
while (($#)); do
    case "$1" in
        --short) seconds=20 ;;
        --seconds) seconds=$2; shift ;;
        --write-seeds) write_seeds=1 ;;
        *) targets+=("$1") ;;
    esac
    shift
done
((${#targets[@]})) || targets=(HIPWireFuzzer ESPInboundFuzzer HIPHostFuzzer ConfigFuzzer OffloadFuzzer)

start=$(date +%s)
build=(swift build -c release -Xswiftc -sanitize=fuzzer,address --package-path Fuzz)
"${build[@]}"
bin=$("${build[@]}" --show-bin-path)
echo "fuzz.sh: build took $(( $(date +%s) - start )) s"

# ASAN_OPTIONS: Swift's runtime keeps metadata caches alive, which LeakSanitizer would report as leaks at
# exit; leaks show up as growth instead (rss_limit_mb). SWIFT_BACKTRACE: the Swift runtime's own crash
# backtracer hangs under ASan; libFuzzer prints the stack.
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0

if ((write_seeds)); then
    for target in ESPInboundFuzzer HIPHostFuzzer; do
        rm -rf "Fuzz/corpus/$target"
        "$bin/$target" --write-seeds "Fuzz/corpus/$target"
    done
    exit 0
fi

# The longest input per target: a HIP packet (2048 bytes) with the UDP marker; a few datagrams; an
# exchange of records; a configuration file; a 64 KiB TUN read with its virtio-net header.
declare -A max_len=([HIPWireFuzzer]=2100 [ESPInboundFuzzer]=4096 [HIPHostFuzzer]=8192 [ConfigFuzzer]=16384
                    [OffloadFuzzer]=65545)
# One process fuzzes for at most this long, then the next one goes on from the corpus it left: the TOML
# library leaks every parsed document (TOMLKit 0.6 never frees it), which would reach rss_limit_mb.
chunk_seconds=120

passed=0 failed=0
for target in "${targets[@]}"; do
    run="Fuzz/corpus-run/$target"
    log="Fuzz/corpus-run/$target.log"
    mkdir -p "$run"
    target_start=$(date +%s)
    executions=0 status=0
    while ((status == 0)); do
        left=$(( seconds - ($(date +%s) - target_start) ))
        ((left > 0)) || break
        chunk=$(( left < chunk_seconds ? left : chunk_seconds ))
        # One worker: the machine is shared. `timeout` is a backstop in case the fuzzer itself hangs.
        timeout $((chunk + 120)) "$bin/$target" "$run" "Fuzz/corpus/$target" \
            -max_total_time="$chunk" -max_len="${max_len[$target]:-4096}" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="Fuzz/corpus-run/$target-" -print_final_stats=1 >"$log" 2>&1 || status=$?
        units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        executions=$(( executions + ${units:-0} ))
    done
    took=$(( $(date +%s) - target_start ))
    coverage=$(sed -nE 's/^#[0-9]+[[:space:]].*cov: ([0-9]+) ft: ([0-9]+).*/\1 edges, \2 features/p' "$log" | tail -n 1)
    coverage=${coverage:-unknown}
    corpus=$(find "$run" -type f | wc -l)
    if ((status == 0)); then
        passed=$((passed + 1))
        echo "fuzz.sh: $target: $executions executions in $took s, coverage $coverage, $corpus units found"
    else
        failed=$((failed + 1))
        echo "fuzz.sh: $target FAILED (exit $status) after $executions executions in $took s, coverage $coverage:"
        grep -E 'ERROR|Fatal error|Assertion|SUMMARY|Test unit written' "$log" | head -n 20 || tail -n 30 "$log"
    fi
done
echo "fuzz.sh: $passed passed, $failed failed"
((failed == 0))
