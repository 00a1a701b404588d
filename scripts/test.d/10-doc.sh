#!/usr/bin/env bash
# Stage: the API documentation builds with every rustdoc warning an error (broken or private
# intra-doc links, bare URLs, bad code blocks), so no doc link can point at nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUSTDOCFLAGS="${RUSTDOCFLAGS:-} -D warnings" cargo doc --workspace --no-deps "$@"
