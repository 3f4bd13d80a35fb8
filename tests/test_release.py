"""Releases: one version, the licences and notices, the .deb's layout, the installers'
settings, and Help ▸ About. Fast: nothing here runs PyInstaller (make package-test does).
"""

from __future__ import annotations

import importlib.util
import os
import plistlib
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Debian packages are built on Linux (links, modes)")


def load_script(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


notices = load_script("bertmask_notices", ROOT / "packaging" / "notices.py")
build_deb = load_script("bertmask_build_deb", ROOT / "packaging" / "deb" / "build_deb.py")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


# ------------------------------------------------------------------ one version
def test_the_version_is_pyprojects_everywhere():
    import bertmask_gui
    from bertmask_gui.app import parse_args

    assert bertmask_gui.__version__ == VERSION
    assert build_deb.project_version() == VERSION
    assert build_deb.deb_name(VERSION, "amd64") == f"bertmask_{VERSION}_amd64.deb"
    with pytest.raises(SystemExit):
        parse_args(["--version"])
    assert f"## {VERSION}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_version_flag_prints_the_version():
    done = subprocess.run([sys.executable, "-m", "bertmask_gui", "--version"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == f"BertMask {VERSION}"


def test_licence_is_mit_as_pyproject_says():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


# ------------------------------------------------------------------- notices
def runtime_distributions() -> list:
    """bertmask-gui's installed runtime dependencies, transitively (what the app bundles)."""
    from importlib import metadata

    seen, todo = {}, ["bertmask-gui"]
    while todo:
        dist = metadata.distribution(todo.pop())
        key = notices.canonical(dist.metadata["Name"])
        if key in seen:
            continue
        seen[key] = dist
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0)
            try:
                metadata.distribution(name)
            except metadata.PackageNotFoundError:
                continue  # a platform marker excluded it
            todo.append(name)
    seen.pop("bertmask-gui")
    return list(seen.values())


def test_every_bundled_package_gets_its_licence_text():
    dists = runtime_distributions()
    assert {"torch", "transformers", "pyside6-essentials", "shiboken6"} <= {
        notices.canonical(d.metadata["Name"]) for d in dists
    }
    for dist in dists:
        assert notices.licence_texts(dist), f"{dist.metadata['Name']} has no licence text"
        assert notices.licence_name(dist) != "see the licence text below" or notices.licence_texts(dist)


def test_notices_name_packages_from_the_bundles_modules_and_files():
    names = notices.top_level_names(
        ["torch.nn.modules.linear", "transformers", "bertmask_gui.app"],
        ["PySide6/Qt/lib/libQt6Core.so.6", "numpy.libs/libscipy_openblas.so", "tokenizers-0.23.dist-info/RECORD"],
    )
    assert names == {"torch", "transformers", "bertmask_gui", "PySide6", "numpy"}
    found = {notices.canonical(d.metadata["Name"]) for d in notices.bundled_distributions(names)}
    assert {"torch", "transformers", "pyside6-essentials", "numpy"} <= found
    assert "bertmask-gui" not in found and "tokenizers" not in found  # ours; only its metadata


def test_notices_hold_qts_lgpl_terms_python_and_every_data_licence(tmp_path):
    from importlib import metadata

    (tmp_path / "wordlist.txt").write_text("A word list (words.txt) from example.org\nCC0 text", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a licence", encoding="utf-8")
    dists = [metadata.distribution("PySide6_Essentials"), metadata.distribution("tokenizers")]
    text = notices.render_notices(dists, tmp_path)
    assert "PySide6_Essentials 6." in text and "GNU LESSER GENERAL PUBLIC LICENSE" in text
    assert "you may replace them" in text and "download.qt.io" in text  # LGPL: relinking, source
    assert "Python 3." in text and "PSF" in text
    assert "Apache License" in text  # tokenizers names Apache but ships no file: the standard text
    assert "A word list (words.txt) from example.org\nCC0 text" in text and "not a licence" not in text


def test_the_real_data_licences_are_well_formed():
    """resources/licenses/<dataset>.txt: a first line naming the data, then the licence."""
    for path in (ROOT / "resources" / "licenses").glob("*.txt"):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) >= 2 and lines[0].strip(), path.name


# --------------------------------------------------------------------- .deb
@pytest.fixture
def fake_app(tmp_path) -> Path:
    """A stand-in for dist/BertMask: an executable, the notices, a bundled model."""
    app = tmp_path / "dist" / "BertMask"
    (app / "_internal").mkdir(parents=True)
    exe = app / "BertMask"
    exe.write_text("#!/bin/sh\necho BertMask\n")
    exe.chmod(0o700)
    (app / "_internal" / notices.NOTICES_NAME).write_text("notices", encoding="utf-8")
    (app / "models" / "tiny").mkdir(parents=True)
    (app / "models" / "tiny" / "config.json").write_text("{}")
    return app


@linux_only
def test_deb_tree_has_the_app_the_command_the_menu_entry_icons_and_the_licences(fake_app, tmp_path):
    root = tmp_path / "root"
    build_deb.stage(fake_app, root, VERSION)
    assert (root / "opt/bertmask/BertMask").stat().st_mode & 0o777 == 0o755
    assert (root / "opt/bertmask/models/tiny/config.json").stat().st_mode & 0o777 == 0o644
    assert os.readlink(root / "usr/bin/bertmask") == "/opt/bertmask/BertMask"
    desktop = (root / "usr/share/applications/bertmask.desktop").read_text(encoding="utf-8")
    assert "\nExec=bertmask %f\n" in desktop and "\nMimeType=text/plain;text/markdown;\n" in desktop
    for size in build_deb.ICON_SIZES:
        assert (root / f"usr/share/icons/hicolor/{size}x{size}/apps/bertmask.png").is_file()
    assert (root / "usr/share/icons/hicolor/scalable/apps/bertmask.svg").is_file()
    doc = root / "usr/share/doc/bertmask"
    assert {p.name for p in doc.iterdir()} == {"copyright", "LICENSE", "CHANGELOG.md", notices.NOTICES_NAME}
    assert "License: MIT" in (doc / "copyright").read_text(encoding="utf-8")


@linux_only
def test_deb_tree_refuses_an_app_built_without_notices(fake_app, tmp_path):
    (fake_app / "_internal" / notices.NOTICES_NAME).unlink()
    with pytest.raises(SystemExit, match="packaging/build.py"):
        build_deb.stage(fake_app, tmp_path / "root", VERSION)


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="needs desktop-file-utils (apt)")
def test_menu_entry_passes_desktop_file_validate(tmp_path):
    entry = tmp_path / "bertmask.desktop"
    entry.write_text(build_deb.desktop_entry(), encoding="utf-8")
    done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


@linux_only
@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (Debian, Ubuntu)")
def test_deb_builds_with_dpkg_deb_and_declares_qts_libraries(fake_app, tmp_path, monkeypatch):
    monkeypatch.setattr(build_deb, "system_packages", lambda app: ["libc6", *build_deb.DISPLAY_PACKAGES])
    deb = build_deb.build_deb(fake_app, tmp_path, work=tmp_path / "work")
    assert deb.name == build_deb.deb_name(VERSION, build_deb.architecture())
    info = subprocess.run(["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(": ", 1) for line in info.splitlines() if ": " in line and not line.startswith(" "))
    assert fields["Package"] == "bertmask" and fields["Version"] == VERSION
    assert {"libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libfontconfig1"} <= set(fields["Depends"].split(", "))
    listing = subprocess.run(["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "root/root" in listing and "./usr/bin/bertmask -> /opt/bertmask/BertMask" in listing
    assert "./usr/share/doc/bertmask/THIRD-PARTY-NOTICES.txt" in listing
    assert not (tmp_path / "work" / "bertmask").exists()  # the staging tree is cleaned up


@linux_only
@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs dpkg-query (Debian, Ubuntu)")
def test_system_packages_come_from_the_libraries_the_bundle_links(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy2(Path(sys.executable).resolve(), app / "python")  # an ELF linking libc at least
    packages = build_deb.system_packages(app)
    assert "libc6" in packages and "libxcb-cursor0" in packages


# ------------------------------------------------------------------ installers
def test_macos_info_plist_declares_hidpi_and_text_documents():
    plist = plistlib.loads((ROOT / "packaging" / "macos" / "Info.plist").read_bytes())
    assert plist["NSHighResolutionCapable"] is True
    types = {t for doc in plist["CFBundleDocumentTypes"] for t in doc["LSItemContentTypes"]}
    assert types == {"public.plain-text", "net.daringfireball.markdown"}
    spec = (ROOT / "packaging" / "bertmask.spec").read_text(encoding="utf-8")
    assert '"CFBundleShortVersionString": VERSION' in spec  # the plist's own value is overwritten


def test_dmg_settings_put_the_app_beside_an_applications_link():
    namespace = {"defines": {"app": "dist/BertMask.app"}}
    exec((ROOT / "packaging" / "macos" / "dmg_settings.py").read_text(encoding="utf-8"), namespace)
    assert namespace["files"] == ["dist/BertMask.app"]
    assert namespace["symlinks"] == {"Applications": "/Applications"}
    assert set(namespace["icon_locations"]) == {"BertMask.app", "Applications"}


def test_windows_installer_is_per_user_with_open_with_and_takes_the_version_from_the_build():
    iss = (ROOT / "packaging" / "windows" / "bertmask.iss").read_text(encoding="utf-8")
    assert "PrivilegesRequired=lowest" in iss and "AppVersion={#AppVersion}" in iss
    assert re.search(r"^\s*#error", iss, re.MULTILINE)  # no version passed: no installer
    assert VERSION not in iss  # never a second copy of the version
    assert "{autoprograms}" in iss and "LicenseFile=..\\..\\LICENSE" in iss
    for extension in (".txt", ".md"):
        assert f"Software\\Classes\\{extension}\\OpenWithProgids" in iss
    own_keys = re.findall(r'^Root: HKA; Subkey: "Software\\Classes\\(?:\{#ProgId\}|Applications\\\{#AppExe\})";.*$',
                          iss, re.MULTILINE)
    assert len(own_keys) == 2 and all("uninsdeletekey" in line for line in own_keys)  # the uninstaller removes them
    release = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert '"/DAppVersion=$env:VERSION"' in release


def test_workflows_pin_every_action_to_a_commit():
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        uses = re.findall(r"^\s*-?\s*uses:\s*(\S+)", workflow.read_text(encoding="utf-8"), re.MULTILINE)
        assert uses, workflow.name
        for action in uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), f"{workflow.name}: {action}"


# ------------------------------------------------------------------ Help ▸ About
def test_about_shows_version_model_and_links_the_licence(qtbot):
    from bertmask_gui.ui.about import about_html

    html = about_html("prose-mlm-small")
    assert f"BertMask {VERSION}" in html and "Model in use: prose-mlm-small" in html
    assert f'href="{(ROOT / "LICENSE").as_uri()}"' in html
    assert "in the packaged app" in html  # from source there are no generated notices
    assert "none loaded" in about_html(None)


def test_about_in_the_packaged_app_links_the_notices_and_opens_them(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QLabel, QWidget

    from bertmask_gui.ui import about

    (tmp_path / "THIRD-PARTY-NOTICES.txt").write_text("notices", encoding="utf-8")
    (tmp_path / "LICENSE.txt").write_text("MIT", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    opened = []
    monkeypatch.setattr(about.QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    window = QWidget()
    qtbot.addWidget(window)
    box = about.show_about(window, "tiny-bert")
    qtbot.addWidget(box)
    label = box.findChild(QLabel, "qt_msgbox_label")
    assert "Third-party notices</a>" in label.text() and "Licence (MIT)</a>" in label.text()
    link = re.search(r'href="([^"]+NOTICES[^"]+)"', label.text()).group(1)
    label.linkActivated.emit(link)
    assert opened == [str(tmp_path / "THIRD-PARTY-NOTICES.txt")]
