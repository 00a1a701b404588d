#!/usr/bin/env bash
# Run every fuzz target for a bounded time (default 600 s each). Needs a nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
for target in $(cargo +nightly fuzz list); do
  echo "== $target (${secs}s)"
  cargo +nightly fuzz run "$target" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10
done
