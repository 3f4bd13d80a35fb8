# dmgbuild settings for BertMask.dmg: the app and a link to /Applications, drag to install.
#   dmgbuild -s packaging/macos/dmg_settings.py -D app=dist/BertMask.app "BertMask" dist/BertMask-<version>-<arch>.dmg
# (release.yml runs this on the macOS runners.) dmgbuild executes this file with
# `defines` (the -D values) in scope.
# ruff: noqa: F821
import os.path

application = defines.get("app", "dist/BertMask.app")
appname = os.path.basename(application)

format = "UDZO"  # compressed, read-only
filesystem = "HFS+"
size = None  # computed from the contents
files = [application]
symlinks = {"Applications": "/Applications"}
badge_icon = None
icon_locations = {appname: (140, 120), "Applications": (400, 120)}
window_rect = ((200, 200), (540, 300))
default_view = "icon-view"
show_icon_preview = False
icon_size = 96
text_size = 13
