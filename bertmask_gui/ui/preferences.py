"""Edit ▸ Preferences (QSettings): model, device, top-k, prediction delay, theme; and the
window geometry. No torch import here: which devices exist is asked in a thread when
the dialog opens (torch is usually loaded by the worker by then anyway).
"""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, QSettings, Qt, Signal
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
from bertmask_gui.engine.options import DEFAULT_TOP_K, DEVICE_CHOICES, MAX_TOP_K, MIN_TOP_K

DEVICE_KEY = "predict/device"
TOP_K_KEY = "predict/top_k"
DELAY_KEY = "predict/delay_ms"
THEME_KEY = "ui/theme"
GEOMETRY_KEY = "window/geometry"
DEVICES = DEVICE_CHOICES
DEVICE_LABELS = {"auto": "Automatic (best available)", "cpu": "CPU", "cuda": "NVIDIA GPU (CUDA)", "mps": "Apple GPU (MPS)"}
THEMES = ("system", "light", "dark")
DEFAULT_DELAY_MS = 300
TOP_K_RANGE = (MIN_TOP_K, MAX_TOP_K)
DELAY_RANGE = (0, 5000)


# ------------------------------------------------------------------- settings
def _int(key: str, default: int, low: int, high: int) -> int:
    try:
        value = int(QSettings().value(key, default))
    except (TypeError, ValueError):
        value = default
    return min(max(value, low), high)


def _choice(key: str, default: str, choices) -> str:
    value = str(QSettings().value(key, default) or default).lower()
    return value if value in choices else default


def saved_device() -> str:
    return _choice(DEVICE_KEY, "auto", DEVICES)


def saved_top_k() -> int:
    return _int(TOP_K_KEY, DEFAULT_TOP_K, *TOP_K_RANGE)


def saved_delay_ms() -> int:
    return _int(DELAY_KEY, DEFAULT_DELAY_MS, *DELAY_RANGE)


def saved_theme() -> str:
    return _choice(THEME_KEY, "system", THEMES)


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
class _DeviceProbe(QObject):
    found = Signal(list)

    def start(self) -> None:
        threading.Thread(target=self._run, name="bertmask-device-probe", daemon=True).start()

    def _run(self) -> None:
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
        for device in DEVICES:
            self.device_combo.addItem(DEVICE_LABELS[device], device)
        self.device_combo.setCurrentIndex(DEVICES.index(saved_device()))
        self.device_note = QLabel("Checking which devices this computer has…", self)
        self.device_note.setObjectName("deviceNote")
        device_box = QVBoxLayout()
        device_box.addWidget(self.device_combo)
        device_box.addWidget(self.device_note)
        form.addRow("Run the model on:", device_box)

        self.top_k_spin = QSpinBox(self)
        self.top_k_spin.setObjectName("topKSpin")
        self.top_k_spin.setRange(*TOP_K_RANGE)
        self.top_k_spin.setValue(saved_top_k())
        form.addRow("Suggestions per mask:", self.top_k_spin)

        self.delay_spin = QSpinBox(self)
        self.delay_spin.setObjectName("delaySpin")
        self.delay_spin.setRange(*DELAY_RANGE)
        self.delay_spin.setSingleStep(50)
        self.delay_spin.setSuffix(" ms")
        self.delay_spin.setValue(saved_delay_ms())
        self.delay_spin.setToolTip("How long to wait after the last keystroke before predicting.")
        form.addRow("Prediction delay:", self.delay_spin)

        self.theme_combo = QComboBox(self)
        self.theme_combo.setObjectName("themeCombo")
        for theme in THEMES:
            self.theme_combo.addItem(theme.capitalize(), theme)
        self.theme_combo.setCurrentIndex(THEMES.index(saved_theme()))
        form.addRow("Theme:", self.theme_combo)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

        self._probe = _DeviceProbe(self)
        self._probe.found.connect(self.show_available)
        if "torch" in sys.modules:  # already paid for by the worker: ask right away
            self._probe._run()
        else:
            self._probe.start()

    def show_available(self, devices: list) -> None:
        """Mark the devices this computer lacks; "auto" says what it will pick."""
        self.available = list(devices)
        model = self.device_combo.model()
        for index, device in enumerate(DEVICES):
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

    def _on_choose_model(self) -> None:
        chosen = self._choose_model()
        if chosen:
            self.model_label.setText(chosen)

    def device(self) -> str:
        return self.device_combo.currentData()

    def accept(self) -> None:
        settings = QSettings()
        settings.setValue(DEVICE_KEY, self.device())
        settings.setValue(TOP_K_KEY, self.top_k_spin.value())
        settings.setValue(DELAY_KEY, self.delay_spin.value())
        settings.setValue(THEME_KEY, self.theme_combo.currentData())
        settings.sync()
        super().accept()
        self.saved.emit()


# ------------------------------------------------------- hooks for MainWindow
def apply_preferences(window, reload_model: bool = True) -> None:
    """Put the saved top-k, delay and theme into effect; a new device reloads the model."""
    window.top_k = saved_top_k()
    window._debounce.setInterval(saved_delay_ms())
    apply_theme(saved_theme())
    device = saved_device()
    if device != window.device_choice:
        window.device_choice = device
        if reload_model:
            window.load_model(window.model_name)
    elif reload_model:
        window.predict_now()  # a new top-k shows at once


def open_preferences(window) -> None:
    """Edit ▸ Preferences…"""
    from bertmask_gui.ui.model_dialog import choose_model

    dialog = PreferencesDialog(window.model_name, window, choose_model=lambda: choose_model(window))
    dialog.saved.connect(lambda: apply_preferences(window))
    dialog.exec()


def restore_window(window) -> None:
    """Geometry from last time, and the saved delay (top-k and device come via create_window)."""
    geometry = QSettings().value(GEOMETRY_KEY)
    if geometry is not None:
        window.restoreGeometry(geometry)
    window._debounce.setInterval(saved_delay_ms())


def save_window(window) -> None:
    QSettings().setValue(GEOMETRY_KEY, window.saveGeometry())
