"""Photos of shortages and damage: checked, re-encoded, stored under the upload folder.

Re-encoding with Pillow is the safety step: whatever the phone sent (HEIC renamed, a
script with a .jpg name, a 40-megapixel image with GPS in its EXIF), what lands on disk
is a plain JPEG of at most ``MAX_SIDE`` pixels with no metadata.

Memory is bounded before anything is decoded: the size comes from the file's header; a
JPEG is decoded straight at 1/2 … 1/8 scale (``draft``), other formats only up to
``MAX_FULL_DECODE_PIXELS``; and at most ``CONCURRENT`` photos per process are worked on
at once (a 160 KB PNG can declare 7000×7000 pixels: 200 MB once decoded).
"""

from __future__ import annotations

import io
import threading
import uuid
import warnings
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 1600
#: Larger images are refused from their header (decompression bombs). A JPEG this large
#: is decoded at reduced scale, so it costs far less than its size suggests.
MAX_PIXELS = 50_000_000
#: Formats decoded at full size (PNG, WebP, GIF …): 12 MP is a 4000×3000 image, about
#: 85 MB at its peak while it is shrunk (bench/image_memory.py).
MAX_FULL_DECODE_PIXELS = 12_000_000
JPEG_QUALITY = 82
#: Photos re-encoded at once per process (gunicorn threads share it); others wait.
CONCURRENT = 2
WAIT_SECONDS = 20

# Pillow's own bomb check, process-wide: nothing else here opens images.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
_work = threading.BoundedSemaphore(CONCURRENT)


#: Why a photo was refused, by code. Lazy: the view renders them in the request's language,
#: so the checks below run (and are tested) without an app.
MESSAGES = {
    "empty": _l("The photo is empty. Please take it again."),
    "over_8_mb": _l("The photo is larger than 8 MB. Please take a smaller one."),
    "busy": _l("Other photos are being processed. Please try again in a moment."),
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
    if not _work.acquire(timeout=WAIT_SECONDS):
        raise PhotoRejected("busy")
    try:
        return _reencode(data)
    finally:
        _work.release()


def _reencode(data: bytes) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))  # reads the header only
        with opened as img:
            pixels = img.width * img.height
            if pixels > MAX_PIXELS:
                raise PhotoRejected("too_many_pixels")
            if img.format in ("JPEG", "MPO"):
                # Decode at the smallest 1/2 … 1/8 scale whose longer side still reaches
                # MAX_SIDE: a 12 MP phone photo is decoded at 3 MP.
                shrink = MAX_SIDE / max(img.width, img.height)
                if shrink < 1:
                    img.draft("RGB", (int(img.width * shrink) or 1, int(img.height * shrink) or 1))
            elif pixels > MAX_FULL_DECODE_PIXELS:
                raise PhotoRejected("too_many_pixels")
            img.load()
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA")  # palette and 16-bit images resize badly as they are
            # Shrink first (in place), so the copies below are of the small image.
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            img = ImageOps.exif_transpose(img)  # keep it upright once the EXIF is gone
            img = img.convert("RGB")
            out = io.BytesIO()
            img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)  # no exif= argument: none is written
            return out.getvalue()
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError):
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
