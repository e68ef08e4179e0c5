"""The desktop app: PySide6 widgets and Qt models over the headless core (photosearch.core)."""
