"""The Qt (PySide6) user interface. Never imports torch at module level."""
