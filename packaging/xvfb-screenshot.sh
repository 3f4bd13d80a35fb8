#!/usr/bin/env bash
# Start the built app under Xvfb as a double-click would (X11 via Qt's xcb plugin, no
# terminal), and save a screenshot of the screen once the model has had time to load.
#   packaging/xvfb-screenshot.sh [OUT.png] [APP_DIR] [SECONDS]   (needs xvfb, imagemagick)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-dist/bertmask-xvfb.png}")
app=$(realpath "${2:-$root/dist/BertMask}")
wait_s=${3:-12}
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  env -u QT_QPA_PLATFORM "$1/BertMask" "$2/resources/sample.txt" &
  pid=$!
  sleep "$4"
  import -window root "$3"
  kill "$pid"; wait "$pid" || true
' _ "$app" "$root" "$out" "$wait_s"
echo "Screenshot: $out"
