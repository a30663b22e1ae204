#!/usr/bin/env bash
# The whole test suite: unit, vector, in-memory and network-namespace tests, then a short fuzz run.
# Network tests need root (CI runs as root); without it they skip themselves and say so.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
scripts/fuzz.sh --short
