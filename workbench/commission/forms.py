"""What HQ's commission pages read from a query string or a form, and the messages for bad values.

Plain ``Form``s (CSRFProtect checks every POST for the whole app, so no second token).
The views decide what a bad value means (a 400, a 404, "all", the default month); these
classes only say which values are bad and why.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired, Length

from workbench.commission import periods, settlement
from workbench.commission.lifecycle import MAX_ADJUSTMENT_FEN

#: An id as the pages send it. ``\d`` is what ``int`` reads (``str.isdigit`` also takes "²",
#: which ``int`` refuses); ``\Z``, not ``$``, so a trailing newline is not an id.
_ID = re.compile(r"\d{1,9}\Z")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def id_or_none(text: str | None) -> int | None:
    """``text`` as an id, or None when it is not one."""
    return int(text) if text and _ID.match(text) else None


def _month(form, field) -> None:
    try:
        periods.parse(field.data or "")
    except periods.BadPeriod:
        raise ValidationError(_("Choose a month like 2026-10.")) from None


class MonthForm(Form):
    """``period``: a month like 2026-10."""

    period = StringField(filters=[_strip], validators=[_month])

    def month(self) -> str | None:
        """The month asked for, or None when it is missing or not a month."""
        return self.period.data if self.period.validate(self) else None


#: Inputs whose names are not the attribute's: WTForms takes a ``filter_region`` attribute
#: for the inline filter of ``region``, so the echoed filters are bound under other names.
_INPUT_NAMES = {"echoed_region": "filter_region", "echoed_status": "filter_status"}


class SettlementFilters(MonthForm):
    """The settlement page's filters: from its query string, or echoed by its forms as
    ``filter_region`` / ``filter_status`` so an action comes back to the same view."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            options["name"] = _INPUT_NAMES.get(options["name"], options["name"])
            return unbound_field.bind(form=form, **options)

    region = StringField()
    echoed_region = StringField()
    status = StringField()
    echoed_status = StringField()

    def region_id(self) -> int | None:
        """The region asked for; anything but an id means every region."""
        return id_or_none((self.region.data or self.echoed_region.data or "").strip())

    def row_status(self) -> str | None:
        """The statement status asked for; an unknown one means every status."""
        status = self.status.data or self.echoed_status.data
        return status if status in settlement.ROW_STATUSES else None


class _IdList(Field):
    """A field repeated once per ticked row (``statement_id=3&statement_id=7``)."""

    def process_formdata(self, valuelist) -> None:
        self.data = list(valuelist)

    def pre_validate(self, form) -> None:
        if any(not _ID.match(v) for v in self.data or ()):
            raise ValidationError(_("The selection is not valid. Reload the page and try again."))

    @property
    def ids(self) -> list[int]:
        return sorted({int(v) for v in self.data or ()})


class ConfirmForm(SettlementFilters):
    """HQ's bulk confirm: the month and the ticked statements."""

    statement_id = _IdList()


class PayForm(ConfirmForm):
    """HQ's bulk payment: the ticked statements and the bank transfer's reference."""

    payment_ref = StringField(filters=[_strip], validators=[
        DataRequired(_l("Enter the payment reference (up to 60 characters), such as the bank transfer number.")),
        Length(max=60, message=_l("Enter the payment reference (up to 60 characters), "
                                  "such as the bank transfer number."))])


class DisputeResolutionForm(SettlementFilters):
    """HQ accepts a dispute (with an amount in yuan) or rejects it (with a reason for the owner)."""

    dispute_id = StringField(filters=[_strip])
    decision = StringField(validators=[AnyOf(("accept", "reject"), message=_l("Choose accept or reject."))])
    amount = StringField(filters=[_strip])
    resolution = StringField(filters=[_strip])

    #: The accepted amount in fen, once ``validate`` has read it.
    amount_fen: int | None = None

    @property
    def accept(self) -> bool:
        return self.decision.data == "accept"

    def validate_amount(self, field) -> None:
        if not self.accept:
            return
        try:
            self.amount_fen = settlement.yuan_to_fen(field.data)
        except settlement.BadAmount:
            raise ValidationError(
                _("Enter the adjustment in yuan, such as 12.50 or -3, with at most 2 decimals.")) from None
        if self.amount_fen == 0 or abs(self.amount_fen) > MAX_ADJUSTMENT_FEN:
            raise ValidationError(_("The adjustment must not be zero and at most ¥1,000,000."))

    def validate_resolution(self, field) -> None:
        if self.decision.data == "reject" and not field.data:
            raise ValidationError(_("Give the owner a reason for rejecting."))

    def error(self) -> str | None:
        """The first thing wrong (the decision, then the amount, then the reason), or None."""
        self.validate()
        for f in (self.decision, self.amount, self.resolution):
            if f.errors:
                return str(f.errors[0])
        return None

    def resolution_text(self) -> str:
        """The resolution the owner reads: an accepted dispute needs no words of its own."""
        return self.resolution.data or (_("Accepted by HQ") if self.accept else "")


class AdjustmentForm(MonthForm):
    """A bonus (+) or penalty (−) in yuan on a store's month, with the reason the owner reads."""

    amount = StringField()
    reason = StringField(filters=[_strip])

    #: The amount in fen, once ``validate`` has read it.
    amount_fen: int | None = None

    def validate_amount(self, field) -> None:
        try:
            self.amount_fen = settlement.yuan_to_fen(field.data)
        except settlement.BadAmount:
            raise ValidationError(
                _("Enter the amount in yuan, such as 50 or -20.5, with at most 2 decimals.")) from None

    def validate_reason(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Say why: the owner sees the reason on the statement."))
        if len(field.data) > 200:
            raise ValidationError(_("The reason can be at most 200 characters."))

    def error(self) -> str | None:
        """The first thing wrong with the amount or the reason, or None."""
        self.validate()
        for f in (self.amount, self.reason):
            if f.errors:
                return str(f.errors[0])
        return None


class LinesQuery(Form):
    """``?page=`` of a store's month: a number, or ``all``."""

    page = StringField(filters=[_strip])

    def page_number(self, pages: int) -> int | str:
        """``all``, or the page asked for brought into 1…``pages`` (1 when it is not a number)."""
        raw = self.page.data or "1"
        if raw == "all":
            return "all"
        page = int(raw) if _ID.match(raw) and len(raw) < 6 else 1
        return min(max(page, 1), pages)
