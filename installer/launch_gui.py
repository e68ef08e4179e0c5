"""The bundle's windowed program (Windows, macOS): the desktop app, started without a console window."""

import sys

from photosearch.gui.app import run

if __name__ == "__main__":
    # No --data-dir here: a double-click passes no arguments; $PHOTOSEARCH_DATA_DIR still applies.
    sys.exit(run(None))
