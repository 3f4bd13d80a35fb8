"""Help ▸ About: the version, the model in use, and links to the licences."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QMessageBox

from bertmask_gui import APP_NAME, __version__
from bertmask_gui.paths import license_path, notices_path


def about_html(model: str | None) -> str:
    """The About box's text: version, model, licence and notices as links to the files."""
    lines = [
        f"<b>{APP_NAME} {escape(__version__)}</b>",
        "Explore word choices with a masked language model: type [MASK] and pick from the "
        "ranked candidates.",
        f"Model in use: {escape(model) if model else 'none loaded'}",
    ]
    links = []
    licence = license_path()
    if licence is not None:
        links.append(f'<a href="{QUrl.fromLocalFile(str(licence)).toString()}">Licence (MIT)</a>')
    notices = notices_path()
    if notices is not None:
        links.append(f'<a href="{QUrl.fromLocalFile(str(notices)).toString()}">Third-party notices</a>')
    else:
        links.append("Third-party notices: in the packaged app (this copy runs from source)")
    lines.append(" · ".join(links))
    return "<br><br>".join(lines)


def show_about(window, model: str | None) -> QMessageBox:
    box = QMessageBox(window)
    box.setWindowTitle(f"About {APP_NAME}")
    box.setIconPixmap(window.windowIcon().pixmap(64, 64))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_html(model))
    label = box.findChild(QLabel, "qt_msgbox_label")
    if label is not None:  # links open the file with the desktop's viewer, on any style
        label.setOpenExternalLinks(False)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.linkActivated.connect(open_link)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box


def open_link(link: str) -> bool:
    return QDesktopServices.openUrl(QUrl(link))
