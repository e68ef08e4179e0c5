"""The bundle's `photosearch` program: the command line, and the desktop app when started without a command."""

import sys

from photosearch.cli import main

if __name__ == "__main__":
    sys.exit(main())
