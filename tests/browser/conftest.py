"""Browser fixtures: Debian's Chromium through Playwright, and a live server.

Never ``playwright install``: the tests drive ``/usr/bin/chromium``. When it is missing
(``make test`` installs it when run as root), every browser test is skipped, and the
run says so loudly at the end so a skipped run is not mistaken for a green one.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}

try:
    import playwright.sync_api  # noqa: F401
except ImportError:  # pragma: no cover - dev extras not installed
    _why_not = "playwright is not installed (pip install -e '.[dev]')"
else:
    _why_not = None if CHROMIUM.exists() else f"{CHROMIUM} is missing (apt-get install chromium)"

SKIP_MESSAGE = f"BROWSER TESTS SKIPPED: {_why_not}"


def pytest_collection_modifyitems(config, items):
    if _why_not is None:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=SKIP_MESSAGE))


def pytest_terminal_summary(terminalreporter):
    if _why_not is not None and terminalreporter.stats.get("skipped"):
        bar = "#" * 78
        terminalreporter.write_line(f"\n{bar}\n#  {SKIP_MESSAGE}\n{bar}", red=True, bold=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free port (threads; the test database)."""
    from werkzeug.serving import make_server

    app.config["WTF_CSRF_ENABLED"] = True  # the real thing: forms and htmx carry tokens
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Tab:
    """A page plus everything that went wrong on it."""

    page: object
    base_url: str
    name: str
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str):
        return self.page.goto(self.base_url + path, wait_until="networkidle")

    def settle(self) -> None:
        """Wait until htmx has no request in flight and has swapped and settled the answer.

        ``wait_for_load_state("networkidle")`` does not wait for this: after the first load
        it returns at once, and a locator taken before the swap points at replaced nodes.
        An htmx request marks its element as it starts, inside the event that triggers it,
        so calling this right after the click or change that sends one is enough.
        """
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")

    def screenshot(self, label: str, *, full_page: bool = False) -> Path:
        """Save what the screen shows (``full_page``: the whole scrolled page) under artifacts/."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{label}{'-full' if full_page else ''}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_clean(self, where: str = "") -> None:
        problems, self.problems[:] = list(self.problems), []
        assert not problems, f"{where}: " + "\n".join(problems)


def _aborted_favicon(request) -> bool:
    """Chromium fetches the icon lazily; navigating on aborts that fetch: noise, not a fault."""
    return re.search(r"favicon(\.[0-9a-f]{10})?\.svg$", request.url) is not None and "ERR_ABORTED" in (request.failure or "")


def _poll(page, expression: str, arg=None, *, timeout: float | None = None, polling=None):
    """``page.wait_for_function`` for pages under the Content-Security-Policy.

    Playwright's own polls by evaluating the string *inside* the page, which the policy
    (no ``unsafe-eval``) refuses; ``page.evaluate`` goes through the DevTools protocol,
    which it does not. So the predicate is evaluated from here every 50 ms instead.
    """
    deadline = time.monotonic() + (timeout or 15_000) / 1000
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression!r}")
        time.sleep(0.05)


def _open(browser, live_server, name: str, options: dict):
    context = browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.wait_for_function = functools.partial(_poll, page)
    tab = Tab(page, live_server, name)
    page.on("console", lambda m: m.type == "error" and tab.problems.append(
        f"console error: {m.text} at {m.location.get('url', '')}"))
    page.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: _aborted_favicon(r) or tab.problems.append(
        f"request failed: {r.method} {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and tab.problems.append(f"HTTP {r.status}: {r.url}"))
    return context, tab


@pytest.fixture
def phone(browser, live_server):
    """A phone: 375×812 at 2×, touch, zh-CN."""
    context, tab = _open(browser, live_server, "phone", PHONE)
    yield tab
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    """A desktop browser window: 1366×768, zh-CN."""
    context, tab = _open(browser, live_server, "desktop", DESKTOP)
    yield tab
    context.close()
