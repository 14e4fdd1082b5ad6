"""The HQ stores list: scoping, sorting, filtering, fragments and the recompute job."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from workbench.formatting import local_today
from workbench.hq import kpi
from workbench.jobs.models import JobRecord


@pytest.fixture
def with_kpis(world, db):
    """StoreKpi rows for the world, as the nightly job would write them."""
    kpi.recompute(db.session, local_today())
    db.session.commit()
    return world


def _store_order(html: str, world) -> list[str]:
    names = {world.a.store.name, world.b.store.name, world.c.store.name}
    found = re.findall(r'<span class="store-name">([^<]+)</span>', html)
    return [n for n in found if n in names]


def test_hq_sees_every_store(hq_client, with_kpis):
    w = with_kpis
    html = hq_client.get("/hq/stores").get_data(as_text=True)
    for sw in (w.a, w.b, w.c):
        assert sw.store.name in html
        assert sw.owner.name in html
    assert w.region1.name in html and w.region2.name in html
    assert 'id="region-filter"' in html  # HQ may filter by region
    assert "hq.recompute_stores" not in html and "/hq/stores/recompute" in html


def test_regional_sees_only_their_region(regional_client, with_kpis):
    w = with_kpis
    html = regional_client.get("/hq/stores").get_data(as_text=True)
    assert w.a.store.name in html and w.b.store.name in html
    assert w.c.store.name not in html
    assert 'id="region-filter"' not in html
    assert "/hq/stores/recompute" not in html  # recompute is an HQ action
    # Asking for the other region by URL gives nothing, not its stores.
    other = regional_client.get(f"/hq/stores?region={w.region2.id}").get_data(as_text=True)
    assert w.c.store.name not in other


def test_owner_cannot_see_stores_list(owner_client, with_kpis):
    assert owner_client.get("/hq/stores").status_code == 403


def test_figures_and_totals(hq_client, with_kpis, db):
    w = with_kpis
    rows = {r.store_id: r for r in kpi.compute(db.session, local_today())}
    html = hq_client.get("/hq/stores").get_data(as_text=True)
    from workbench.formatting import money

    total = sum(r.gmv_fen for r in rows.values())
    assert money(rows[w.a.store.id].gmv_fen) in html
    tfoot = html.split("<tfoot>")[1]
    assert money(total) in tfoot
    assert ">9<" in tfoot  # 3 members in each of 3 stores


def test_region_filter(hq_client, with_kpis):
    w = with_kpis
    html = hq_client.get(f"/hq/stores?region={w.region2.id}").get_data(as_text=True)
    assert w.c.store.name in html
    assert w.a.store.name not in html and w.b.store.name not in html


def test_sort_by_name_both_ways(hq_client, with_kpis):
    w = with_kpis
    asc = _store_order(hq_client.get("/hq/stores?sort=name&dir=asc").get_data(as_text=True), w)
    desc = _store_order(hq_client.get("/hq/stores?sort=name&dir=desc").get_data(as_text=True), w)
    assert asc == sorted(asc) and len(asc) == 3
    assert desc == list(reversed(asc))


def test_sort_by_gmv_puts_stores_without_figures_last(hq_client, world, db):
    from workbench.stores.models import StoreKpi

    db.session.add(StoreKpi(store_id=world.b.store.id, as_of=local_today(), gmv_fen=500, orders=1,
                            active_members=1, total_members=3))
    db.session.add(StoreKpi(store_id=world.c.store.id, as_of=local_today(), gmv_fen=900, orders=2,
                            active_members=2, total_members=3))
    db.session.commit()
    for direction in ("desc", "asc"):
        html = hq_client.get(f"/hq/stores?sort=gmv&dir={direction}").get_data(as_text=True)
        order = _store_order(html, world)
        assert order[-1] == world.a.store.name, direction  # A has no figures
        expected = [world.c.store.name, world.b.store.name]
        assert order[:2] == (expected if direction == "desc" else expected[::-1])
    assert "Not computed yet" in html or "尚未计算" in html


def test_bad_query_values_fall_back_to_defaults(hq_client, with_kpis):
    response = hq_client.get("/hq/stores?sort=password&dir=sideways&region=abc")
    assert response.status_code == 200
    assert len(_store_order(response.get_data(as_text=True), with_kpis)) == 3


def test_htmx_gets_table_fragment_and_boost_gets_page(hq_client, with_kpis):
    fragment = hq_client.get("/hq/stores?sort=orders", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html
    assert html.lstrip().startswith("<div id=\"stores-table\"")
    assert "HX-Request" in fragment.headers["Vary"]
    page = hq_client.get("/hq/stores", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in page.get_data(as_text=True)


def test_sort_links_swap_only_the_table(hq_client, with_kpis):
    html = hq_client.get("/hq/stores").get_data(as_text=True)
    assert 'hx-target="#stores-table"' in html
    assert 'hx-push-url="true"' in html


def test_empty_state(app, db, client):
    from tests.factories import gen_user
    from workbench.auth.models import Role

    hq = gen_user(db.session, Role.HQ, username="lonely_hq")
    db.session.commit()
    login(client, hq)
    html = client.get("/hq/stores").get_data(as_text=True)
    assert 'class="empty"' in html
    assert "<tfoot>" not in html


def test_one_query_for_the_table(hq_client, with_kpis, db):
    """The list costs the same number of queries for 3 stores as for 30 (no N+1)."""
    from sqlalchemy import event

    def count_queries() -> int:
        seen = []

        def before(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            assert hq_client.get("/hq/stores").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        return len([s for s in seen if "stores" in s])

    few = count_queries()
    from tests.factories import gen_store

    w = with_kpis
    for i in range(5):
        gen_store(db.session, w.region2, f"X{i:02d}", f"加测店{i}", "宁波", w.products, date.today())
    db.session.commit()
    kpi.recompute(db.session, local_today())
    db.session.commit()
    assert count_queries() == few


# ------------------------------------------------------------------ recompute


def test_recompute_requires_login(client, world):
    response = client.post("/hq/stores/recompute")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_recompute_forbidden_for_owner(owner_client, db):
    assert owner_client.post("/hq/stores/recompute").status_code == 403
    assert db.session.scalar(select(func.count(JobRecord.id)).where(JobRecord.name != "x")) == 0


def test_recompute_forbidden_for_regional(regional_client, db):
    """A regional manager may not refresh the whole brand's figures (other regions included)."""
    assert regional_client.post("/hq/stores/recompute").status_code == 403


def test_recompute_launches_job_and_returns_polling_status(hq_client, world, db):
    response = hq_client.post("/hq/stores/recompute", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    record = db.session.scalar(select(JobRecord).where(JobRecord.name == "workbench.hq.jobs.recompute_store_kpis"))
    assert record is not None and record.user_id == world.hq.id
    assert f"/jobs/{record.id}" in html
    assert 'hx-trigger="load delay:1s"' in html
    assert "<html" not in html


def test_recompute_twice_reuses_the_running_job(hq_client, world, db):
    hq_client.post("/hq/stores/recompute", headers={"HX-Request": "true"})
    hq_client.post("/hq/stores/recompute", headers={"HX-Request": "true"})
    assert db.session.scalar(select(func.count(JobRecord.id)).where(JobRecord.user_id == world.hq.id)) == 1


def test_recompute_without_htmx_redirects_to_job_page(hq_client, world, db):
    response = hq_client.post("/hq/stores/recompute")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/jobs/")
    page = hq_client.get(response.headers["Location"])
    assert page.status_code == 200
    assert "hq-side" in page.get_data(as_text=True)  # the job page sits in the HQ shell


def test_finished_job_stops_polling_and_announces_itself(hq_client, world, db):
    from workbench.hq.jobs import recompute_store_kpis

    response = hq_client.post("/hq/stores/recompute", headers={"HX-Request": "true"})
    job_id = re.search(r"/jobs/([0-9a-f]+)", response.get_data(as_text=True)).group(1)
    # Run the job here, as the worker would, and mark it done.
    result = recompute_store_kpis((local_today() - timedelta(days=1)).isoformat(), job_id=job_id)
    record = db.session.get(JobRecord, job_id)
    record.status, record.result = "finished", result
    db.session.commit()
    html = hq_client.get(f"/jobs/{job_id}", headers={"HX-Request": "true",
                                                      "HX-Current-URL": "http://localhost/hq/stores"}).get_data(as_text=True)
    assert "hx-trigger" not in html
    assert "data-job-finished" in html  # static/js/widgets.js triggers jobFinished on <body>
    table = hq_client.get("/hq/stores").get_data(as_text=True)
    assert 'hx-trigger="jobFinished from:body"' in table
    assert (local_today() - timedelta(days=1)).isoformat() in table


def test_queue_unavailable_gives_503_in_chinese(hq_client, world, monkeypatch):
    from workbench.hq import views
    from workbench.jobs.queue import QueueUnavailable

    def broken(*args, **kwargs):
        raise QueueUnavailable("connection refused")

    monkeypatch.setattr(views, "launch", broken)
    fragment = hq_client.post("/hq/stores/recompute", headers={"HX-Request": "true"})
    assert fragment.status_code == 503
    assert "job-status--failed" in fragment.get_data(as_text=True)
    page = hq_client.post("/hq/stores/recompute")
    assert page.status_code == 503
    assert "<html" in page.get_data(as_text=True)
