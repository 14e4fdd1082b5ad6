"""Query strings of the fulfilment lists and HQ's mark form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, StringField
from wtforms.validators import AnyOf, DataRequired, Optional

from workbench.fulfilment.lists import PAPERS, SLIP_ORDERS, SORT_BY
from workbench.fulfilment.marking import MARKS


class ListQuery(Form):
    """GET parameters shared by the lists. A bad value is a 400 with the reason, never a guess:
    a printed list for the wrong day is worse than none."""

    day = DateField(validators=[Optional()], format="%Y-%m-%d")
    paper = StringField(validators=[Optional(), AnyOf(PAPERS, message=_l("Paper must be A4, 80 mm or 58 mm."))])
    by = StringField(validators=[Optional(), AnyOf(SORT_BY, message=_l("Unknown way to sort the list."))])
    order = StringField(validators=[Optional(), AnyOf(SLIP_ORDERS, message=_l("Unknown order for the slips."))])
    format = StringField(validators=[Optional(), AnyOf(("html", "csv"), message=_l("Unknown format."))])

    def problems(self) -> list[str]:
        """Chinese messages for every bad parameter (empty when all is well)."""
        self.validate()
        out = []
        if self.day.errors:
            out.append(str(_l("The date must look like 2026-11-25.")))
        for f in (self.paper, self.by, self.order, self.format):
            out.extend(str(e) for e in f.errors)
        return out


class MarkForm(Form):
    """The HQ mark: which step, for which day; the rows come as repeated ``target`` fields.

    CSRF is checked for every POST by the app's CSRFProtect, so this plain Form does not
    add a second token.
    """

    day = DateField(validators=[DataRequired(_l("Choose the delivery day."))], format="%Y-%m-%d")
    status = StringField(validators=[DataRequired(_l("Choose what to mark.")), AnyOf(MARKS)])
