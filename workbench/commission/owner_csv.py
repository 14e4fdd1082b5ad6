"""The statement CSV an owner downloads: for Excel, in the owner's words.

Chinese headers, amounts in yuan with two decimals, the rate as a percentage, the product and
the member behind each line, UTF-8 with a BOM (Excel then opens it as Chinese, not mojibake).
The machine-exact export (fen, basis points, ids) is HQ finance's and ``flask commission
export``'s (``settlement.EXPORT_HEADER``); this file is for reading, not for re-importing.
"""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.commission.report import StatementReport
from workbench.formatting import label
from workbench.members.models import Member
from workbench.orders.models import Order, OrderItem


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals, exactly (no float): -4888 → "-48.88"."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def percent(bp: int) -> str:
    """Basis points as a percentage Excel reads as one: 1000 → "10%", 1250 → "12.5%"."""
    whole, rest = divmod(bp, 100)
    return f"{whole}%" if not rest else f"{whole}.{rest:02d}".rstrip("0") + "%"


def member_names(session: Session, item_ids: list[int]) -> dict[int, str]:
    """order item id → the member's name and room ("王阿姨 3栋502")."""
    out: dict[int, str] = {}
    for i in range(0, len(item_ids), 2000):
        chunk = item_ids[i:i + 2000]
        for item_id, name, room in session.execute(
            select(OrderItem.id, Member.name, Member.room)
            .join(Order, Order.id == OrderItem.order_id)
            .join(Member, Member.id == Order.member_id)
            .where(OrderItem.id.in_(chunk))
        ):
            out[item_id] = f"{name} {room}".strip()
    return out


def owner_statement_csv(session: Session, report: StatementReport) -> bytes:
    """The month's lines, one row each, oldest first; UTF-8 with BOM."""
    members = member_names(session, [ln.order_item_id for ln in report.lines if ln.order_item_id])
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow((_("Day"), _("Kind"), _("Order code"), _("Product"), _("Category"), _("Member"),
                     _("Sales (¥)"), _("Refunded (¥)"), _("Rate"), _("Commission (¥)"), _("Tier"),
                     _("Status"), _("Payable from"), _("Note")))
    for ln in report.lines:
        if ln.kind == "adjustment":
            note = ln.reason
        elif ln.kind == "clawback" and ln.original_on:
            note = _("refund of an order picked up on %(day)s", day=ln.original_on.isoformat())
        else:
            note = ""
        writer.writerow((
            ln.earned_on.isoformat(),
            label(ln.kind, "line_kind"),
            ln.order_code,
            ln.product,
            ln.category,
            members.get(ln.order_item_id, "") if ln.order_item_id else "",
            yuan(ln.amount_fen) if ln.kind != "adjustment" else "",
            yuan(ln.refunded_fen) if ln.refunded_fen else "",
            percent(ln.rate_bp) if ln.kind == "earning" else "",
            yuan(ln.commission_fen),
            ln.tier or "",
            label(ln.status, "line_status"),
            ln.payable_on.isoformat(),
            note,
        ))
    return out.getvalue().encode("utf-8")
