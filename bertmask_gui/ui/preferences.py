"""Edit ▸ Preferences (QSettings): model, device, top-k, prediction delay, theme; and the
window geometry. No torch import here: which devices exist is asked in a thread when
the dialog opens (torch is usually loaded by the worker by then anyway).
"""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QStyleFactory,
    QVBoxLayout,
)

from bertmask_gui.engine.models import DEFAULT_MODEL
from bertmask_gui.engine.options import DEVICE_CHOICES, MAX_TOP_K, MIN_TOP_K
from bertmask_gui.ui import settings
from bertmask_gui.ui.editor_font import FontRows, default_font
from bertmask_gui.ui.model_dialog import choose_model
from bertmask_gui.ui.settings import DELAY_RANGE, THEMES, Key

DEVICE_LABELS = {"auto": "Automatic (best available)", "cpu": "CPU", "cuda": "NVIDIA GPU (CUDA)", "mps": "Apple GPU (MPS)"}


# ---------------------------------------------------------------------- theme
def apply_theme(theme: str, app: QApplication | None = None) -> None:
    """Light or dark palette (Fusion style), or back to the system's look."""
    app = app or QApplication.instance()
    if app is None:
        return
    if app.property("bertmask_system_style") is None:  # remember the system look once
        app.setProperty("bertmask_system_style", app.style().name())
        app.setProperty("bertmask_system_palette", QPalette(app.palette()))
    hints = app.styleHints()
    if theme == "dark":
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(_dark_palette())
        _set_scheme(hints, Qt.ColorScheme.Dark)
    elif theme == "light":
        style = QStyleFactory.create("Fusion")
        app.setStyle(style)
        app.setPalette(style.standardPalette())
        _set_scheme(hints, Qt.ColorScheme.Light)
    else:
        style = QStyleFactory.create(app.property("bertmask_system_style") or "Fusion")
        if style is not None:
            app.setStyle(style)
        app.setPalette(app.property("bertmask_system_palette"))
        if hasattr(hints, "unsetColorScheme"):
            hints.unsetColorScheme()


def _set_scheme(hints, scheme) -> None:
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(scheme)


def _dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: QColor(45, 45, 48),
        QPalette.ColorRole.WindowText: QColor(230, 230, 230),
        QPalette.ColorRole.Base: QColor(30, 30, 32),
        QPalette.ColorRole.AlternateBase: QColor(45, 45, 48),
        QPalette.ColorRole.ToolTipBase: QColor(60, 60, 64),
        QPalette.ColorRole.ToolTipText: QColor(230, 230, 230),
        QPalette.ColorRole.Text: QColor(230, 230, 230),
        QPalette.ColorRole.Button: QColor(53, 53, 57),
        QPalette.ColorRole.ButtonText: QColor(230, 230, 230),
        QPalette.ColorRole.BrightText: QColor(255, 90, 90),
        QPalette.ColorRole.Link: QColor(100, 160, 255),
        QPalette.ColorRole.Highlight: QColor(60, 110, 200),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.PlaceholderText: QColor(150, 150, 150),
    }
    for role, color in colors.items():
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 120))
    return palette


# -------------------------------------------------------------------- devices
class DeviceProbe(QObject):
    """Asks torch which devices exist: in a thread, or at once when torch is loaded."""

    found = Signal(list)

    def start(self) -> None:
        threading.Thread(target=self.run, name="bertmask-device-probe", daemon=True).start()

    def run(self) -> None:
        try:
            from bertmask_gui.engine.device import available_devices

            devices = available_devices()
        except Exception:  # a broken torch install: say only the CPU
            devices = ["cpu"]
        try:
            self.found.emit(devices)
        except RuntimeError:  # the dialog was closed (and deleted) meanwhile
            pass


# --------------------------------------------------------------------- dialog
class PreferencesDialog(QDialog):
    """Shows the saved preferences; OK saves them and emits ``saved``."""

    saved = Signal()

    def __init__(self, model: str = DEFAULT_MODEL, parent=None, choose_model=None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setObjectName("preferencesDialog")
        self._choose_model = choose_model
        self.available: list[str] | None = None
        form = QFormLayout()

        model_row = QHBoxLayout()
        self.model_label = QLabel(model, self)
        self.model_label.setObjectName("preferencesModel")
        self.model_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        model_row.addWidget(self.model_label, 1)
        self.model_button = QPushButton("Choose model…", self)
        self.model_button.setEnabled(choose_model is not None)
        self.model_button.clicked.connect(self._on_choose_model)
        model_row.addWidget(self.model_button)
        form.addRow("Model:", model_row)

        self.device_combo = QComboBox(self)
        self.device_combo.setObjectName("deviceCombo")
        for device in DEVICE_CHOICES:
            self.device_combo.addItem(DEVICE_LABELS[device], device)
        self.device_combo.setCurrentIndex(DEVICE_CHOICES.index(settings.device()))
        self.device_note = QLabel("Checking which devices this computer has…", self)
        self.device_note.setObjectName("deviceNote")
        device_box = QVBoxLayout()
        device_box.addWidget(self.device_combo)
        device_box.addWidget(self.device_note)
        form.addRow("Run the model on:", device_box)

        self.engine_combo = QComboBox(self)
        self.engine_combo.setObjectName("engineCombo")
        self.engine_combo.addItem("Automatic: ONNX Runtime on the CPU when the model allows", "auto")
        self.engine_combo.addItem("torch only", "torch")
        self.engine_combo.setCurrentIndex(settings.ENGINE_SETTINGS.index(settings.engine()))
        self.engine_combo.setToolTip(
            "Automatic exports the model once for ONNX Runtime (faster on a CPU), while torch answers "
            "meanwhile; torch only never exports."
        )
        form.addRow("Engine:", self.engine_combo)

        self.top_k_spin = QSpinBox(self)
        self.top_k_spin.setObjectName("topKSpin")
        self.top_k_spin.setRange(MIN_TOP_K, MAX_TOP_K)
        self.top_k_spin.setValue(settings.top_k())
        form.addRow("Suggestions per mask:", self.top_k_spin)

        self.delay_spin = QSpinBox(self)
        self.delay_spin.setObjectName("delaySpin")
        self.delay_spin.setRange(*DELAY_RANGE)
        self.delay_spin.setSingleStep(50)
        self.delay_spin.setSuffix(" ms")
        self.delay_spin.setValue(settings.delay_ms())
        self.delay_spin.setToolTip("How long to wait after the last keystroke before predicting.")
        form.addRow("Prediction delay:", self.delay_spin)

        self.theme_combo = QComboBox(self)
        self.theme_combo.setObjectName("themeCombo")
        for theme in THEMES:
            self.theme_combo.addItem(theme.capitalize(), theme)
        self.theme_combo.setCurrentIndex(THEMES.index(settings.theme()))
        form.addRow("Theme:", self.theme_combo)
        self.font_rows = FontRows(form, self, default_font(getattr(parent, "editor", None)))

        self.dictionary_button = QPushButton("Edit your dictionary…", self)  # the draft checker's accepted words
        self.dictionary_button.setObjectName("dictionaryButton")
        self.dictionary_button.clicked.connect(self.edit_dictionary)
        form.addRow("Spelling:", self.dictionary_button)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

        probe = DeviceProbe(self)
        probe.found.connect(self.show_available)
        if "torch" in sys.modules:  # already paid for by the worker: ask right away
            probe.run()
        else:
            probe.start()

    def show_available(self, devices: list) -> None:
        """Mark the devices this computer lacks; "auto" says what it will pick."""
        self.available = list(devices)
        model = self.device_combo.model()
        for index, device in enumerate(DEVICE_CHOICES):
            item = model.item(index)
            if device == "auto":
                item.setText(f"{DEVICE_LABELS['auto']}: {DEVICE_LABELS[devices[0]]}")
            elif device in devices:
                item.setText(DEVICE_LABELS[device])
            else:
                item.setText(f"{DEVICE_LABELS[device]}: not available")
                item.setEnabled(False)
        names = ", ".join(DEVICE_LABELS[d] for d in devices)
        self.device_note.setText(f"Available here: {names}.")

    def edit_dictionary(self):
        from bertmask_gui.ui.dictionary_dialog import edit_dictionary

        return edit_dictionary(self)

    def _on_choose_model(self) -> None:
        chosen = self._choose_model()
        if chosen:
            self.model_label.setText(chosen)

    def device(self) -> str:
        return self.device_combo.currentData()

    def accept(self) -> None:
        settings.save(Key.DEVICE, self.device())
        settings.save(Key.ENGINE, self.engine_combo.currentData())
        settings.save(Key.TOP_K, self.top_k_spin.value())
        settings.save(Key.DELAY_MS, self.delay_spin.value())
        settings.save(Key.THEME, self.theme_combo.currentData())
        self.font_rows.save()
        settings.sync()
        super().accept()
        self.saved.emit()


# ------------------------------------------------------- hooks for MainWindow
def apply_preferences(window, reload_model: bool = True) -> None:
    """Put the saved top-k, delay and theme into effect; a new device reloads the model."""
    window.session.top_k = settings.top_k()
    window.session.set_delay_ms(settings.delay_ms())
    apply_theme(settings.theme())
    if getattr(window, "view", None) is not None:
        window.view.apply_font()  # the editor font, at once
    device, engine = settings.device(), settings.engine()
    if device != window.device_choice or engine != window.engine_choice:
        window.device_choice, window.engine_choice = device, engine
        if reload_model:
            window.load_model(window.model_name)
    elif reload_model:
        window.session.predict_now()  # a new top-k shows at once


def open_preferences(window) -> None:
    """Edit ▸ Preferences…"""
    dialog = PreferencesDialog(window.model_name, window, choose_model=lambda: choose_model(window))
    dialog.saved.connect(lambda: apply_preferences(window))
    dialog.exec()


def restore_window(window, session) -> None:
    """Geometry from last time, and the saved delay (top-k and device come via create_window)."""
    geometry = settings.geometry()
    if geometry is not None:
        window.restoreGeometry(geometry)
    session.set_delay_ms(settings.delay_ms())


def save_window(window) -> None:
    settings.save(Key.GEOMETRY, window.saveGeometry())
