#!/usr/bin/env bash
# Qt needs system libraries (EGL, xkbcommon, fontconfig; on X11 libxcb-cursor0 and the
# other xcb libraries). A fresh Debian machine may lack them. Check the platform plugin
# the app will really use (xcb with DISPLAY, wayland with WAYLAND_DISPLAY, else offscreen,
# QT_QPA_PLATFORM first) and that a QApplication starts; install what is missing as root,
# else print the command.
set -euo pipefail
python=${1:-python3}
base_packages="libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0"
missing() {  # the Debian packages the platform plugin lacks, from ldd (bertmask_gui.qt_platform)
  "$python" -m bertmask_gui.qt_platform --packages
}
offscreen_starts() {
  QT_QPA_PLATFORM=offscreen "$python" -c \
    "from PySide6.QtWidgets import QApplication; QApplication([])" >/dev/null 2>&1
}
needed=$(missing)
offscreen_starts || needed="$base_packages $needed"
[ -z "${needed// /}" ] && exit 0
echo "Qt cannot start here: these system packages are missing: $needed" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Install the packages that provide them with your system's package manager." >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "Run as root (or with sudo): apt-get install $needed" >&2
  exit 1
fi
apt-get update -qq
# shellcheck disable=SC2086 (one word per package)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $needed >/dev/null
still=$(missing)  # a library found now can reveal its own missing dependencies
# shellcheck disable=SC2086
[ -n "$still" ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $still >/dev/null
if [ -n "$(missing)" ] || ! offscreen_starts; then
  echo "Qt still cannot start; this says why: $python -m bertmask_gui.qt_platform" >&2
  exit 1
fi
