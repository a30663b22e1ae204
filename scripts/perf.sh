#!/usr/bin/env bash
# Benchmarks: package-benchmark (CPU time and mallocs per operation) for the core and the data plane,
# then the side-by-side network measurements (scripts/perf-net.sh) when run as root.
# Usage: scripts/perf.sh [--no-net]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
(cd Perf && swift package --allow-writing-to-package-directory benchmark --no-progress)
if [ "${1:-}" != "--no-net" ] && [ "$(id -u)" -eq 0 ]; then scripts/perf-net.sh; fi
