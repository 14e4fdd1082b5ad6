"""The fragment-or-page helper and its out-of-band flashes."""

from __future__ import annotations

import re

import pytest
from flask import flash

from workbench.web import render, wants_fragment

PAGE, FRAGMENT = "errors/error.html", "errors/_error.html"
CTX = {"status": 404, "title": "标题", "message": "说明"}


@pytest.mark.parametrize(("headers", "fragment"), [
    ({}, False),
    ({"HX-Request": "true"}, True),
    ({"HX-Request": "true", "HX-Boosted": "true"}, False),
    ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ({"HX-Request": "false"}, False),
])
def test_wants_fragment(app, headers, fragment):
    with app.test_request_context("/", headers=headers):
        assert wants_fragment() is fragment


def test_render_page_and_fragment(app):
    with app.test_request_context("/"):
        page = render(PAGE, FRAGMENT, **CTX)
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        fragment = render(PAGE, FRAGMENT, status=404, title="标题", message="说明")
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True)
    assert fragment.status_code == 404
    for response in (page, fragment):
        assert "HX-Request" in response.headers["Vary"]


def test_render_without_fragment_always_gives_page(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        assert "<html" in render(PAGE, **CTX).get_data(as_text=True)


def test_flashes_travel_out_of_band_with_fragments(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        flash("已保存", "success")
        html = render(PAGE, FRAGMENT, **CTX).get_data(as_text=True)
    assert 'id="flashes"' in html and 'hx-swap-oob="true"' in html
    assert "flash--success" in html and "已保存" in html


def test_fragment_without_flashes_has_no_flash_box(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        html = render(PAGE, FRAGMENT, **CTX).get_data(as_text=True)
    assert 'id="flashes"' not in html


def test_page_renders_flashes_in_layout_not_oob(app):
    with app.test_request_context("/"):
        flash("出错了", "error")
        html = render(PAGE, FRAGMENT, **CTX).get_data(as_text=True)
    assert "出错了" in html and 'role="alert"' in html
    assert "hx-swap-oob" not in html


def test_layout_sets_csrf_header_htmx_and_print_css(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert re.search(r"vendor/htmx-2\.0\.11\.min\.[0-9a-f]{10}\.js", html)  # content-hashed URLs
    assert re.search(r'href="/static/css/print\.[0-9a-f]{10}\.css" media="print"', html)
    assert 'name="viewport"' in html and "viewport-fit=cover" in html
    assert 'class="loading-bar htmx-indicator"' in html
    assert "plotly" not in html  # charts' JS only on pages with charts


def test_static_assets_exist(app):
    from pathlib import Path

    static = Path(app.static_folder)
    for name in ("css/app.css", "css/print.css", "js/app.js", "vendor/htmx-2.0.11.min.js",
                 "vendor/plotly-bar-scatter-4.1.1.min.js", "favicon.svg"):
        assert (static / name).is_file(), name
    print_css = (static / "css/print.css").read_text()
    assert "size: A4" in print_css
    assert ".print-receipt-58" in print_css and ".print-receipt-80" in print_css


def test_vendored_plotly_matches_plotly_py_major():
    """plotly.py's figures are written for its own plotly.js major version."""
    import re
    from pathlib import Path

    import plotly

    bundled = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()[:200]
    ours = (Path(__file__).resolve().parent.parent / "static/vendor/plotly-bar-scatter-4.1.1.min.js").read_text()[:200]
    version = re.compile(r"v(\d+)\.\d+\.\d+")
    assert version.search(bundled).group(1) == version.search(ours).group(1)
