#!/usr/bin/env bash
# Type-checks the runtime crate and the crates above it for Apple silicon macOS from any host: `cargo check` and
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

# The runtime holds the macOS provider; the crates above it must build on macOS too.
packages=(-p devicekey-proof -p devicekey-runtime -p devicekey-server -p devicekey)
echo "apple-check: cargo check ${packages[*]} --target $target"
cargo check "${packages[@]}" --target "$target" --all-targets
# clippy reports rustc's warnings too; -D warnings turns every one into an error.
echo "apple-check: cargo clippy ${packages[*]} --target $target -- -D warnings"
cargo clippy "${packages[@]}" --target "$target" --all-targets -- -D warnings
echo "apple-check: ok"
