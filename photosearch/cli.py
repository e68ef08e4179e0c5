"""The `photosearch` command: the library from a terminal (the headless core is on its way)."""

from __future__ import annotations

import argparse
import sys

from photosearch import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="photosearch", description=__doc__)
    parser.add_argument("--version", action="version", version=f"PhotoSearch {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)
    print("PhotoSearch: the photo library and search are not built yet; only --version works.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
