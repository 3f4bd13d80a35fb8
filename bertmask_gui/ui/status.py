"""The status bar: which model, on which device, what the shown lists cost."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar

from bertmask_gui.ui.model_dialog import display_name


class StatusLine(QObject):
    """A QObject in the GUI thread, so the worker's ``loading`` signal is queued to it."""

    def __init__(self, bar: QStatusBar):
        super().__init__(bar)
        self.bar = bar
        self.model_label, self.device_label, self.timing_label = QLabel(bar), QLabel(bar), QLabel(bar)
        for label in (self.model_label, self.device_label, self.timing_label):
            bar.addPermanentWidget(label)

    def loading(self, model: str) -> None:
        self.model_label.setText(display_name(model))
        self.device_label.setText("")
        self.bar.showMessage(f"Loading model {display_name(model)}…")

    def loaded(self, info) -> None:
        """``info``: a worker.ModelInfo."""
        self.model_label.setText(display_name(info.name))
        self.model_label.setToolTip(info.folder)
        self.device_label.setText(info.device.upper() + (" · fast (approximate)" if info.approximate else ""))
        message = " ".join(info.notices) or f"Model {display_name(info.name)} ready."
        self.bar.showMessage(message, 0 if info.notices else 5000)

    def engine_changed(self, engine: str, sentence: str) -> None:
        """The worker switched engines (ONNX Runtime) or says why it stays on torch."""
        device = self.device_label.text().split(" · ")[0]
        if engine != "torch":
            self.device_label.setText(f"{device} · {engine}")
        self.device_label.setToolTip(sentence)
        self.bar.showMessage(sentence, 8000)

    def failed(self, model: str, still_loaded: str | None) -> None:
        """Loading ``model`` failed; ``still_loaded`` names the model that keeps working."""
        self.bar.showMessage(f"Could not load {display_name(model)}.")
        self.model_label.setText(display_name(still_loaded) if still_loaded else "No model")
