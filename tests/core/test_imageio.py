"""imageio: formats, orientation, JPEG draft decoding, capture dates, and reasons for what cannot be read."""

from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image

from photosearch.core import imageio


def _save(path, size=(120, 80), color=(200, 30, 30), **kwargs):
    Image.new("RGB", size, color).save(path, **kwargs)
    return path


@pytest.mark.parametrize("ext", ["jpg", "png", "webp", "tif", "bmp", "gif"])
def test_common_formats_decode_to_rgb(tmp_path, ext):
    decoded = imageio.decode(_save(tmp_path / f"a.{ext}"))
    assert decoded.image.mode == "RGB" and (decoded.width, decoded.height) == (120, 80)


def test_gif_gives_the_first_frame(tmp_path):
    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    red, _green, blue = imageio.decode(tmp_path / "a.gif").image.getpixel((10, 10))
    assert red > 200 and blue < 50


def test_exif_orientation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[imageio.ORIENTATION] = 6  # rotate 90 degrees clockwise to display
    _save(tmp_path / "r.jpg", size=(120, 80), exif=exif)
    decoded = imageio.decode(tmp_path / "r.jpg")
    assert decoded.image.size == (80, 120) and (decoded.width, decoded.height) == (80, 120)


def test_capture_date_from_exif(tmp_path):
    exif = Image.Exif()
    exif.get_ifd(imageio.EXIF_IFD)[imageio.DATETIME_ORIGINAL] = "2021:07:04 15:30:00"
    _save(tmp_path / "d.jpg", exif=exif)
    assert imageio.decode(tmp_path / "d.jpg").captured == dt.datetime(2021, 7, 4, 15, 30)
    assert imageio.read_capture_date(tmp_path / "d.jpg") == dt.datetime(2021, 7, 4, 15, 30)
    assert imageio.decode(_save(tmp_path / "n.jpg")).captured is None


def test_large_jpeg_decodes_smaller_with_draft_but_reports_full_size(tmp_path):
    _save(tmp_path / "big.jpg", size=(2000, 1600))
    decoded = imageio.decode(tmp_path / "big.jpg", min_side=128)
    assert (decoded.width, decoded.height) == (2000, 1600)
    assert 128 <= min(decoded.image.size) < 800


@pytest.mark.parametrize("content, reason", [
    (b"", "empty file"),
    (b"this is not a picture", "not a recognised image format"),
])
def test_unreadable_files_raise_with_a_reason(tmp_path, content, reason):
    (tmp_path / "x.jpg").write_bytes(content)
    with pytest.raises(imageio.UnreadableImage, match=reason):
        imageio.decode(tmp_path / "x.jpg")


def test_truncated_jpeg_is_reported_as_corrupt(tmp_path):
    data = _save(tmp_path / "t.jpg", size=(400, 300)).read_bytes()
    (tmp_path / "t.jpg").write_bytes(data[: len(data) // 2])
    with pytest.raises(imageio.UnreadableImage, match="corrupt or truncated"):
        imageio.decode(tmp_path / "t.jpg")


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    _save(tmp_path / "bomb.png", size=(300, 300))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(imageio.UnreadableImage, match="too large"):
        imageio.decode(tmp_path / "bomb.png")


def test_missing_file(tmp_path):
    with pytest.raises(imageio.UnreadableImage, match="not found"):
        imageio.decode(tmp_path / "nope.jpg")


def test_transparent_png_becomes_white_background(tmp_path):
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(tmp_path / "t.png")
    assert imageio.decode(tmp_path / "t.png").image.getpixel((5, 5)) == (255, 255, 255)


def test_camera_jpegs_opened_as_mpo_decode_smaller_with_draft_too(tmp_path):
    # Many cameras and phones write a JPEG with a second (preview) frame, which Pillow opens as MPO.
    picture = Image.new("RGB", (2000, 1600), (200, 30, 30))
    picture.save(tmp_path / "camera.jpg", format="MPO", save_all=True, append_images=[picture.resize((200, 160))])
    with Image.open(tmp_path / "camera.jpg") as opened:
        assert opened.format == "MPO"
    decoded = imageio.decode(tmp_path / "camera.jpg", min_side=128)
    assert (decoded.width, decoded.height) == (2000, 1600)
    assert 128 <= min(decoded.image.size) < 800
