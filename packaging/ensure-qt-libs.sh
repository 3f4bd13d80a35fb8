#!/usr/bin/env bash
# Qt needs a few system libraries (EGL, xkbcommon, fontconfig...). A fresh Debian
# machine may lack them: check that a QApplication starts, install them if not.
set -euo pipefail
python=${1:-python3}
check() {
  QT_QPA_PLATFORM=offscreen "$python" -c \
    "from PySide6.QtWidgets import QApplication; QApplication([])" >/dev/null 2>&1
}
check && exit 0
echo "Qt cannot start: installing the system libraries it needs" >&2
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0 >/dev/null
elif command -v apt-get >/dev/null 2>&1; then
  echo "Run as root (or with sudo): apt-get install libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0" >&2
  exit 1
fi
check || { echo "Qt still cannot start; see the README's troubleshooting section." >&2; exit 1; }
