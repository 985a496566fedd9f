#!/usr/bin/env bash
# Screenshots of every view on the built-in sample, under Xvfb, into
# docs/screenshots/. Needs Xvfb, ImageMagick (import, convert) and xdpyinfo;
# xdotool, when installed, parks the pointer in a corner so no tooltip shows.
# Usage: scripts/screenshots.sh [path/to/chatlens]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-${CARGO_TARGET_DIR:-target}/release/chatlens}"
OUT=docs/screenshots
mkdir -p "$OUT"
Xvfb :97 -screen 0 1400x900x24 -nolisten tcp & XVFB=$!
trap 'kill $XVFB 2>/dev/null || true' EXIT
for _ in $(seq 50); do xdpyinfo -display :97 >/dev/null 2>&1 && break; sleep 0.1; done
# A throwaway config folder keeps the user's saved settings out of the pictures.
export XDG_DATA_HOME XDG_CONFIG_HOME
XDG_DATA_HOME=$(mktemp -d); XDG_CONFIG_HOME=$(mktemp -d)
for view in overview flow follow-ups timing segments groups quality outcomes compare agents; do
  name=${view//-/}
  DISPLAY=:97 CHATLENS_VIEW=$view TZ=UTC "$BIN" & APP=$!
  sleep "${SHOT_DELAY:-6}"
  if command -v xdotool >/dev/null; then
    DISPLAY=:97 xdotool mousemove 1399 899
    sleep 0.5
  fi
  DISPLAY=:97 import -window root "$OUT/$name.png"
  kill $APP; wait $APP 2>/dev/null || true
  # 8-bit palette keeps each picture small enough to commit.
  convert "$OUT/$name.png" -colors 256 PNG8:"$OUT/$name.png"
done
echo "screenshots in $OUT"
