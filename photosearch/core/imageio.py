"""Decoding photo files into PIL images: formats, fast JPEG downscaling, EXIF orientation, capture date, reasons."""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from photosearch.core.errors import UnreadableImage

log = logging.getLogger(__name__)

# A photo bigger than this (about 16k x 11k) is more likely a decompression bomb than a picture of a beach.
MAX_PIXELS = 178_956_970
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
ORIENTATION = 0x0112
# Formats whose decoder can scale down in the DCT (Image.draft). MPO is how Pillow opens the JPEGs of many cameras
# and phones (a JPEG with a second, preview frame); decoding those at full size took 2-3 times as long.
DRAFT_FORMATS = ("JPEG", "MPO")

try:  # HEIC/HEIF/AVIF only when the optional extra is installed.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:
    HEIF_SUPPORTED = False


__all__ = ["DecodedImage", "UnreadableImage", "decode", "displayed_size", "read_capture_date", "read_header"]


@dataclass
class DecodedImage:
    """A decoded photo with its displayed size and capture date."""

    image: Image.Image  # RGB, EXIF orientation applied, possibly downscaled
    width: int  # of the full image as displayed (after orientation)
    height: int
    captured: dt.datetime | None  # EXIF DateTimeOriginal (naive local time), when present


def parse_exif_datetime(value: object) -> dt.datetime | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _capture_date(image: Image.Image) -> dt.datetime | None:
    try:
        exif = image.getexif()
        return parse_exif_datetime(exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL))
    except Exception as error:  # a broken EXIF block must not cost us the photo (Pillow raises anything here)
        log.warning("ignoring the unreadable capture date of %s: %s: %s", _name(image), type(error).__name__, error)
        return None


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ORIENTATION, 1))
    except Exception as error:  # as for the capture date: the photo is shown unrotated rather than not at all
        log.warning("ignoring the unreadable orientation of %s: %s: %s", _name(image), type(error).__name__, error)
        return 1


def _name(image: Image.Image) -> str:
    return str(getattr(image, "filename", "") or "an image")


def displayed_size(image: Image.Image) -> tuple[int, int]:
    """(width, height) of the image as shown, after its EXIF orientation (5 to 8 turn it a quarter)."""
    width, height = image.size
    return (height, width) if _orientation(image) in (5, 6, 7, 8) else (width, height)


def read_header(path: str | Path) -> tuple[int, int, dt.datetime | None]:
    """(width, height) as displayed and the EXIF capture date, without decoding pixels (for photo details).

    Raises UnreadableImage when the file is not an image Pillow can open.
    """
    try:
        with Image.open(path) as image:
            return (*displayed_size(image), _capture_date(image))
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, Image.DecompressionBombError) as error:
        raise UnreadableImage(f"cannot read {path}: {error}") from error


def decode(path: str | Path, min_side: int | None = None) -> DecodedImage:
    """Open `path` as an RGB image whose shorter side is at least `min_side` (when given, JPEGs decode smaller).

    Raises UnreadableImage with a reason a person can act on.
    """
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            raise UnreadableImage("empty file")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                full_w, full_h = image.size
                shown_w, shown_h = displayed_size(image)
                captured = _capture_date(image)
                if min_side and image.format in DRAFT_FORMATS:
                    # The DCT can decode at 1/2, 1/4 or 1/8 scale almost for free; draft picks the smallest that
                    # still covers the request, so the model sees the same detail at a fraction of the cost.
                    scale = min_side / min(full_w, full_h)
                    if scale < 1:
                        image.draft("RGB", (max(1, int(full_w * scale)), max(1, int(full_h * scale))))
                image.seek(0)  # GIF, TIFF, WebP: the first frame
                image.load()
                rgb = _to_rgb(ImageOps.exif_transpose(image))
    except UnreadableImage:
        raise
    except FileNotFoundError as error:
        raise UnreadableImage("file not found") from error
    except PermissionError as error:
        raise UnreadableImage("permission denied") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UnreadableImage(f"image too large (over {MAX_PIXELS:,} pixels)") from error
    except UnidentifiedImageError as error:
        raise UnreadableImage(_unidentified_reason(path)) from error
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError) as error:
        # Pillow reports truncated or corrupt data as OSError ("image file is truncated") and friends.
        raise UnreadableImage(f"corrupt or truncated image: {error}") from error
    return DecodedImage(rgb, shown_w, shown_h, captured)


def _unidentified_reason(path: Path) -> str:
    """Why Pillow did not recognise a file: a header cut short looks like a known format but is not one."""
    from photosearch.core.scanner import sniff_format

    try:
        with open(path, "rb") as handle:
            announced = sniff_format(handle.read(32))
    except OSError:
        announced = None
    if announced in ("HEIF", "AVIF") and not HEIF_SUPPORTED:
        return f"{announced} images need the optional pillow-heif package"
    if announced is not None:
        return f"corrupt or truncated {announced} file (it starts like one but cannot be decoded)"
    return "not a recognised image format"


def _to_rgb(image: Image.Image) -> Image.Image:
    from photosearch.model.preprocess import to_rgb

    return to_rgb(image)


def read_capture_date(path: str | Path) -> dt.datetime | None:
    """The EXIF DateTimeOriginal without decoding pixels (for photo details)."""
    try:
        return read_header(path)[2]
    except UnreadableImage as error:
        log.info("no capture date: %s", error)
        return None
