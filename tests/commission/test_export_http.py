"""The HQ export over a real HTTP server: whole, equal to the CLI's file, or visibly broken.

The Flask test client cannot show the bug of issue 21: the ``app`` fixture keeps an app
context pushed for the whole test, so the request's database session outlives the view.
A real server (werkzeug's, threaded, HTTP/1.1 like gunicorn) runs each request in its own
context, torn down when the view returns — before the server asks the body for its second
chunk. On PostgreSQL that teardown ended the transaction holding the export's server-side
cursor (``yield_per``) and the download stopped after the first chunk.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import urllib.parse
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select
from werkzeug.serving import make_server

from tests import factories
from tests.commission.conftest import at
from tests.commission.hq_fixtures import CLOSED_AT, OCT
from workbench.commission import settlement
from workbench.commission.statements import close_period
from workbench.models import Order, OrderItem

#: More lines than one fetch of the cursor (``yield_per=5000``) and CSV text of several chunks.
LINES = 7_200
PER_ORDER = 24


def busy_october(ledger, lines: int = LINES) -> int:
    """Store A picks up ``lines`` items in October; the month is closed. Returns the line count."""
    session, sw = ledger.session, ledger.world.a
    ledger.version(date(2026, 1, 1))
    products = ledger.world.products
    orders = lines // PER_ORDER
    session.execute(insert(Order), [
        {"code": f"HT{i:07d}", "store_id": sw.store.id, "member_id": sw.members[i % len(sw.members)].id,
         "status": "picked_up", "source": "demo", "total_fen": 0,
         "placed_at": at(date(2026, 10, 1) + timedelta(days=i % 28)),
         "arrived_at": at(date(2026, 10, 1) + timedelta(days=i % 28)),
         "picked_up_at": at(date(2026, 10, 1) + timedelta(days=i % 28), 10 + i % 8)}
        for i in range(orders)])
    ids = session.scalars(select(Order.id).where(Order.code.like("HT%")).order_by(Order.id)).all()
    session.execute(insert(OrderItem), [
        {"order_id": oid, "product_id": products[j % len(products)].id, "quantity": 1,
         "unit_price_fen": 990 + j * 37, "list_price_fen": 990 + j * 37, "amount_fen": 990 + j * 37}
        for oid in ids for j in range(PER_ORDER)])
    result = close_period(session, OCT, CLOSED_AT, [sw.store.id])
    session.commit()
    return result.lines


class LiveServer:
    """The app on werkzeug's threaded server (HTTP/1.1, chunked bodies), on a free port."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.cookie = ""

    def request(self, method: str, path: str, body: dict | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, data, headers)
        return conn.getresponse()

    def login(self, user) -> None:
        r = self.request("POST", "/auth/login", {"login": user.username, "password": factories.PASSWORD})
        r.read()
        assert r.status == 302, r.status
        self.cookie = r.getheader("Set-Cookie").split(";", 1)[0]

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture
def live(app, world):
    server = LiveServer(app)
    yield server
    server.stop()


def _read_all(response: http.client.HTTPResponse) -> bytes:
    """The body to its end; raises ``http.client.IncompleteRead`` if the chunked stream was cut."""
    parts = []
    while chunk := response.read(65536):
        parts.append(chunk)
    return b"".join(parts)


@pytest.mark.postgres
def test_a_month_of_many_chunks_arrives_whole_and_equals_the_cli_file(app, db, ledger, live, runner, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the server-side cursor that died between chunks is PostgreSQL's (DATABASE_URL)")
    lines = busy_october(ledger)
    assert lines >= LINES
    cli_file = tmp_path / "cli.csv"
    out = runner.invoke(args=["commission", "export", "--period", OCT, "--csv", str(cli_file)])
    assert out.exit_code == 0, out.output
    expected = cli_file.read_bytes()
    assert expected.startswith(b"\xef\xbb\xbf") and len(expected) > 2 * 256_000  # several chunks

    live.login(ledger.world.hq)
    response = live.request("GET", f"/hq/commission/export.csv?period={OCT}")
    assert response.status == 200 and response.getheader("Transfer-Encoding") == "chunked"
    received = _read_all(response)  # today's code: IncompleteRead after the first chunk

    assert received.startswith(b"\xef\xbb\xbf")
    assert received[3:] == expected[3:]  # byte for byte after the BOM
    assert received.count(b"\n") == lines + 1


def test_a_failure_part_way_is_a_broken_download_not_a_short_file(app, db, ledger, live, monkeypatch):
    """An error after the first chunk cuts the chunked stream: the client sees it fail."""
    busy_october(ledger)
    real_rows = settlement.export_rows

    def failing_rows(*args, **kwargs):
        with contextlib.closing(real_rows(*args, **kwargs)) as rows:
            for n, row in enumerate(rows):
                if n == 6_000:  # well after the first chunk has gone out
                    raise RuntimeError("the database went away")
                yield row

    monkeypatch.setattr(settlement, "export_rows", failing_rows)
    live.login(ledger.world.hq)
    response = live.request("GET", f"/hq/commission/export.csv?period={OCT}")
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead):
        _read_all(response)


def test_a_failure_before_the_first_byte_is_an_error_page(app, db, ledger, hq_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no database")
        yield  # pragma: no cover

    monkeypatch.setattr(settlement, "export_rows", broken)
    with pytest.raises(RuntimeError):  # the testing app propagates it; a real server answers 500
        hq_client.get(f"/hq/commission/export.csv?period={OCT}")


def test_the_stream_gives_its_connection_back_when_the_client_goes_away(app, db, ledger):
    busy_october(ledger)
    client = app.test_client()
    client.post("/auth/login", data={"login": ledger.world.hq.username, "password": factories.PASSWORD})
    checked_out = db.engine.pool.checkedout()
    response = client.get(f"/hq/commission/export.csv?period={OCT}", buffered=False)
    first = next(iter(response.response))
    assert first.startswith(b"\xef\xbb\xbf") and db.engine.pool.checkedout() == checked_out + 1
    response.close()  # what a WSGI server does when the client disconnects
    assert db.engine.pool.checkedout() == checked_out


def test_every_streamed_response_goes_through_the_helper():
    """``stream_with_context`` keeps the request, not its database session: streams use
    ``workbench.streaming.stream``, which gives the body a session of its own."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "workbench"
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "stream_with_context" in p.read_text(encoding="utf-8") and p.name != "streaming.py"]
    assert offenders == []
