#!/usr/bin/env bash
# The installed package's first launch as a new user (no settings, no model, no network),
# under Xvfb: the window with its Download offer, then what "Download" says offline.
#   packaging/deb/first_launch_screenshots.sh [OUT_DIR]   (needs the .deb installed, xvfb,
#   xdotool, imagemagick; writes installed-first-launch.png, installed-offline.png)
set -euo pipefail
out=$(realpath -m "${1:-docs/screenshots}")
mkdir -p "$out"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
xvfb-run -a -s "-screen 0 1280x800x24" env -u QT_QPA_PLATFORM \
  HOME="$home" XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" \
  XDG_STATE_HOME="$home/state" HF_HOME="$home/hf" HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 \
  bash -c '
  bertmask &
  pid=$!
  for _ in $(seq 60); do xdotool search --name "BertMask" >/dev/null 2>&1 && break; sleep 0.5; done
  sleep "${WAIT_S:-8}"
  import -window root -crop 1100x640+0+0 "$1/installed-first-launch.png"
  # No window manager: the window sits at the top left, its Download button at
  # (CLICK_X, CLICK_Y) on the screen (882,103 with the default layout at 1100x640).
  xdotool mousemove --sync "${CLICK_X:-882}" "${CLICK_Y:-103}" click 1
  sleep "${OFFLINE_WAIT_S:-6}"
  import -window root -crop 1100x640+0+0 "$1/installed-offline.png"
  kill "$pid"; wait "$pid" || true
' _ "$out"
echo "Screenshots in $out"
