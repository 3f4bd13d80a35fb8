"""``--predict --json`` fills at a constrained mask: complete, and every one obeys."""

from __future__ import annotations

import json

from test_cli import run_cli

from bertmask_gui.engine.constraints import parse


def test_the_json_fills_obey_the_constraints(tiny_bert):
    text = "I really [MASK] the [MASK starts:t max:5]."
    done = run_cli("--predict", text, "--model", str(tiny_bert), "--json", "--top-k", "5")
    assert done.returncode == 0, done.stderr
    fills = json.loads(done.stdout)["fills"]
    wanted = parse("starts:t max:5")
    assert len(fills) == 5  # before: none (the unconstrained words there broke the constraint)
    assert all(len(f["words"]) == 2 and wanted.allows(f["words"][1]) for f in fills)
