"""What the owner's 收益 tab shows: a statement, filtered and paged, with its chart.

Plain inputs (session, store id, the query's raw values, now) and a plain context out, so
the view stays a few lines and the filters are testable without a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from workbench.charts import PRIMARY, to_html
from workbench.charts import layout as _layout
from workbench.commission import periods
from workbench.commission.report import (
    LineRow,
    StatementReport,
    fill_names,
    statement_report,
    store_periods,
)
from workbench.timeutil import local_day

PAGE_SIZE = 30
KINDS = {"all": _l("All lines"), "earning": _l("Pickups"), "clawback": _l("Clawbacks"),
         "adjustment": _l("Adjustments")}
STATUSES = {"all": _l("Any status"), "pending": _l("In after-sales window"), "payable": _l("Payable"),
            "paid": _l("Paid")}


class UnknownPeriod(LookupError):
    """The period is malformed (400) or has no statement for this store (404)."""

    def __init__(self, malformed: bool) -> None:
        super().__init__("malformed" if malformed else "unknown")
        self.malformed = malformed


@dataclass(frozen=True)
class Filters:
    kind: str = "all"
    status: str = "all"
    category: str = ""
    page: int = 1

    @classmethod
    def parse(cls, args) -> Filters:
        """Unknown values fall back to "all" (a stale bookmark should still open the page)."""
        kind = args.get("kind", "all")
        status = args.get("status", "all")
        try:
            page = max(1, min(10_000, int(args.get("page", 1))))
        except (TypeError, ValueError):
            page = 1
        return cls(kind if kind in KINDS else "all", status if status in STATUSES else "all",
                   (args.get("category") or "")[:40], page)

    def apply(self, lines: list[LineRow]) -> list[LineRow]:
        return [ln for ln in lines
                if (self.kind == "all" or ln.kind == self.kind)
                and (self.status == "all" or ln.status == self.status)
                and (not self.category or ln.category == self.category)]


def choose_period(session: Session, store_id: int, raw: str | None, now: datetime) -> tuple[str, list]:
    """The period asked for (default: the running month) and the store's period list."""
    options = store_periods(session, store_id, local_day(now))
    if not raw:
        return options[0][0], options
    try:
        periods.parse(raw)
    except periods.BadPeriod:
        raise UnknownPeriod(malformed=True) from None
    if raw not in {p for p, _s in options}:
        raise UnknownPeriod(malformed=False)
    return raw, options


def earnings_context(session: Session, store_id: int, args, now: datetime) -> dict:
    period, options = choose_period(session, store_id, args.get("period"), now)
    report = statement_report(session, store_id, period, now, names=False)
    filters = Filters.parse(args)
    # Newest first on the phone: today's pickups are what the owner checks.
    matching = list(reversed(filters.apply(report.lines)))
    shown = fill_names(session, matching[: filters.page * PAGE_SIZE])
    return {
        "report": report,
        "period": period,
        "periods": options,
        "filters": filters,
        "lines": shown,
        "page_lines": matching[(filters.page - 1) * PAGE_SIZE: filters.page * PAGE_SIZE],
        "matching": len(matching),
        "more": len(matching) > len(shown),
        "kinds": KINDS,
        "statuses": STATUSES,
        "categories": sorted({ln.category for ln in report.lines if ln.category}),
        "chart": daily_chart(report) if report.lines else None,
    }


def daily_chart(report: StatementReport) -> str:
    """Commission per day of the month, in yuan (clawbacks and adjustments included)."""
    days = report.by_day()
    layout = _layout(170)
    layout["yaxis"].update(tickprefix="¥", separatethousands=True)
    layout["xaxis"].update(type="category", tickangle=0, nticks=7, automargin=True)
    return to_html({
        "data": [{
            "type": "bar",
            # "11/3", not "11/03": short labels, never rotated, so none is cut at the chart's edge.
            "x": [f"{int(d.label[5:7])}/{int(d.label[8:10])}" for d in days],
            "y": [d.commission_fen / 100 for d in days],
            "marker": {"color": PRIMARY},
            "customdata": [_("sales %(amount)s", amount=f"¥{d.amount_fen / 100:,.2f}") for d in days],
            "hovertemplate": "¥%{y:,.2f}<br>%{customdata}<extra></extra>",
        }],
        "layout": layout,
    }, (_("Day"), _("Commission")))
