"""Download throughput against a stand-in Hub on 127.0.0.1, and the picker's disk check.

    python benchmarks/bench_download.py [--mb 200]

Serves a synthetic model (valid safetensors of the given size + a real tokenizer) the
way the Hub does, downloads it with engine/download.py (progress on, SHA-256 checked),
and prints a table. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def synthetic_model(folder: Path, megabytes: int) -> Path:
    from tiny_models import build_tiny_bert

    build_tiny_bert(folder)
    count = megabytes * 1_000_000 // 4
    header = json.dumps({"big": {"dtype": "F32", "shape": [count], "data_offsets": [0, count * 4]}}).encode()
    with (folder / "model.safetensors").open("wb") as f:
        f.write(struct.pack("<Q", len(header)) + header)
        f.truncate(8 + len(header) + count * 4)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    sandbox = Path(tempfile.mkdtemp(prefix="bertmask-bench-"))
    os.environ["XDG_DATA_HOME"] = str(sandbox / "data")
    os.environ["HF_HOME"] = str(sandbox / "hf")
    os.environ.pop("HF_HUB_OFFLINE", None)

    import hub_server
    from bertmask_gui.engine.download import download_model, plan_download
    from bertmask_gui.engine.models import find_local_model
    from bertmask_gui.ui.model_dialog import CURATED

    hub_server.WRITE_BYTES = 1 << 20
    hub = hub_server.FakeHub()
    hub.add_folder("bench/model", synthetic_model(sandbox / "src", args.mb))
    hub.start()
    os.environ["HF_ENDPOINT"] = hub.url
    try:
        plan = plan_download("bench/model")
        events = []
        started = time.perf_counter()
        download_model("bench/model", root=sandbox / "dest", progress=events.append)
        seconds = time.perf_counter() - started
    finally:
        hub.stop()

    started = time.perf_counter()
    states = [find_local_model(m.repo_id) for m in CURATED]
    first = time.perf_counter() - started
    started = time.perf_counter()
    for m in CURATED:
        find_local_model(m.repo_id)
    again = time.perf_counter() - started

    print(f"| what | value |\n|---|---|")
    print(f"| bytes downloaded | {plan.total_bytes / 1e6:.1f} MB in {len(plan.files)} files |")
    print(f"| wall time (incl. SHA-256 check) | {seconds:.2f} s |")
    print(f"| throughput | {plan.total_bytes / 1e6 / seconds:.0f} MB/s |")
    print(f"| progress events | {len(events)} |")
    print(f"| disk state of {len(CURATED)} curated models, first call | {first * 1000:.0f} ms ({sum(bool(s) for s in states)} on disk) |")
    print(f"| same, again | {again * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
