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

parts_passed=0 parts_failed=0
# part LABEL COMMAND...: runs COMMAND (when it is there) and adds the counts of its last
# "LABEL: N passed, M failed" line; a non-zero exit without a counted failure counts as one.
part() {
    local label=$1; shift
    [ -x "$1" ] || return 0
    local log=/tmp/synaptic-part.$$ start=$SECONDS part_status p=0 f=0
    "$@" 2>&1 | tee "$log"
    part_status=${PIPESTATUS[0]}
    read -r p f < <(sed -nE "s/^$label: ([0-9]+) passed, ([0-9]+) failed.*\$/\1 \2/p" "$log" | tail -n 1)
    rm -f "$log"
    ((part_status == 0 || ${f:-0} > 0)) || f=1
    ((part_status == 0)) || status=1
    parts_passed=$((parts_passed + ${p:-0})); parts_failed=$((parts_failed + ${f:-0}))
    echo "$label: took $((SECONDS - start)) s"
}
part nettest scripts/nettest.sh
part evaluate Perf/evaluate.sh --smoke
part fuzz.sh scripts/fuzz.sh --short
part containertest scripts/containertest.sh

passed=$(( ${swift_total:-0} - ${swift_failed:-0} + parts_passed ))
failed=$(( ${swift_failed:-0} + parts_failed ))
((failed == 0)) || status=1
echo "synaptic: $passed passed, $failed failed"
exit $status
