#!/usr/bin/env bash
# The whole test suite: unit, vector and in-memory tests (swift test), the network-namespace tests of
# `synaptic up` (scripts/nettest.sh), a smoke run of the evaluation (Perf/evaluate.sh --smoke: every case and
# part for a second or so, so the harness of `make evaluate` cannot rot), a short run of every fuzz target
# (scripts/fuzz.sh --short), then synaptic in podman containers (scripts/containertest.sh: builds the image,
# a few minutes).
# Network and container tests need root (CI runs as root); without it (or without podman) they skip
# themselves and say so.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh || exit 1
swift build --build-tests || exit 1

status=0
swift test --skip-build 2>&1 | tee /tmp/synaptic-swift-test.$$
swift_status=${PIPESTATUS[0]}
swift_line=$(grep -E "Test run with [0-9]+ tests" /tmp/synaptic-swift-test.$$ | tail -n 1)
rm -f /tmp/synaptic-swift-test.$$
swift_total=$(sed -E 's/.*with ([0-9]+) tests.*/\1/' <<<"$swift_line")
swift_failed=0
[[ $swift_line == *failed* ]] && swift_failed=$(sed -E 's/.*with ([0-9]+) (tests? )?failures?.*/\1/;t;s/.*/1/' <<<"$swift_line")
# A crash (or a failure the summary does not count) still counts as one failure.
((swift_status == 0 || swift_failed > 0)) || swift_failed=1
((swift_status == 0)) || status=1

net_passed=0 net_failed=0
if [ -x scripts/nettest.sh ]; then
    scripts/nettest.sh 2>&1 | tee /tmp/synaptic-nettest.$$
    net_status=${PIPESTATUS[0]}
    read -r net_passed net_failed < <(sed -nE 's/^nettest: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' /tmp/synaptic-nettest.$$)
    ((net_status == 0 || ${net_failed:-0} > 0)) || net_failed=1
    ((net_status == 0)) || status=1
    rm -f /tmp/synaptic-nettest.$$
fi

eval_passed=0 eval_failed=0
if [ -x Perf/evaluate.sh ]; then
    Perf/evaluate.sh --smoke 2>&1 | tee /tmp/synaptic-evaluate.$$
    eval_status=${PIPESTATUS[0]}
    read -r eval_passed eval_failed < <(sed -nE 's/^evaluate: ([0-9]+) passed, ([0-9]+) failed.*$/\1 \2/p' /tmp/synaptic-evaluate.$$)
    ((eval_status == 0 || ${eval_failed:-0} > 0)) || eval_failed=1
    ((eval_status == 0)) || status=1
    rm -f /tmp/synaptic-evaluate.$$
fi

fuzz_passed=0 fuzz_failed=0
if [ -x scripts/fuzz.sh ]; then
    scripts/fuzz.sh --short 2>&1 | tee /tmp/synaptic-fuzz.$$
    fuzz_status=${PIPESTATUS[0]}
    read -r fuzz_passed fuzz_failed < <(sed -nE 's/^fuzz.sh: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' /tmp/synaptic-fuzz.$$)
    ((fuzz_status == 0 || ${fuzz_failed:-0} > 0)) || fuzz_failed=1
    ((fuzz_status == 0)) || status=1
    rm -f /tmp/synaptic-fuzz.$$
fi

container_passed=0 container_failed=0
if [ -x scripts/containertest.sh ]; then
    container_start=$SECONDS
    scripts/containertest.sh 2>&1 | tee /tmp/synaptic-containertest.$$
    container_status=${PIPESTATUS[0]}
    read -r container_passed container_failed < <(sed -nE 's/^containertest: ([0-9]+) passed, ([0-9]+) failed.*$/\1 \2/p' /tmp/synaptic-containertest.$$)
    ((container_status == 0 || ${container_failed:-0} > 0)) || container_failed=1
    ((container_status == 0)) || status=1
    rm -f /tmp/synaptic-containertest.$$
    echo "containertest: took $((SECONDS - container_start)) s"
fi

passed=$(( ${swift_total:-0} - ${swift_failed:-0} + ${net_passed:-0} + ${eval_passed:-0} + ${fuzz_passed:-0} + ${container_passed:-0} ))
failed=$(( ${swift_failed:-0} + ${net_failed:-0} + ${eval_failed:-0} + ${fuzz_failed:-0} + ${container_failed:-0} ))
((failed == 0)) || status=1
echo "synaptic: $passed passed, $failed failed"
exit $status
