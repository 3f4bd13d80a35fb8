#!/usr/bin/env bash
# make package-test needs Xvfb (the menu entry's Exec on a real X server), xauth (xvfb-run),
# desktop-file-utils (desktop-file-validate) and zstd. Install what is missing as root (as
# ensure-qt-libs.sh does); otherwise say which tests will skip and why.
set -euo pipefail
needed=""
command -v xvfb-run >/dev/null 2>&1 || needed="$needed xvfb xauth"
command -v desktop-file-validate >/dev/null 2>&1 || needed="$needed desktop-file-utils"
command -v zstd >/dev/null 2>&1 || needed="$needed zstd"
[ -z "$needed" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "package-test: missing$needed (not root, or no apt-get): the tests needing them skip with a reason." >&2
  exit 0
fi
apt-get update -qq
# shellcheck disable=SC2086 (one word per package)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $needed >/dev/null
