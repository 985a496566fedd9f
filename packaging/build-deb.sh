#!/usr/bin/env bash
# Builds the Debian package (binary, desktop entry, .chatlens MIME type,
# icons) with cargo-deb; the file list is [package.metadata.deb] in Cargo.toml.
#
#   packaging/build-deb.sh                  cargo build --release, then package
#   packaging/build-deb.sh --profile NAME   another cargo profile (cargo-deb
#                                           reads target/release/ as its dir)
#   packaging/build-deb.sh --no-build       package what is already built
#   packaging/build-deb.sh --binary PATH    package this prebuilt chatlens
#                                           (implies --no-build)
#   --fast       gzip -1 instead of xz: seconds for a 140 MB debug binary
#   --no-strip   keep the binary's symbols
#   -o PATH      where the .deb goes (default target/debian/)
# CARGO_TARGET_DIR is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) args+=(--profile "${2:?--profile needs a name}"); shift 2 ;;
    --profile=*) args+=(--profile "${1#--profile=}"); shift ;;
    --no-build) args+=(--no-build); shift ;;
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --binary=*) binary="${1#--binary=}"; shift ;;
    # cargo-deb's own gzip falls back to zopfli (minutes for a debug build)
    # unless it was built with its `gzip` feature; the system tool never does.
    --fast) args+=(--fast --compress-type gz --compress-system); shift ;;
    --no-strip) args+=(--no-strip --no-dbgsym --no-separate-debug-symbols); shift ;;
    -o|--output) args+=(--output "${2:?$1 needs a path}"); shift 2 ;;
    --output=*) args+=(--output "${1#--output=}"); shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "build-deb.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

if ! cargo deb --version >/dev/null 2>&1; then
  echo "build-deb.sh: installing cargo-deb" >&2
  cargo install cargo-deb --locked
fi

if [ -n "$binary" ]; then
  [ -x "$binary" ] || { echo "build-deb.sh: $binary is not an executable" >&2; exit 2; }
  # cargo-deb only looks for the binary under the target dir's profile
  # folder; packaging a dev build through `--profile dev` is deprecated there,
  # so the binary is staged as a release build in a scratch target dir.
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/release"
  ln "$binary" "$stage/release/chatlens" 2>/dev/null || cp "$binary" "$stage/release/chatlens"
  if [ ${#args[@]} -eq 0 ] || ! printf '%s\n' "${args[@]}" | grep -qx -- --output; then
    args+=(--output "${CARGO_TARGET_DIR:-target}/debian")
  fi
  CARGO_TARGET_DIR="$stage" cargo deb --locked --no-build "${args[@]}"
else
  cargo deb --locked "${args[@]}"
fi
