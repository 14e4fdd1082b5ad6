"""CSV order import: decode what Excel saved, read rows, say what is wrong on which line.

Line numbers are the ones the owner sees in Excel: the header is line 1. Rows sharing an
外部单号 (external id) are one order with several items; without one, each row is an order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from workbench.intake.matching import MemberRef
from workbench.intake.parser import Address
from workbench.intake.services import (
    MAX_QUANTITY,
    PHONE_RE,
    NewMember,
    OrderDraft,
    ResolvedItem,
    StoreContext,
    clean_phone,
)
from workbench.security.text import strip_invisible

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

#: Column → the header spellings accepted for it (compared without spaces, lower case).
HEADERS = {
    "phone": ("手机号", "手机", "电话", "手机号码", "联系电话", "phone", "mobile", "tel"),
    "name": ("姓名", "名字", "会员", "昵称", "name"),
    "building": ("楼栋", "楼号", "栋", "building"),
    "room": ("房号", "房间", "门牌", "room"),
    "product": ("商品", "商品名称", "品名", "商品编码", "sku", "product"),
    "quantity": ("数量", "份数", "qty", "quantity"),
    "external_id": ("外部单号", "订单号", "单号", "external_id", "externalid", "order_id"),
}
REQUIRED = ("phone", "product", "quantity")
TEMPLATE_HEADER = ["手机号", "姓名", "楼栋", "房号", "商品", "数量", "外部单号"]


class CsvRejected(Exception):
    """The whole file is unusable; ``message`` says why, in the owner's language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030 text, or ``CsvRejected``."""
    if not data or not data.strip():
        raise CsvRejected(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise CsvRejected(_l("The file is larger than 2 MB. Split it into smaller files."))
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise CsvRejected(_l("This is an Excel workbook, not a CSV file. In Excel choose "
                             "File → Save As → CSV, then upload that file."))
    if b"\x00" in data[:4096]:
        raise CsvRejected(_l("This is not a text file. Upload a CSV file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvRejected(_l("The file's characters cannot be read. Save it as CSV (UTF-8) and try again."))


@dataclass
class CsvRow:
    line_no: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    member: MemberRef | None = None
    new_member: NewMember | None = None
    item: ResolvedItem | None = None
    source_key: str = ""
    status: str = "ready"  # ready / error / already
    existing_code: str = ""

    @property
    def raw(self) -> str:
        return ",".join(self.values.get(k, "") for k in HEADERS)


@dataclass
class CsvPreview:
    rows: list[CsvRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def ready_total_fen(self) -> int:
        return sum(r.item.amount_fen for r in self.rows if r.status == "ready" and r.item)

    @property
    def errors(self) -> list[CsvRow]:
        return [r for r in self.rows if r.status == "error"]


def _header_key(cell: str) -> str | None:
    norm = re.sub(r"[\s*（）()]", "", unicodedata.normalize("NFKC", cell or "")).lower()
    for key, names in HEADERS.items():
        if norm in names:
            return key
    return None


def read_rows(text: str) -> list[CsvRow]:
    """Rows with their Excel line numbers; ``CsvRejected`` for a missing header or no rows."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        return _rows_from(reader)
    except csv.Error:
        # A cell past the csv module's field limit (131,072 characters) or a broken quote:
        # no order file looks like that, so the whole file is refused with a reason.
        raise CsvRejected(_l("A cell in the file is far too long or its quotes do not match. "
                             "Check the file, or download the template and copy the orders into it.")) from None


def _rows_from(reader) -> list[CsvRow]:
    header = next(reader, None)
    if not header or not any(c.strip() for c in header):
        raise CsvRejected(_l("The file is empty."))
    columns = [_header_key(c) for c in header]
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        names = "、".join(HEADERS[k][0] for k in missing)
        raise CsvRejected(_l("The first line must name the columns. Missing: %(names)s. "
                             "Download the template to see the expected columns.", names=names))
    rows: list[CsvRow] = []
    line_no = reader.line_num
    for cells in reader:
        start, line_no = line_no + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise CsvRejected(_l("The file has more than %(n)s rows. Split it into smaller files.", n=MAX_ROWS))
        values = {}
        for key, cell in zip(columns, cells, strict=False):
            if key and key not in values:
                values[key] = strip_invisible(unicodedata.normalize("NFKC", cell)).strip()
        rows.append(CsvRow(start, values))
    if not rows:
        raise CsvRejected(_l("The file has a header line but no orders."))
    return rows


def build_csv_preview(ctx: StoreContext, rows: list[CsvRow], existing: dict[str, str]) -> CsvPreview:
    """Validate and match every row; ``existing`` maps already imported keys to order codes."""
    for row in rows:
        _check_row(ctx, row)
    _assign_keys(ctx.campaign_id, rows)
    for row in rows:
        if row.errors:
            row.status = "error"
        elif row.source_key in existing:
            row.status, row.existing_code = "already", existing[row.source_key]
    return CsvPreview(rows)


def row_keys(ctx: StoreContext, rows: list[CsvRow]) -> list[str]:
    _assign_keys(ctx.campaign_id, rows)
    return [r.source_key for r in rows]


def _assign_keys(campaign_id: int, rows: list[CsvRow]) -> None:
    seen: Counter[str] = Counter()
    for row in rows:
        ext = row.values.get("external_id", "")
        if ext:
            basis = f"csv|{campaign_id}|ext|{ext}"
        else:
            content = "|".join(re.sub(r"\s+", "", row.values.get(k, "")).lower() for k in HEADERS)
            basis = f"csv|{campaign_id}|row|{content}|{seen[content]}"
            seen[content] += 1
        row.source_key = hashlib.sha256(basis.encode()).hexdigest()


def _check_row(ctx: StoreContext, row: CsvRow) -> None:
    v = row.values
    raw_phone = v.get("phone", "")
    phone = clean_phone(raw_phone)
    if not raw_phone:
        row.errors.append(str(_l("The phone number is missing.")))
    elif re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", raw_phone):
        row.errors.append(str(_l("Excel turned the phone number into %(value)s. Format the phone column "
                                 "as text and save again.", value=raw_phone)))
    elif not PHONE_RE.match(phone):
        row.errors.append(str(_l("“%(value)s” is not an 11-digit mobile number.", value=raw_phone)))
    else:
        existing = ctx.members.by_phone.get(phone)
        if existing:
            row.member = existing
        elif not v.get("name"):
            row.errors.append(str(_l("A new member needs a name.")))
        else:
            building = "".join(re.findall(r"\d+", v.get("building", "")))
            room = v.get("room", "")
            address = Address(building, "", room) if building else None
            row.new_member = NewMember(phone, v["name"][:40], address)
    qty_text = v.get("quantity", "")
    quantity = None
    if not qty_text:
        row.errors.append(str(_l("The quantity is missing.")))
    elif not qty_text.isdigit() or not 1 <= int(qty_text) <= MAX_QUANTITY:
        row.errors.append(str(_l("The quantity “%(value)s” must be a whole number from 1 to %(max)s.",
                                 value=qty_text, max=MAX_QUANTITY)))
    else:
        quantity = int(qty_text)
    product_text = v.get("product", "")
    product = None
    if not product_text:
        row.errors.append(str(_l("The product is missing.")))
    else:
        product, how, _score, candidates = ctx.products.find(product_text)
        if product is None or how in ("fuzzy", "corrected"):  # a file is not a chat: no guessing
            if candidates and len(candidates) > 1:
                row.errors.append(str(_l("“%(value)s” could be %(names)s; write the full name or SKU.",
                                         value=product_text, names="、".join(c.name for c in candidates))))
            else:
                row.errors.append(str(_l("“%(value)s” is not a product of this campaign.", value=product_text)))
            product = None
    if product is not None and quantity is not None:
        row.item = ResolvedItem(product, quantity)


def csv_drafts(preview: CsvPreview) -> tuple[list[OrderDraft], list[CsvRow]]:
    """Orders to create from the ready rows (rows of one 外部单号 together), and rows refused.

    An order is all or nothing: when one row of an external id has an error, or its rows
    name different phones, none of its rows is imported (half an order would be a guess).
    """
    groups: dict[str, list[CsvRow]] = {}
    for row in preview.rows:
        if row.status != "already":
            groups.setdefault(row.source_key, []).append(row)
    drafts, refused = [], []
    for key, rows in groups.items():
        phones = {(r.member.phone if r.member else r.new_member.phone) for r in rows if r.status == "ready"}
        broken = any(r.status == "error" for r in rows)
        if broken or len(phones) > 1:
            for r in rows:
                if r.status == "ready":
                    r.status = "error"
                    r.errors.append(str(_l("Another row of the same external order number has an error.")
                                        if broken else
                                        _l("Rows with the same external order number name different phones.")))
            refused.extend(rows)
            continue
        first = rows[0]
        drafts.append(OrderDraft(key, first.raw, [r.item for r in rows], first.member, first.new_member))
    return drafts, refused


def template_csv() -> bytes:
    """A CSV Excel opens correctly (UTF-8 with BOM), with the columns and two example rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(["13800001234", "张姐", "3栋", "1单元502", "阳光玫瑰葡萄", "2", "WX-1001"])
    writer.writerow(["13900005678", "王阿姨", "5栋", "1201", "SKU00002", "1", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
