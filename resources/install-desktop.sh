#!/usr/bin/env bash
# Add BertMask to the Linux desktop menu (for the current user; no root needed).
#
#   resources/install-desktop.sh [APP]       # APP: the built app folder (default: dist/BertMask)
#   BertMask/_internal/resources/install-desktop.sh   # from an unpacked app: installs that app
#   resources/install-desktop.sh --source    # launch the pip-installed `bertmask-gui` instead
#   resources/install-desktop.sh --uninstall
#
# Installs the icon set into $XDG_DATA_HOME/icons/hicolor and bertmask.desktop into
# $XDG_DATA_HOME/applications (XDG_DATA_HOME defaults to ~/.local/share).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
desktop_file=$data/applications/bertmask.desktop
sizes="16 24 32 48 64 128 256 512"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$desktop_file"
  for size in $sizes; do rm -f "$data/icons/hicolor/${size}x${size}/apps/bertmask.png"; done
  rm -f "$data/icons/hicolor/scalable/apps/bertmask.svg"
  echo "BertMask removed from the desktop menu."
  exit 0
fi

if [ "${1:-}" = "--source" ]; then
  exec_line="bertmask-gui %f"
else
  if [ -z "${1:-}" ] && [ -x "$here/../../BertMask" ]; then
    app=$here/../..  # this script is inside a built app (BertMask/_internal/resources)
  else
    app=${1:-$here/../dist/BertMask}
  fi
  if [ ! -x "$app/BertMask" ]; then
    echo "No built app at $app: run \`make package\` first, or pass the app folder." >&2
    exit 1
  fi
  app=$(cd "$app" && pwd)
  exec_line="\"$app/BertMask\" %f"
fi

for size in $sizes; do
  install -D -m 644 "$here/icons/bertmask-$size.png" "$data/icons/hicolor/${size}x${size}/apps/bertmask.png"
done
install -D -m 644 "$here/icons/bertmask.svg" "$data/icons/hicolor/scalable/apps/bertmask.svg"
mkdir -p "$(dirname "$desktop_file")"
# The Exec line is the only thing that differs from resources/bertmask.desktop.
sed "s|^Exec=.*|Exec=$exec_line|" "$here/bertmask.desktop" > "$desktop_file"
chmod 644 "$desktop_file"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
echo "BertMask is in the desktop menu ($desktop_file)."
