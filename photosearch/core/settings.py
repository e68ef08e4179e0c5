"""The user's preferences (device, thumbnail size, result count, ADAPT re-ranking), stored as JSON in the config dir."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from photosearch.core import atomicfile
from photosearch.core.paths import default_config_dir
from photosearch.model.device_probe import DEVICES

__all__ = ["DEVICES", "SETTINGS_FILE", "Settings", "load_settings", "save_settings"]

SETTINGS_FILE = "settings.json"

log = logging.getLogger(__name__)


@dataclass
class Settings:
    """The user's preferences, with their defaults."""

    device: str = "auto"
    thumbnail_size: int = 160
    results_count: int = 100
    # How many of the best results ADAPT re-orders (0: off). Off by default: on a CPU each re-ranked photo costs
    # a backbone pass (~0.1 s) and the dev figures do not pay for that (training/RESULTS.md, "ADAPT").
    rerank_top: int = 0


def _settings_path(config_dir: str | Path | None) -> Path:
    return Path(config_dir if config_dir is not None else default_config_dir()) / SETTINGS_FILE


def _coerce(raw: object) -> Settings:
    """Keep each field that is valid and fall back to the default for the rest (a hand-edited file stays usable)."""
    settings = Settings()
    if not isinstance(raw, dict):
        return settings
    if raw.get("device") in DEVICES:
        settings.device = raw["device"]
    for name, lo, hi in (("thumbnail_size", 32, 1024), ("results_count", 1, 10_000), ("rerank_top", 0, 200)):
        value = raw.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
            setattr(settings, name, value)
    return settings


def load_settings(config_dir: str | Path | None = None) -> Settings:
    """The saved settings; defaults when the file is missing, unreadable or not valid JSON."""
    path = _settings_path(config_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as error:
        log.warning("ignoring unreadable settings file %s: %s", path, error)
        return Settings()
    return _coerce(raw)


def save_settings(settings: Settings, config_dir: str | Path | None = None) -> None:
    atomicfile.write_text(_settings_path(config_dir), json.dumps(dataclasses.asdict(settings), indent=2) + "\n")
