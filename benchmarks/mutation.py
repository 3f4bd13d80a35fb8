"""How many bugs would the engine's tests catch? A sampled mutation run (issue 23).

    python benchmarks/mutation.py [--per-group N] [--seed S] [--jobs J]     (make mutation)

mutmut (configured in pyproject.toml [tool.mutmut]) writes every mutant of
bertmask_gui/engine/ and bertmask_gui/lexicon/ into a mutants/ copy. Running all of them
takes hours on two cores, so this draws a sample: the mutants are grouped by module
(rankings/, runner.py, encoder.py, vocabulary.py, the rest of the engine, the lexicon),
and from each group N are drawn at random with a seeded generator (the seed and the group
name seed it, so a group's sample does not change when another group grows). mutmut then
runs only those, each against the tests that call the mutated function, and this writes the
score per module and every surviving mutant (its diff) to docs/MUTATION.md.

Every survivor in the target groups gets a test or a line in benchmarks/mutation_notes.txt:
``mutant name: equivalent: why`` (it cannot change what the app does: counted apart, out
of the score) or ``mutant name: untested: why`` (a real difference no test here can see,
e.g. one that needs a GPU: still a survivor). MUTATION.md shows the reason beside it.
Not part of make test or CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "MUTATION.md"
NOTES = ROOT / "benchmarks" / "mutation_notes.txt"

# Groups in report order: (name, test on the mutated file's path relative to the package).
GROUPS = [
    ("rankings/", lambda path: path.startswith("engine/rankings/")),
    ("runner.py", lambda path: path == "engine/runner.py"),
    ("encoder.py", lambda path: path == "engine/encoder.py"),
    ("vocabulary.py", lambda path: path == "engine/vocabulary.py"),
    ("engine (the rest)", lambda path: path.startswith("engine/")),
    ("lexicon/", lambda path: path.startswith("lexicon/")),
]
# The target: at least this share of the sampled mutants killed in these groups.
TARGET_GROUPS = ("rankings/", "runner.py", "encoder.py", "vocabulary.py")
TARGET = 0.80
# mutmut's statuses of a mutant that a stopped run did not (finish to) test
NOT_RUN = ("not checked", "check was interrupted by user")


def group_of(source_path: str) -> str:
    relative = source_path.removeprefix("bertmask_gui/")
    return next(name for name, matches in GROUPS if matches(relative))


def generate_mutants() -> dict[str, str]:
    """Write mutants/ (as `mutmut run` does first); every mutant's name -> its source file."""
    import mutmut.__main__ as mutmut_main
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.utils.file_utils import walk_mutatable_files

    mutmut_main.set_mutant_under_test("mutant_generation")
    os.makedirs("mutants", exist_ok=True)
    mutmut_main.copy_src_dir()
    mutmut_main.copy_also_copy_files()
    mutmut_main.create_mutants(os.cpu_count() or 2)
    names = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        names.update({name: str(path) for name in data.exit_code_by_key})
    return names


def draw_sample(names: dict[str, str], per_group: int, seed: int) -> dict[str, list[str]]:
    by_group: dict[str, list[str]] = defaultdict(list)
    for name, path in names.items():
        by_group[group_of(path)].append(name)
    sample = {}
    for group, members in by_group.items():
        rng = random.Random(f"{seed}-{group}")
        sample[group] = sorted(rng.sample(sorted(members), min(per_group, len(members))))
    return sample


def run_mutmut(mutant_names: list[str], jobs: int) -> float:
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.monotonic()
    subprocess.run([str(mutmut), "run", "--max-children", str(jobs), *mutant_names], check=True)
    return time.monotonic() - started


def results(names: dict[str, str], sample: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """group -> {mutant name: mutmut's status (killed, survived, timeout, no tests…)}."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code

    exit_codes: dict[str, int | None] = {}
    for path in sorted(set(names.values())):
        data = SourceFileMutationData(path=path)
        data.load()
        exit_codes.update(data.exit_code_by_key)
    return {group: {name: status_by_exit_code[exit_codes.get(name)] for name in members}
            for group, members in sample.items()}


def survivor_notes() -> dict[str, tuple[str, str]]:
    """mutant name -> (equivalent | untested, why), from benchmarks/mutation_notes.txt."""
    notes = {}
    if NOTES.exists():
        for line in NOTES.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                name, kind, why = (part.strip() for part in line.split(":", 2))
                assert kind in ("equivalent", "untested"), line
                notes[name] = (kind, why)
    return notes


def diff_of(name: str, path: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    try:
        return get_diff_for_mutant(name, path=path).strip()
    except Exception as exc:  # a report line, not a crash: the score is still worth writing
        return f"(no diff: {exc})"


def score_line(group: str, statuses: dict[str, str], total: int, notes) -> tuple[str, int, int]:
    killed = sum(s in ("killed", "timeout") for s in statuses.values())
    not_run = sum(s in NOT_RUN for s in statuses.values())
    equivalent = sum(s not in ("killed", "timeout", *NOT_RUN) and notes.get(n, ("",))[0] == "equivalent"
                     for n, s in statuses.items())
    counted = len(statuses) - equivalent - not_run
    survived = counted - killed
    score = f"{killed / counted:.0%}" if counted else "–"
    line = f"| {group} | {len(statuses)} ({total}) | {not_run} | {killed} | {survived} | {equivalent} | {score} |"
    return line, killed, counted


def write_report(names, sample, statuses, per_group, seed, jobs, seconds, notes) -> None:
    import mutmut

    totals = defaultdict(int)
    for group in sample:
        totals[group] = sum(group_of(path) == group for path in names.values())
    lines = [
        "# Mutation score of the engine's tests",
        "",
        "Written by `make mutation` (benchmarks/mutation.py); not part of `make test` or CI.",
        f"mutmut {mutmut.__version__ if hasattr(mutmut, '__version__') else ''} mutates "
        "bertmask_gui/engine/ and bertmask_gui/lexicon/ and runs the tests named in "
        "pyproject.toml [tool.mutmut] against each mutant.",
        "",
        f"Sample: per module group, {per_group} mutants drawn at random (Python's random, "
        f"seeded with \"{seed}-<group>\") from all the group's mutants; {jobs} mutants at a "
        f"time; the run took {seconds / 60:.1f} min on "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. A killed mutant made a test fail "
        "(a timeout counts as killed); a mutant not run (a run stopped early) is left out of the "
        "score; an equivalent one cannot change what the app does "
        "and is left out of the score; an untested one is a real difference no test here can "
        "see (why: benchmarks/mutation_notes.txt).",
        "",
        "| group | sampled (of all) | not run | killed | survived | equivalent | score |",
        "|---|---|---|---|---|---|---|",
    ]
    target_killed = target_counted = 0
    for group, _ in GROUPS:
        if group not in sample:
            continue
        line, killed, counted = score_line(group, statuses[group], totals[group], notes)
        lines.append(line)
        if group in TARGET_GROUPS:
            target_killed += killed
            target_counted += counted
    if target_counted:
        lines += ["", f"rankings/, runner.py, encoder.py and vocabulary.py together: "
                      f"{target_killed} of {target_counted} killed "
                      f"({target_killed / target_counted:.0%}; the target is {TARGET:.0%})."]
    lines += ["", "## Surviving mutants", ""]
    for group, _ in GROUPS:
        for name, status in sorted(statuses.get(group, {}).items()):
            if status in ("killed", "timeout", *NOT_RUN):
                continue
            kind, why = notes.get(name, (status, ""))
            heading = f"### {name} ({kind}{': ' + why if why else ''})"
            lines += [heading, "", "```diff", diff_of(name, names[name]), "```", ""]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-group", type=int, default=80, help="mutants drawn per group")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at a time")
    parser.add_argument("--reuse", action="store_true",
                        help="keep mutants/ from the last run (else it is made afresh: the tests may have changed)")
    parser.add_argument("--survivors", action="store_true",
                        help="run again the last run's survivors in the target groups that have no note "
                             "(after new tests), then report. mutmut maps only new tests to the functions "
                             "they call: after changing a test, run afresh")
    parser.add_argument("--report-only", action="store_true",
                        help="write docs/MUTATION.md again from the last run's results (after editing "
                             "benchmarks/mutation_notes.txt); runs nothing")
    args = parser.parse_args()
    os.chdir(ROOT)
    # One torch thread per mutant process: `jobs` of them share the cores.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if not (args.reuse or args.report_only or args.survivors):
        shutil.rmtree("mutants", ignore_errors=True)
    names = generate_mutants()
    sample = draw_sample(names, args.per_group, args.seed)
    chosen = [name for members in sample.values() for name in members]
    print(f"{len(chosen)} of {len(names)} mutants sampled", flush=True)
    last_run = Path("mutants") / "mutation-run.json"
    if args.report_only:
        seconds = json.loads(last_run.read_text())["seconds"]
    elif args.survivors:
        before, noted = results(names, sample), survivor_notes()
        again = [n for group, members in before.items() if group in TARGET_GROUPS
                 for n, status in members.items() if status not in ("killed", "timeout") and n not in noted]
        print(f"running the {len(again)} survivors again", flush=True)
        seconds = json.loads(last_run.read_text())["seconds"] + run_mutmut(again, args.jobs)
        last_run.write_text(json.dumps({"seconds": seconds}))
    else:
        seconds = run_mutmut(chosen, args.jobs)
        last_run.write_text(json.dumps({"seconds": seconds}))
    statuses = results(names, sample)
    write_report(names, sample, statuses, args.per_group, args.seed, args.jobs, seconds,
                 survivor_notes())
    print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
