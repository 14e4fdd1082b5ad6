"""Static files: hashed URLs cached for a year, compressed bodies, and compressed HTML."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask import Flask, url_for

from workbench.static_files import StaticFiles, accepted_encodings, hashed_name, init_static

ROOT = Path(__file__).resolve().parent.parent
PLOTLY = "vendor/plotly-bar-scatter-4.1.1.min.js"
PHONE = {"Accept-Encoding": "gzip, br"}


def static_url(app, name: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=name)


def test_urls_carry_the_content_hash(app):
    url = static_url(app, "css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{10}\.css", url)


def test_hashed_url_is_immutable_and_brotli(app):
    response = app.test_client().get(static_url(app, PLOTLY), headers=PHONE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    body = brotli.decompress(response.get_data())
    assert body == (ROOT / "static" / PLOTLY).read_bytes()
    assert len(response.get_data()) < 350_000  # the partial bundle, compressed


def test_gzip_only_browser_gets_gzip(app):
    response = app.test_client().get(static_url(app, "css/app.css"), headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()) == (ROOT / "static/css/app.css").read_bytes()


def test_plain_name_revalidates(app):
    client = app.test_client()
    response = client.get("/static/css/app.css")
    assert response.headers["Cache-Control"] == "no-cache" and "Content-Encoding" not in response.headers
    again = client.get("/static/css/app.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/static/../wsgi.py", "/static/css/app.0123456789.css",
                                  f"/static/{PLOTLY}.br", "/static/nothing.css"])
def test_outside_stale_or_missing_is_404(app, path):
    assert app.test_client().get(path).status_code == 404


def test_precompressed_bundle_matches_the_file():
    """scripts/plotly/build.sh writes .gz and .br beside the bundle; they must not go stale."""
    raw = (ROOT / "static" / PLOTLY).read_bytes()
    assert gzip.decompress((ROOT / "static" / f"{PLOTLY}.gz").read_bytes()) == raw
    assert brotli.decompress((ROOT / "static" / f"{PLOTLY}.br").read_bytes()) == raw


def test_hash_follows_the_file(tmp_path):
    (tmp_path / "a.css").write_text("body{}")
    files = StaticFiles(tmp_path)
    first = files.url_name("a.css")
    (tmp_path / "a.css").write_text("body{color:red}")
    second = files.url_name("a.css")
    assert first != second and files.resolve(second) == ("a.css", True) and files.resolve(first) is None


def test_helpers():
    assert hashed_name("css/app.css", "abc") == "css/app.abc.css"
    assert accepted_encodings("gzip, deflate, br") == ["br", "gzip"]
    assert accepted_encodings("br;q=0, gzip") == ["gzip"]
    assert accepted_encodings(None) == []


def test_html_is_compressed_for_a_phone(owner_client):
    response = owner_client.get("/store/today", headers=PHONE)
    assert response.headers["Content-Encoding"] == "br"
    html = brotli.decompress(response.get_data()).decode()
    assert "<!doctype html>" in html.lower()
    # Without Accept-Encoding (tests, curl) the page is plain.
    assert "Content-Encoding" not in owner_client.get("/store/today").headers


def test_standalone_app_serves(tmp_path):
    (tmp_path / "x.js").write_text("console.log(1);" * 200)
    app = Flask("t", static_folder=None)
    init_static(app, str(tmp_path))
    url = static_url(app, "x.js")
    response = app.test_client().get(url, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.get_data()) == (tmp_path / "x.js").read_bytes()
