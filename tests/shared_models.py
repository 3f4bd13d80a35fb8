"""The real small model the behaviour tests use: ``../shared/models/prose-mlm-small``.

One place for every test that needs it. ``shared/`` sits beside the checkout; mutmut
(make mutation) runs the tests in a ``mutants/`` copy inside the checkout, so the folder
one level further up is looked at too. No fixed absolute folder: a machine without the
model skips these tests with the reason below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent  # the checkout, or mutmut's copy of it


def find_prose_mlm_small() -> Path | None:
    for above in (CHECKOUT.parent, CHECKOUT.parent.parent):
        folder = above / "shared" / "models" / "prose-mlm-small"
        if (folder / "model.safetensors").is_file():
            return folder
    return None


PROSE_MLM_SMALL = find_prose_mlm_small()
needs_prose_mlm_small = pytest.mark.skipif(
    PROSE_MLM_SMALL is None, reason="the real model ../shared/models/prose-mlm-small is not on this machine"
)
