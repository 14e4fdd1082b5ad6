"""Photos of shortages and damage: checked, re-encoded, stored under the upload folder.

Re-encoding with Pillow is the safety step: whatever the phone sent (HEIC renamed, a
script with a .jpg name, a 40-megapixel image with GPS in its EXIF), what lands on disk
is a plain JPEG of at most ``MAX_SIDE`` pixels with no metadata.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 1600
#: Larger images are refused before decoding (decompression bombs).
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 82


#: Why a photo was refused, by code. Lazy: the view renders them in the request's language,
#: so the checks below run (and are tested) without an app.
MESSAGES = {
    "empty": _l("The photo is empty. Please take it again."),
    "over_8_mb": _l("The photo is larger than 8 MB. Please take a smaller one."),
    "too_many_pixels": _l("The photo is too large. Please take a smaller one."),
    "unreadable": _l("This file is not a photo we can read. Please take a photo (JPEG or PNG)."),
}


class PhotoRejected(ValueError):
    """``code`` is a key of ``MESSAGES``; ``message`` its (lazy) text."""

    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES[code])
        self.code = code
        self.message = MESSAGES[code]


def reencode(data: bytes) -> bytes:
    """The photo as a JPEG of at most ``MAX_SIDE`` px, upright, without EXIF; or ``PhotoRejected``."""
    if not data:
        raise PhotoRejected("empty")
    if len(data) > MAX_BYTES:
        raise PhotoRejected("over_8_mb")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise PhotoRejected("too_many_pixels")
            img.load()
            img = ImageOps.exif_transpose(img)  # keep it upright once the EXIF is gone
            img = img.convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= argument: none is written
            return out.getvalue()
    except PhotoRejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PhotoRejected("unreadable") from None


def store_photo(upload_folder: str, store_id: int, jpeg: bytes) -> str:
    """Write the JPEG as ``<store_id>/<uuid>.jpg`` under the folder; return that relative path."""
    relative = f"{store_id}/{uuid.uuid4().hex}.jpg"
    target = Path(upload_folder) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(jpeg)
    return relative


def photo_path(upload_folder: str, relative: str) -> Path | None:
    """The file of a stored photo, or None when the path is empty or leaves the folder."""
    if not relative:
        return None
    root = Path(upload_folder).resolve()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def remove_photo(upload_folder: str, relative: str) -> None:
    if path := photo_path(upload_folder, relative):
        path.unlink(missing_ok=True)
