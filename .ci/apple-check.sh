#!/usr/bin/env bash
# Type-checks the runtime crate for Apple silicon macOS from any host: `cargo check` and
# `cargo clippy -D warnings` of the library, binary and tests (the macOS provider and its
# Security.framework binding included). Nothing is linked, so no Apple SDK is needed; SQLite is
# not compiled for macOS (runtime/Cargo.toml links the system library there).
#
# Adding the target is best effort: when rustup or the network cannot provide it, this prints
# why and exits 0 with "skipped". Any compiler or clippy warning fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."

target=aarch64-apple-darwin

if ! command -v rustup >/dev/null 2>&1; then
  echo "apple-check: skipped: rustup is not installed, so the $target target cannot be added"
  exit 0
fi
if ! rustup target list --installed | grep -qx "$target"; then
  if ! output=$(rustup target add "$target" 2>&1); then
    echo "apple-check: skipped: rustup target add $target failed:"
    echo "$output" | sed 's/^/  /'
    exit 0
  fi
fi

echo "apple-check: cargo check -p devicekey --target $target"
cargo check -p devicekey --target "$target" --lib --bins --tests --benches
# clippy reports rustc's warnings too; -D warnings turns every one into an error.
echo "apple-check: cargo clippy -p devicekey --target $target -- -D warnings"
cargo clippy -p devicekey --target "$target" --lib --bins --tests --benches -- -D warnings
echo "apple-check: ok"
