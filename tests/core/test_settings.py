"""settings: defaults, round trip, and never a crash on a bad file."""

from __future__ import annotations

from photosearch.core.settings import Settings, load_settings, save_settings


def test_missing_file_gives_defaults(tmp_path):
    assert load_settings(tmp_path) == Settings(device="auto", thumbnail_size=160, results_count=100)


def test_round_trip(tmp_path):
    save_settings(Settings(device="cpu", thumbnail_size=256, results_count=40), tmp_path)
    assert load_settings(tmp_path) == Settings(device="cpu", thumbnail_size=256, results_count=40)
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_corrupt_file_gives_defaults(tmp_path):
    (tmp_path / "settings.json").write_bytes(b"\x00{not json")
    assert load_settings(tmp_path) == Settings()


def test_invalid_values_fall_back_one_by_one(tmp_path):
    (tmp_path / "settings.json").write_text('{"device": "tpu", "thumbnail_size": "big", "results_count": 50}')
    assert load_settings(tmp_path) == Settings(results_count=50)
    (tmp_path / "settings.json").write_text("[1, 2]")
    assert load_settings(tmp_path) == Settings()


def test_default_location_is_the_user_config_dir(tmp_path, monkeypatch):
    import appdirs

    monkeypatch.setattr(appdirs, "user_config_dir", lambda *a, **k: str(tmp_path / "cfg"))
    save_settings(Settings(results_count=7))
    assert (tmp_path / "cfg" / "settings.json").is_file()
    assert load_settings().results_count == 7
