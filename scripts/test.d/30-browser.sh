#!/usr/bin/env bash
# The dashboard (/_standin/ui) in a real browser: Debian's headless Chromium, driven by
# Playwright from .venv, against target/debug/standin (built by `cargo test --workspace`) on
# ephemeral ports. Fails when a test fails or when no test ran.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x target/debug/standin ]; then
  echo "30-browser: target/debug/standin is missing (run cargo test --workspace first)" >&2
  exit 1
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "30-browser: /usr/bin/chromium is missing (scripts/setup installs scripts/apt.d/browser.txt)" >&2
  exit 1
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
status=0
.venv/bin/python -m pytest -q -p no:cacheprovider tests/browser "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "30-browser: no test was collected" >&2
  exit 1
fi
exit "$status"
