"""A 160 KB PNG declaring 7000×7000 pixels cost 513 MB in the web worker: it is now refused
from its header, big JPEGs are decoded at reduced scale, and photo work is capped."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests.faults.bigimage import huge_png
from workbench.models import OrderItem
from workbench.pickup import photos

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]

# Peak memory of a fresh interpreter that re-encodes the photo once, minus the same
# interpreter's peak before it: only the photo's cost.
PROBE = """
import resource, sys
from tests.faults.bigimage import huge_png
from workbench.pickup import photos
data = huge_png()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    photos.reencode(data)
    outcome = "accepted"
except photos.PhotoRejected:
    outcome = "refused"
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(outcome, len(data), (after - before) // 1024)
"""


def test_huge_png_is_refused_without_decoding_it():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=True)
    outcome, size, grown_mb = result.stdout.split()
    print(f"big_png_bytes: {size}\nbig_png_rss_growth_mb: {grown_mb}")
    assert int(size) < 300_000
    assert outcome == "refused"
    assert int(grown_mb) < 40, f"re-encoding a {size}-byte PNG grew the process by {grown_mb} MB"


def test_big_jpeg_is_decoded_at_reduced_scale(monkeypatch):
    out = io.BytesIO()
    Image.new("RGB", (6400, 4800), (10, 120, 40)).save(out, "JPEG", quality=50)
    loaded = []
    real_load = Image.Image.load

    def spy(img):
        loaded.append(img.size)
        return real_load(img)

    monkeypatch.setattr(Image.Image, "load", spy)
    jpeg = photos.reencode(out.getvalue())
    with Image.open(io.BytesIO(jpeg)) as result:
        assert max(result.size) == photos.MAX_SIDE
    assert loaded and max(loaded[0]) <= 3200  # drafted to half scale before decoding


def test_photo_work_is_capped_per_process(monkeypatch):
    monkeypatch.setattr(photos, "WAIT_SECONDS", 0.05)
    taken = [photos._work.acquire() for _ in range(photos.CONCURRENT)]
    try:
        with pytest.raises(photos.PhotoRejected, match="稍后|moment"):
            photos.reencode(huge_png(10, 10))
    finally:
        for _ in taken:
            photos._work.release()
    assert photos.reencode(huge_png(10, 10))[:2] == b"\xff\xd8"  # free again


def test_counter_upload_of_a_huge_png_is_a_chinese_400(app, owner_client, db, world, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    item = db.session.scalar(select(OrderItem).where(OrderItem.order_id == world.a.orders[1].id))
    r = owner_client.post(f"/store/pickup/items/{item.id}/report",
                          data={"kind": "damage", "quantity": "1", "note": "",
                                "photo": (io.BytesIO(huge_png()), "p.png")},
                          headers={"HX-Request": "true"}, content_type="multipart/form-data")
    assert r.status_code == 400
    assert "照片" in r.get_data(as_text=True) and "太大" in r.get_data(as_text=True)
    assert not any(tmp_path.rglob("*.jpg"))


def test_concurrent_uploads_share_the_cap():
    errors = []

    def work():
        try:
            photos.reencode(huge_png(50, 50))
        except Exception as exc:  # noqa: BLE001 (collected for the assertion)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
