"""The log file: the app's own lines, not the exporter's working notes."""

from __future__ import annotations

import logging

import pytest

from bertmask_gui import logs


@pytest.fixture
def logged_to(tmp_path, monkeypatch):
    """setup_logging writing to a file in tmp_path; the root logger put back afterwards."""
    path = tmp_path / "bertmask.log"
    monkeypatch.setattr(logs, "log_file", lambda: path)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in logs.CHATTY_LIBRARIES}
    yield path
    for handler in root.handlers[len(handlers):]:
        handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_the_exporters_info_lines_stay_out_of_the_log_but_its_warnings_stay(logged_to):
    logs.setup_logging(verbose=False)
    logging.getLogger("onnx_ir.passes.common.initializer_deduplication").info("Replaced initializer 'val_280'")
    logging.getLogger("onnxscript.optimizer._constant_folding").info("Folded a constant")
    logging.getLogger("onnxscript.rewriter").warning("A rule failed")
    logging.getLogger("bertmask_gui.engine.predictor").info("prose-mlm-small now runs on ONNX Runtime")
    text = logged_to.read_text(encoding="utf-8")
    assert "Replaced initializer" not in text and "Folded a constant" not in text
    assert "A rule failed" in text and "now runs on ONNX Runtime" in text


def test_verbose_keeps_everything(logged_to):
    logs.setup_logging(verbose=True)
    logging.getLogger("onnx_ir.passes.common.initializer_deduplication").info("Replaced initializer 'val_280'")
    assert "Replaced initializer" in logged_to.read_text(encoding="utf-8")
