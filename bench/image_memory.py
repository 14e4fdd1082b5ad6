"""Peak memory of re-encoding one counter photo, each case in a fresh interpreter.

    .venv/bin/python bench/image_memory.py

Prints ``name: value`` lines: the upload's size, what happened (refused / accepted), the
growth of the process's peak RSS in MB and the time in ms. The 7000×7000 PNG is the
probe's decompression bomb (160 KB on the wire, 513 MB in the worker before issue 13).
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, say
from PIL import Image

sys.path.insert(0, str(ROOT))
from tests.faults.bigimage import huge_png  # noqa: E402

PROBE = """
import resource, sys, time
from workbench.pickup import photos

data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    photos.reencode(data)
    outcome = "accepted"
except photos.PhotoRejected:
    outcome = "refused"
ms = (time.perf_counter() - start) * 1000
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(len(data), outcome, round(grown, 1), round(ms, 1))
"""


def jpeg(width: int, height: int) -> bytes:
    """A photo-sized JPEG with some detail (noise), made here so the probe's peak is its own."""
    noise = Image.effect_noise((width // 8, height // 8), 60).convert("RGB").resize((width, height))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=85)
    return out.getvalue()


CASES = {
    "png_7000x7000": lambda: huge_png(7000, 7000),
    "png_3000x3000": lambda: huge_png(3000, 3000),
    "jpeg_4032x3024": lambda: jpeg(4032, 3024),
    "jpeg_6000x4500": lambda: jpeg(6000, 4500),
}


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="wb-bench-img-"))
    for name, make in CASES.items():
        path = folder / name
        path.write_bytes(make())
        out = subprocess.run([sys.executable, "-c", PROBE, str(path)], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
        path.unlink()
        size, outcome, grown, ms = out
        say(f"{name}_bytes", int(size))
        say(f"{name}_outcome", outcome)
        say(f"{name}_rss_growth_mb", float(grown))
        say(f"{name}_ms", float(ms))


if __name__ == "__main__":
    main()
