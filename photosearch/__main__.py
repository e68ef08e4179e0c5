"""`python -m photosearch` runs the same entry point as the `photosearch` command."""

from photosearch.cli import main

raise SystemExit(main())
