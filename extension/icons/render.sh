#!/bin/sh
# Renders certbridge.svg to the PNG icons the manifest names (extension/src/icons/icon-<size>.png), with
# librsvg (Debian: librsvg2-bin). The PNGs are committed: the build needs no image tools. Run it after
# changing the SVG. The 128 px icon keeps 16 px of transparent margin around 96 px of artwork, as the
# Chrome Web Store asks; the toolbar and menu sizes use the whole square.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../src/icons"
command -v rsvg-convert >/dev/null || { echo "render.sh: rsvg-convert not found (apt-get install librsvg2-bin)" >&2; exit 1; }
mkdir -p "$out"
for size in 16 32 48; do
  rsvg-convert --width "$size" --height "$size" "$here/certbridge.svg" --output "$out/icon-$size.png"
done
rsvg-convert --width 96 --height 96 --page-width 128 --page-height 128 --left 16 --top 16 \
  "$here/certbridge.svg" --output "$out/icon-128.png"
