"""PyInstaller entry point: the frozen BertMask app starts here."""

import sys

from bertmask_gui.app import main

if __name__ == "__main__":
    sys.exit(main())
