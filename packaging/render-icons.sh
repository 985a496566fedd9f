#!/usr/bin/env bash
# Re-renders the committed icon set from assets/icons/chatlens.svg. The PNGs
# and the .ico are committed so that building and packaging never need an SVG
# renderer; run this only after editing the SVG.
# Needs rsvg-convert (Debian: librsvg2-bin) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

svg=assets/icons/chatlens.svg
for n in 16 24 32 48 64 128 256 512; do
  mkdir -p "assets/icons/hicolor/${n}x${n}/apps"
  rsvg-convert -w "$n" -h "$n" "$svg" -o "assets/icons/hicolor/${n}x${n}/apps/chatlens.png"
done

# Windows wants an .ico for the executable, the installer and the file type.
# Entries holding PNG data are valid since Vista and need no image library.
python3 - <<'PY'
import struct
sizes = [16, 24, 32, 48, 64, 128, 256]
images = [open(f"assets/icons/hicolor/{n}x{n}/apps/chatlens.png", "rb").read() for n in sizes]
header = struct.pack("<HHH", 0, 1, len(images))
offset = 6 + 16 * len(images)
entries = b""
for n, data in zip(sizes, images):
    # 0 in the width/height bytes means 256.
    entries += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(data), offset)
    offset += len(data)
with open("assets/icons/chatlens.ico", "wb") as f:
    f.write(header + entries + b"".join(images))
PY
