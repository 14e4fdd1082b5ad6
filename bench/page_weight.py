#!/usr/bin/env python3
"""Page weight: the bytes a phone pulls over the network for each owner and HQ page.

Run by hand against a seeded database (``flask demo seed``; the default small demo is enough)::

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/wb_bench   # or unset: SQLite in instance/
    .venv/bin/python bench/page_weight.py                 # owner001 and hq, demo passwords

It logs in through the real login form (CSRF token and all), then walks the pages a user
reaches from their home page by following links (one page per route shape, so
``/store/suggestions/17`` stands for every suggestion), and fetches each page the way a phone
browser would: ``Accept-Encoding: gzip, br``, then every stylesheet, script and icon the HTML
names. Bytes on the wire = response headers + body as sent (compressed when the server
compresses).

- ``cold``: an empty cache. Every asset is fetched.
- ``cold_charts``: cold plus the chart script a page loads lazily (``data-chart-src``) once its
  chart scrolls into view; equal to ``cold`` on a page without a chart.
- ``repeat``: the second visit. An asset whose response was fresh (``max-age`` > 0) costs
  nothing; any other is re-validated with ``If-None-Match`` / ``If-Modified-Since`` and costs its
  304 response. The HTML is always fetched again.
- ``html``: the HTML document uncompressed, and ``largest_html`` the largest of them all.

Targets (issue 15): owner pages cold (charts included) <= 150 KB and repeat <= 30 KB; HQ pages
cold <= 300 KB. Output is ``name: value`` lines, sizes in KB (1 KB = 1,000 bytes).
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import say  # noqa: E402

PHONE_HEADERS = {
    "Accept-Encoding": "gzip, br",
    "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
    "User-Agent": "Mozilla/5.0 (Linux; Android 13; Phone) AppleWebKit/537.36 Chrome/126 Mobile Safari/537.36",
}
#: Links never followed: downloads, actions, and other people's pages.
SKIP = re.compile(r"(\.csv$|\.pdf$|/logout|/photo$|/auth/|/c/|/jobs/|/export|/static/)")


class Assets(HTMLParser):
    """The links, stylesheets, scripts, icons and lazy chart scripts of one HTML document."""

    def __init__(self):
        super().__init__()
        self.assets: list[str] = []
        self.lazy: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href") and ({"stylesheet", "icon"} & set((a.get("rel") or "").split())):
            self.assets.append(a["href"])
        elif tag == "script" and a.get("src") or tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.assets.append(a["src"])
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("data-chart-src"):
            self.lazy.append(a["data-chart-src"])


def wire_bytes(response) -> int:
    """Status line + headers + body as sent (an approximation of HTTP/1.1 framing)."""
    head = len(f"HTTP/1.1 {response.status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items())
    return head + 2 + len(response.get_data())


def fresh(response) -> bool:
    cc = response.headers.get("Cache-Control", "")
    m = re.search(r"max-age=(\d+)", cc)
    return bool(m and int(m.group(1)) > 0 and "no-cache" not in cc and "no-store" not in cc)


def shape(url: str) -> str:
    """``/store/x/17?period=2026-11`` → ``/store/x/<id>?period``: one page per route and query."""
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    path = re.sub(r"/\d+", "/<id>", re.sub(r"/\d{4}-\d{2}", "/<period>", parts.path))
    return path + ("?" + "&".join(keys) if keys else "")


def login(client, username: str, password: str) -> None:
    page = client.get("/auth/login", headers=PHONE_HEADERS)
    html = page.get_data(as_text=True) if page.headers.get("Content-Encoding") is None else _decoded(page)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    data = {"login": username, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    response = client.post("/auth/login", data=data)
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed: HTTP {response.status_code}")


def _decoded(response) -> str:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        import gzip

        body = gzip.decompress(body)
    elif encoding == "br":
        import brotli

        body = brotli.decompress(body)
    return body.decode("utf-8", "replace")


def measure(client, path: str) -> dict | None:
    page = client.get(path, headers=PHONE_HEADERS)
    if page.status_code != 200 or not page.mimetype.startswith("text/html"):
        return None
    html = _decoded(page)
    parser = Assets()
    parser.feed(html)
    cold = repeat = wire_bytes(page)
    seen: set[str] = set()
    for src in parser.assets:
        if src in seen or src.startswith(("http:", "https:", "//")):
            continue
        seen.add(src)
        asset = client.get(urljoin(path, src), headers=PHONE_HEADERS)
        cold += wire_bytes(asset)
        if not fresh(asset):
            cond = dict(PHONE_HEADERS)
            if asset.headers.get("ETag"):
                cond["If-None-Match"] = asset.headers["ETag"]
            if asset.headers.get("Last-Modified"):
                cond["If-Modified-Since"] = asset.headers["Last-Modified"]
            repeat += wire_bytes(client.get(urljoin(path, src), headers=cond))
    charts = 0
    for src in dict.fromkeys(parser.lazy):
        if src not in seen:
            charts += wire_bytes(client.get(urljoin(path, src), headers=PHONE_HEADERS))
    links = []
    for href in parser.links:
        parts = urlsplit(urljoin(path, href))
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return {"cold": cold, "cold_charts": cold + charts, "repeat": repeat,
            "html": len(html.encode()), "html_wire": wire_bytes(page), "links": links}


def walk(client, start: list[str], prefix: str, limit: int) -> dict[str, dict]:
    """Pages under ``prefix`` reachable from ``start``, one per route shape, breadth first."""
    results: dict[str, dict] = {}
    shapes: set[str] = set()
    queue = list(start)
    while queue and len(results) < limit:
        path = queue.pop(0)
        if shape(path) in shapes or SKIP.search(urlsplit(path).path) or not path.startswith(prefix) \
                or "more=" in path or "lang=" in path:
            continue
        shapes.add(shape(path))
        result = measure(client, path)
        if result is None:
            continue
        results[path] = result
        queue.extend(result.pop("links"))
    return results


def report(who: str, results: dict[str, dict], cold_target: int, repeat_target: int | None) -> None:
    kb = lambda n: f"{n / 1000:.1f}"  # noqa: E731
    over = []
    for path, r in results.items():
        say(f"{who} {path} cold_kb", kb(r["cold"]))
        say(f"{who} {path} cold_charts_kb", kb(r["cold_charts"]))
        say(f"{who} {path} repeat_kb", kb(r["repeat"]))
        say(f"{who} {path} html_kb", kb(r["html"]))
        say(f"{who} {path} html_wire_kb", kb(r["html_wire"]))
        if r["cold_charts"] > cold_target or (repeat_target and r["repeat"] > repeat_target):
            over.append(path)
    largest = max(results.items(), key=lambda kv: kv[1]["html"])
    say(f"{who} pages", len(results))
    say(f"{who} max_cold_charts_kb", kb(max(r["cold_charts"] for r in results.values())))
    say(f"{who} max_repeat_kb", kb(max(r["repeat"] for r in results.values())))
    say(f"{who} largest_html", f"{largest[0]} {kb(largest[1]['html'])} KB")
    say(f"{who} over_target", " ".join(over) or "none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owner", default="owner001")
    parser.add_argument("--owner-password", default="demo-owner")
    parser.add_argument("--hq", default="hq")
    parser.add_argument("--hq-password", default="demo-hq")
    parser.add_argument("--limit", type=int, default=40, help="pages per user at most")
    args = parser.parse_args()

    from workbench import create_app

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    # No app context held here: flask-wtf keeps the CSRF token in ``g``, which would then be
    # shared between the owner's and HQ's sessions.
    if True:
        owner = app.test_client()
        login(owner, args.owner, args.owner_password)
        owner_pages = ["/store/today", "/store/live", "/store/pickup", "/store/earnings", "/store/community",
                       "/store/fulfilment/", "/store/fulfilment/purchase", "/store/fulfilment/sorting",
                       "/store/fulfilment/slips", "/store/campaigns/", "/store/orders/"]
        report("owner", walk(owner, owner_pages, "/store", args.limit), 150_000, 30_000)

        hq = app.test_client()
        login(hq, args.hq, args.hq_password)
        hq_pages = ["/hq/stores", "/hq/suggestions", "/hq/commission/", "/hq/commission/plans",
                    "/hq/fulfilment/", "/hq/fulfilment/purchase", "/hq/aftersales/"]
        report("hq", walk(hq, hq_pages, "/hq", args.limit), 300_000, None)


if __name__ == "__main__":
    main()
