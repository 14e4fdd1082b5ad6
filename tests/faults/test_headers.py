"""Security headers on every response (flask-talisman) and templates the policy can run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.faults
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def csp(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split(" ", 1)[1] for part in (p.strip() for p in header.split(";")) if part}


def test_pages_carry_the_security_headers(client, owner_client):
    for response in (client.get("/auth/login"), owner_client.get("/store/today"),
                     owner_client.get("/store/today", headers={"HX-Request": "true"})):
        policy = csp(response)
        assert policy["default-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"
        assert re.fullmatch(r"'self' 'nonce-[\w-]+'", policy["script-src"])
        assert "unsafe" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # http in development/tests


def test_the_page_nonce_reaches_htmx_and_the_inline_blocks(owner_client):
    response = owner_client.get("/store/today")
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    body = response.get_data(as_text=True)
    assert f'"inlineScriptNonce": "{nonce}"' in body
    # Every inline script that runs carries the nonce; JSON data blocks (a chart's spec) never run.
    for tag in re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body):
        assert f'nonce="{nonce}"' in tag, tag


def test_hsts_in_production_only(monkeypatch, database_url, redis_url):
    from workbench import create_app
    from workbench.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = create_app(ProductionConfig())
    response = app.test_client().get("/auth/login", base_url="https://example.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_charts_run_no_inline_script_and_carry_no_style_attribute(app):
    from workbench.charts import to_html
    from workbench.owner.charts import hours_figure

    with app.test_request_context("/"):
        from flask import request

        request.csp_nonce = "abc123"
        html = to_html(hours_figure([1] * 24, 9))
    # The figure travels as a JSON data block that static/js/app.js draws from.
    assert re.findall(r"<script[^>]*>", html) == ['<script type="application/json" class="chart__spec">']
    assert "style=" not in html and "chart-h-180" in html


@pytest.mark.parametrize("pattern", [
    r"\shx-on[:\w-]*=",  # hx-on needs eval
    r"\son(click|change|submit|load|input)=",  # event-handler attributes never run under the CSP
    r"\sstyle=",  # inline style attributes neither
    r"<script>(?!\s*</script>)",  # an inline script without a nonce
])
def test_templates_use_nothing_the_policy_blocks(pattern):
    found = [f"{path.relative_to(TEMPLATES)}: {m.group()}"
             for path in TEMPLATES.rglob("*.html")
             for m in re.finditer(pattern, path.read_text())]
    assert found == []
