"""Every photo the scanner indexes can be previewed and dropped: HEIC through Pillow, .dib, EXIF orientation."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import draw_photo
from tests.gui.test_main_window import drag_and_drop

TIMEOUT = 20_000


def shown_size(window, qtbot, path: Path) -> tuple[int, int]:
    window.preview.show_photo(str(path))
    qtbot.waitUntil(lambda: not window.preview.image().isNull(), timeout=5_000)
    image = window.preview.image()
    return image.width(), image.height()


def test_a_heic_photo_is_shown_in_the_preview(window, tmp_path, qtbot):
    pillow_heif = pytest.importorskip("pillow_heif")
    source = draw_photo(tmp_path / "drawn.png", seed=3, size=(160, 120))
    heic = tmp_path / "photos" / "phone.heic"
    heic.parent.mkdir(parents=True, exist_ok=True)
    pillow_heif.from_pillow(Image.open(source)).save(heic, quality=90)
    assert shown_size(window, qtbot, heic) == (160, 120)


def test_the_preview_applies_exif_orientation(window, tmp_path, qtbot):
    path = draw_photo(tmp_path / "photos" / "turned.jpg", seed=4, size=(160, 120))
    image = Image.open(path)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    image.save(path, exif=exif)
    assert shown_size(window, qtbot, path) == (120, 160)


def test_a_large_photo_is_previewed_downscaled(window, tmp_path, qtbot):
    from photosearch.gui.preview_pane import PREVIEW_PIXELS

    path = draw_photo(tmp_path / "photos" / "big.png", seed=5, size=(3000, 1500))
    assert shown_size(window, qtbot, path) == (PREVIEW_PIXELS, PREVIEW_PIXELS // 2)


def test_every_suffix_the_scanner_indexes_can_be_dropped(indexed_window, tmp_path, qtbot):
    dib = draw_photo(tmp_path / "photos" / "scan.dib", seed=6, fmt="BMP")
    with qtbot.waitSignal(indexed_window.search_finished, timeout=TIMEOUT) as done:
        assert drag_and_drop(indexed_window, dib)
    assert done.args[0].request.image == str(dib)
