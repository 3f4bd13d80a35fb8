"""THIRD-PARTY-NOTICES.txt: the licences of everything inside the packaged app.

Built at build time (the spec calls ``bundle_notices``) from what PyInstaller actually
collected: every module and file of the bundle is mapped to the Python distribution that
installed it (``importlib.metadata.packages_distributions``), and each distribution gives
its name, version, licence and licence files from its own metadata. Then come Python
itself, Qt's LGPL terms and every data-set licence in ``resources/licenses/``. Nothing
is listed by hand, so a package that joins the bundle (onnxruntime) joins the notices.

    python packaging/notices.py OUT.txt torch transformers ...   # notices for these imports
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LICENSES_DIR = ROOT / "resources" / "licenses"
STANDARD_TEXTS = Path(__file__).resolve().parent / "licenses"  # <SPDX id>.txt
CLASSIFIER_IDS = {"Apache Software License": "Apache-2.0", "MIT License": "MIT"}
NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"
OWN_DISTRIBUTION = "bertmask-gui"
_LICENSE_FILE = re.compile(r"(^|/)(licen[cs]e|copying|notice|copyright|authors)[^/]*$", re.IGNORECASE)
_RULE = "=" * 78

QT_LGPL_TERMS = """\
Qt and Qt for Python (PySide6, shiboken6) are used under the GNU Lesser General Public
License version 3 (LGPL-3.0-only); the LGPL and GPL texts follow in the entries of
PySide6 and shiboken6 below. BertMask links to them dynamically: Qt's libraries are the
separate shared library files in the app's folder (Linux/Windows: _internal/PySide6/,
macOS: BertMask.app/Contents/Frameworks/PySide6/), unmodified, and you may replace them
with your own build of the same version. Their source code is at
https://download.qt.io/official_releases/QtForPython/ (PySide6, shiboken6) and
https://download.qt.io/official_releases/qt/ (Qt), or write to the BertMask maintainers
for a copy.
"""


def top_level_names(module_names, file_destinations) -> set[str]:
    """The top-level import names behind the bundle's modules and files.

    ``file_destinations`` are paths inside the app folder (``torch/lib/libc10.so``,
    ``numpy.libs/libopenblas…``); metadata folders are not code and are skipped.
    """
    names = {name.split(".")[0] for name in module_names}
    for dest in file_destinations:
        first = dest.replace("\\", "/").split("/")[0]
        if first.endswith((".dist-info", ".egg-info")):
            continue
        names.add(first.removesuffix(".libs").split(".")[0])
    return {name for name in names if name}


def bundled_distributions(names) -> list[metadata.Distribution]:
    """The installed distributions that provide these import names, ours left out."""
    providers = metadata.packages_distributions()
    found: dict[str, metadata.Distribution] = {}
    for name in names:
        for dist_name in providers.get(name, []):
            key = canonical(dist_name)
            if key != OWN_DISTRIBUTION and key not in found:
                found[key] = metadata.distribution(dist_name)
    return sorted(found.values(), key=lambda dist: canonical(dist.metadata["Name"]))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def licence_name(dist: metadata.Distribution) -> str:
    """The SPDX expression, else the short License field, else the trove classifiers."""
    meta = dist.metadata
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    declared = (meta.get("License") or "").strip()
    if declared and "\n" not in declared and len(declared) < 100:
        return declared
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return ", ".join(classifiers) or "see the licence text below"


def licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    """(file name, text) of each licence file the distribution installed with its metadata."""
    texts = []
    for file in dist.files or []:
        path = file.as_posix()
        if ".dist-info/" not in path or not _LICENSE_FILE.search(path.split(".dist-info/", 1)[1]):
            continue
        located = Path(file.locate())
        text = located.read_text(encoding="utf-8", errors="replace") if located.is_file() else ""
        if text.strip():
            texts.append((path.split(".dist-info/", 1)[1], text))
    declared = (dist.metadata.get("License") or "").strip()
    if not texts and "\n" in declared:  # some put the whole text in the License field
        texts.append(("License field of the package metadata", declared))
    if not texts:  # named but not shipped: the standard text of each licence named
        for spdx in spdx_ids(licence_name(dist)):
            standard = STANDARD_TEXTS / f"{spdx}.txt"
            if standard.is_file():
                texts.append((f"{spdx} (standard text)", standard.read_text(encoding="utf-8")))
    return texts


def spdx_ids(expression: str) -> list[str]:
    """The licence identifiers of an SPDX expression or of classifier names."""
    ids = []
    for part in re.split(r"\s+(?:AND|OR|WITH)\s+|[(),]\s*", expression):
        part = CLASSIFIER_IDS.get(part.strip(), part.strip())
        if part and part not in ids:
            ids.append(part)
    return ids


def distribution_entry(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    home = meta.get("Home-page") or next(
        (url.split(",", 1)[1].strip() for url in meta.get_all("Project-URL") or [] if "," in url), ""
    )
    lines = [_RULE, f"{meta['Name']} {dist.version}", f"Licence: {licence_name(dist)}"]
    if home:
        lines.append(f"Home: {home}")
    texts = licence_texts(dist)
    if not texts:
        lines.append("(The package's metadata holds no licence file; its licence is named above.)")
    for name, text in texts:
        lines += ["", f"--- {name} ---", text.rstrip()]
    return "\n".join(lines) + "\n"


def python_entry() -> str:
    licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    text = licence.read_text(encoding="utf-8") if licence.is_file() else "PSF-2.0: https://docs.python.org/3/license.html"
    version = ".".join(map(str, sys.version_info[:3]))
    return "\n".join([_RULE, f"Python {version} (interpreter and standard library)", "Licence: PSF-2.0", "", text.rstrip()]) + "\n"


def data_entries(folder: Path = LICENSES_DIR) -> list[str]:
    """Every data-set licence of resources/licenses/ (its README says what belongs there)."""
    return [
        f"{_RULE}\n{path.read_text(encoding='utf-8').rstrip()}\n"
        for path in sorted(folder.glob("*.txt"))
    ]


def render_notices(dists: list[metadata.Distribution], licenses_dir: Path = LICENSES_DIR) -> str:
    names = {canonical(dist.metadata["Name"]) for dist in dists}
    header = [
        "BertMask: third-party notices",
        "",
        "BertMask is MIT-licensed (LICENSE). The packaged app also contains the software and",
        "data listed below, each under its own licence. This file is generated when the app is",
        "built, from the packages inside it.",
        "",
        "Python packages: " + ", ".join(f"{d.metadata['Name']} {d.version}" for d in dists),
        "",
    ]
    if names & {"pyside6", "pyside6-essentials", "shiboken6"}:
        header += [_RULE, QT_LGPL_TERMS]
    parts = ["\n".join(header), python_entry(), *map(distribution_entry, dists), *data_entries(licenses_dir)]
    return "\n".join(parts)


def bundle_notices(pure, binaries, datas, workpath: Path) -> list[tuple[str, str, str]]:
    """For the spec: write the notices of this Analysis and return the TOC entries that
    put them (and BertMask's LICENSE) at the top of the app's folder."""
    names = top_level_names([entry[0] for entry in pure], [entry[0] for entry in [*binaries, *datas]])
    dists = bundled_distributions(names)
    out = Path(workpath) / NOTICES_NAME
    out.write_text(render_notices(dists), encoding="utf-8")
    print(f"notices: {len(dists)} Python packages -> {out}")
    return [(NOTICES_NAME, str(out), "DATA"), ("LICENSE.txt", str(ROOT / "LICENSE"), "DATA")]


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.write_text(render_notices(bundled_distributions(sys.argv[2:])), encoding="utf-8")
    print(target)
